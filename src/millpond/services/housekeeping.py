"""Background clean-up that runs at most once per interval of clock time, started by the calls that
make the mess (writes), never by a sleeping poller: an idle server does nothing, and advancing a virtual
clock past the interval makes the next write run it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("millpond.housekeeping")


class Housekeeping:
    def __init__(self, what: str, interval: float, job: Callable[[float], Awaitable[int]]) -> None:
        self.what = what  # for the log: "Kinesis records past retention"
        self.interval = interval
        self._job = job
        self._due = 0.0
        self._running: asyncio.Task[None] | None = None

    def poke(self, now: float) -> None:
        """Start the job in the background if it is due and not already running."""
        if now < self._due or (self._running is not None and not self._running.done()):
            return
        self._due = now + self.interval
        self._running = asyncio.get_running_loop().create_task(self._run(now))

    def run_now(self, now: float) -> None:
        """Start the job at the next poke regardless of the interval (after a rule changed)."""
        self._due = 0.0
        self.poke(now)

    async def _run(self, now: float) -> None:
        try:
            removed = await self._job(now)
            if removed:
                log.debug("dropped %d %s", removed, self.what)
        except Exception:
            log.exception("dropping %s failed", self.what)

    async def close(self) -> None:
        if self._running is not None:
            await self._running

    def reset(self) -> None:
        self._due = 0.0
