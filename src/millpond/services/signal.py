"""Per-key wake-ups for long-lived readers (SQS long polls, event streams), per node and not durable.

A reader takes `version(key)` before it looks, then waits with it: a notify that lands while it was
looking is never missed. `wait` also returns when the clock reaches the deadline (advancing a virtual
clock wakes it at once).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Hashable

from millpond.clock import Clock


class Signal:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._versions: dict[Hashable, int] = {}
        self._events: dict[Hashable, asyncio.Event] = {}
        self._generation = 0  # bumped by notify_all, so every waiter wakes

    def version(self, key: Hashable) -> tuple[int, int]:
        return self._generation, self._versions.get(key, 0)

    def notify(self, key: Hashable) -> None:
        self._versions[key] = self._versions.get(key, 0) + 1
        event = self._events.pop(key, None)
        if event is not None:
            event.set()

    def notify_all(self) -> None:
        self._generation += 1
        events, self._events = self._events, {}
        for event in events.values():
            event.set()

    async def wait(self, key: Hashable, since: tuple[int, int], deadline: float | None) -> None:
        """Until `key` changes after `since`, or the clock reaches `deadline` (None: no deadline)."""
        if self.version(key) != since:
            return
        event = self._events.get(key)
        if event is None:
            event = self._events[key] = asyncio.Event()
        if deadline is None:
            await event.wait()
            return
        waiter = asyncio.ensure_future(event.wait())
        sleeper = asyncio.ensure_future(self.clock.sleep_until(deadline))
        try:
            await asyncio.wait((waiter, sleeper), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (waiter, sleeper):
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
