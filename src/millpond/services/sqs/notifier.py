"""Long-poll wake-ups, per node and not durable: a waiting ReceiveMessage sleeps on its queue's event until a
send (or a message made visible again, or a dead-lettered one) wakes it, the clock reaches the next time a
message of the queue becomes visible, or its wait time runs out.

A receive takes `version(queue)` before it looks at the queue and waits with it, so a send that lands while
the receive is looking is never missed.
"""

from __future__ import annotations

import asyncio
import contextlib

from millpond.clock import Clock


class QueueNotifier:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._events: dict[int, asyncio.Event] = {}
        self._versions: dict[int, int] = {}
        self._generation = 0

    def version(self, queue_id: int) -> tuple[int, int]:
        return self._generation, self._versions.get(queue_id, 0)

    def notify(self, queue_id: int) -> None:
        """Wake every receive waiting on the queue (each then tries again)."""
        self._versions[queue_id] = self._versions.get(queue_id, 0) + 1
        event = self._events.pop(queue_id, None)
        if event is not None:
            event.set()

    def release_all(self) -> None:
        """Wake every waiter (reset, close); they look again and answer."""
        self._generation += 1
        events, self._events = self._events, {}
        for event in events.values():
            event.set()

    async def wait(self, queue_id: int, deadline: float, since: tuple[int, int]) -> None:
        """Sleep until the queue changes after `since`, or the clock reaches `deadline`."""
        if self.version(queue_id) != since:
            return
        event = self._events.get(queue_id)
        if event is None:
            event = self._events[queue_id] = asyncio.Event()
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
