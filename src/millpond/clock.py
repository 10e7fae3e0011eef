"""The injectable clock. Every time-based rule reads it; nothing in services calls time.time().

`VirtualClock` follows real time plus an offset that only grows: `advance(seconds)` moves it forward and
wakes everything waiting on time (long polls, visibility timeouts, batching windows), so tests never sleep.
Only a reset, which wipes every timed thing, puts it back to real time.
`ManualClock` stands still until advanced, for unit tests of domain rules.
`on_advance` callbacks run synchronously inside `advance`, before any waiter wakes: what must see the
world as it stood at the jump (the CloudWatch gauges of the minutes jumped over) looks there.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch, as the services see it."""
        ...

    async def sleep_until(self, deadline: float) -> None:
        """Return once now() >= deadline (earlier if the clock is advanced past it)."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class _AdvanceSignal:
    """Wakes every waiter when the clock jumps forward."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, timeout: float | None) -> None:
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


class VirtualClock:
    """Real time plus an offset that `advance` increases."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset
        self._signal: _AdvanceSignal | None = None
        self._listeners: list[asyncio.AbstractEventLoop] = []
        self._on_advance: list[Callable[[float], None]] = []

    def on_advance(self, callback: Callable[[float], None]) -> None:
        """Call `callback(new_now)` synchronously at each advance, before waiters wake."""
        self._on_advance.append(callback)

    def _advanced(self) -> None:
        now = self.now()
        for callback in list(self._on_advance):
            callback(now)
        if self._signal is not None:
            self._signal.fire()

    def now(self) -> float:
        return time.time() + self.offset

    def _advance_signal(self) -> _AdvanceSignal:
        if self._signal is None:
            self._signal = _AdvanceSignal()
        return self._signal

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += seconds
        self._advanced()
        return self.now()

    def back_to_real_time(self) -> None:
        """Drop the offset. Only for when all state is wiped (reset): nothing is left that was timed by it."""
        self.offset = 0.0
        if self._signal is not None:
            self._signal.fire()

    async def sleep_until(self, deadline: float) -> None:
        signal = self._advance_signal()
        while (remaining := deadline - self.now()) > 0:
            await signal.wait(remaining)

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self.now() + seconds)


class ManualClock(VirtualClock):
    """A clock that stands still until advanced (unit tests)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        super().__init__()
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._now += seconds
        self.offset += seconds
        self._advanced()
        return self._now
