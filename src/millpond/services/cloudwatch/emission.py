"""Emission: the services' counters turned into CloudWatch datapoints, and the once-a-minute tick.

Each service counts through its own small interface (SqsMetrics, Kinesis's and Lambda's MetricSink,
EventSourceMetrics); the adapters here implement them over the metric store. The tick wakes at every
minute boundary of the virtual clock (or when it is advanced; the minutes a jump skips are sampled inside
the jump itself, see Ticker.catch_up): it samples the gauges (queue depths and
the age of the oldest message, for queues active in the last 6 hours, as AWS publishes them), flushes the
store, evaluates the alarms and compacts old data (retention.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Protocol

from millpond.clock import Clock
from millpond.services.cloudwatch.repository import MetricKey
from millpond.services.cloudwatch.store import MetricStore

log = logging.getLogger("millpond.cloudwatch")

SQS = "AWS/SQS"
LAMBDA = "AWS/Lambda"
ACTIVE_FOR = 6 * 3600
# A jump of the clock fills at most this many missed minutes with the gauges' current values.
MAX_FILL_MINUTES = 60
Dimensions = tuple[tuple[str, str], ...]


class QueueKeyLike(Protocol):
    @property
    def account_id(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def queue_name(self) -> str: ...


class QueueCountsLike(Protocol):
    @property
    def visible(self) -> int: ...
    @property
    def not_visible(self) -> int: ...
    @property
    def delayed(self) -> int: ...
    @property
    def oldest_sent_at(self) -> float | None: ...


# (account, region, queue name, at): the queue's counts as of virtual time `at`, or None once it is gone.
QueueGauges = Callable[[str, str, str, float], QueueCountsLike | None]


class Emission:
    """Adapters from the services' counters to the store; one per server."""

    def __init__(self, store: MetricStore, clock: Clock, account: str, region: str) -> None:
        self.store = store
        self.clock = clock
        self.account = account
        self.region = region
        self.queue_gauges: QueueGauges | None = None
        self.active_queues: dict[tuple[str, str, str], float] = {}

    # -- SqsMetrics ---------------------------------------------------------------------------------------
    def record(self, queue: QueueKeyLike, metric: str, value: float, count: int = 1) -> None:
        if count <= 0:
            return
        now = self.clock.now()
        self.active_queues[(queue.account_id, queue.region, queue.queue_name)] = now
        key = MetricKey(queue.account_id, queue.region, SQS, metric, (("QueueName", queue.queue_name),))
        unit = "Bytes" if metric == "SentMessageSize" else "Count"
        if metric == "SentMessageSize":
            self.store.record(key, value, unit, now, count)
        else:
            # One datapoint of `value * count` (a batch of 10 counts as 10, in one sample).
            self.store.record(key, value * count, unit, now)

    # -- Kinesis's and Lambda's MetricSink ----------------------------------------------------------------
    def add(
        self,
        namespace: str,
        name: str,
        dimensions: Dimensions,
        value: float,
        unit: str,
        timestamp: float,
        scope: tuple[str, str] | None = None,
    ) -> None:
        account, region = scope if scope is not None else (self.account, self.region)
        key = MetricKey.of(account, region, namespace, name, dimensions)
        self.store.record(key, float(value), unit, timestamp)

    # -- gauges -------------------------------------------------------------------------------------------
    def sample(self, stamps: list[int], now: float) -> None:
        """Record the gauges at each of `stamps` (minute starts), each as of the end of its minute.

        A jump of the virtual clock skips minutes in which nothing ran, so the queue's state at a skipped
        minute's end follows from its state now (visibility and delay timers, retention): a message received
        just before a jump past its visibility timeout is in flight for the first minutes, visible after.
        """
        if self.queue_gauges is None or not stamps:
            return
        for (account, region, name), last in list(self.active_queues.items()):
            if now - last > ACTIVE_FOR or self.queue_gauges(account, region, name, now) is None:
                del self.active_queues[(account, region, name)]
                continue
            key = (account, region, SQS)
            dims = (("QueueName", name),)
            for stamp in stamps:
                at = min(float(stamp + 60), now)
                counts = self.queue_gauges(account, region, name, at)
                if counts is None:
                    continue
                oldest = counts.oldest_sent_at
                age = max(0.0, at - oldest) if oldest is not None else 0.0
                for metric, value, unit in (
                    ("ApproximateNumberOfMessagesVisible", counts.visible, "Count"),
                    ("ApproximateNumberOfMessagesNotVisible", counts.not_visible, "Count"),
                    ("ApproximateNumberOfMessagesDelayed", counts.delayed, "Count"),
                    ("ApproximateAgeOfOldestMessage", math.floor(age), "Seconds"),
                ):
                    self.store.record(MetricKey(*key, metric, dims), float(value), unit, float(stamp))

    def clear(self) -> None:
        self.active_queues.clear()


class EventSourceCollector:
    """EventSourceMetrics over the store: IteratorAge (AWS/Lambda, stream mappings). Invocations, errors and
    concurrency are counted where every invocation passes (the Lambda invoker), not twice here."""

    def __init__(self, emission: Emission) -> None:
        self.emission = emission

    def invocation(self, uuid: str, function: str, events: int, *, error: bool) -> None:
        return None

    def filtered_out(self, uuid: str, events: int) -> None:
        return None

    def iterator_age(self, uuid: str, function: str, milliseconds: float) -> None:
        now = self.emission.clock.now()
        for dims in ((), (("FunctionName", function),), (("FunctionName", function), ("Resource", function))):
            self.emission.add(LAMBDA, "IteratorAge", dims, milliseconds, "Milliseconds", now)

    def concurrency(self, function: str, in_flight: int) -> None:
        return None


class Ticker:
    """The once-a-minute task: sample gauges, flush, then run `after` (alarms, compaction)."""

    def __init__(
        self, emission: Emission, clock: Clock, after: list[Callable[[float], Awaitable[None]]]
    ) -> None:
        self.emission = emission
        self.clock = clock
        self.after = after
        self._task: asyncio.Task[None] | None = None
        self._last = 0
        self._hooked = False
        self.ticks = 0

    def start(self) -> None:
        if self._task is None:
            self._last = int(self.clock.now() // 60 * 60)
            self._task = asyncio.create_task(self._run())
            on_advance = getattr(self.clock, "on_advance", None)
            if on_advance is not None and not self._hooked:
                on_advance(self.catch_up)
                self._hooked = True

    def catch_up(self, now: float) -> None:
        """At a jump of the clock, before anything else runs: sample the gauges of the minutes jumped over
        from the state the jump found (a consumer woken by the jump must not colour the minutes before)."""
        if self._task is None:
            return
        try:
            self.sample_missed(now)
        except Exception:
            log.exception("sampling the CloudWatch gauges at a clock jump failed")

    def sample_missed(self, now: float) -> None:
        boundary = int(now // 60 * 60)
        first = max(self._last + 60, boundary - 60 * (MAX_FILL_MINUTES - 1))
        # A gauge sampled at a minute boundary describes the minute that just ended.
        stamps = [b - 60 for b in range(first, boundary + 1, 60)]
        self._last = max(self._last, boundary)
        self.emission.sample(stamps, now)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self.clock.sleep_until(self._last + 60)
            try:
                await self.tick()
            except Exception:
                log.exception("the CloudWatch minute tick failed")

    async def tick(self) -> None:
        now = self.clock.now()
        self.sample_missed(now)
        await self.emission.store.flush()
        for step in self.after:
            await step(now)
        self.ticks += 1
