"""The metric store: datapoints gathered in memory per (metric, bucket, unit), flushed to the repository in
one write, and read back as period buckets.

Every datapoint lands in a 60-second row; high-resolution ones (StorageResolution 1) also in a 1-second
row. Services record many datapoints a second; they are merged here and written once a minute (or sooner,
when something reads: a query flushes first, so it always sees everything recorded before it).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable

from millpond.clock import Clock
from millpond.services.cloudwatch.aggregation import Aggregate, bucket_points, resolutions_for
from millpond.services.cloudwatch.repository import CloudWatchRepository, MetricKey, PointWrite

BufferKey = tuple[MetricKey, int, int, str]


class MetricStore:
    def __init__(self, repository: CloudWatchRepository, clock: Clock) -> None:
        self.repository = repository
        self.clock = clock
        self._pending: dict[BufferKey, Aggregate] = {}
        self._lock = asyncio.Lock()

    def _rows(
        self, key: MetricKey, unit: str, timestamp: float | None, high_res: bool
    ) -> Iterable[Aggregate]:
        when = self.clock.now() if timestamp is None else timestamp
        resolutions = (60, 1) if high_res else (60,)
        for resolution in resolutions:
            bucket = int(math.floor(when / resolution) * resolution)
            yield self._pending.setdefault((key, resolution, bucket, unit or "None"), Aggregate())

    def record(
        self,
        key: MetricKey,
        value: float,
        unit: str = "None",
        timestamp: float | None = None,
        count: float = 1.0,
        high_res: bool = False,
    ) -> None:
        for aggregate in self._rows(key, unit, timestamp, high_res):
            aggregate.add(value, count)

    def record_set(
        self,
        key: MetricKey,
        stats: tuple[float, float, float, float],
        unit: str = "None",
        timestamp: float | None = None,
        high_res: bool = False,
    ) -> None:
        """A StatisticValues set: (SampleCount, Sum, Minimum, Maximum)."""
        for aggregate in self._rows(key, unit, timestamp, high_res):
            aggregate.add_set(*stats)

    async def flush(self) -> None:
        async with self._lock:
            if not self._pending:
                return
            pending, self._pending = self._pending, {}
            writes = [
                PointWrite(key, resolution, timestamp, unit, aggregate)
                for (key, resolution, timestamp, unit), aggregate in pending.items()
                if aggregate.count > 0
            ]
            await self.repository.merge_points(writes, self.clock.now())

    def clear(self) -> None:
        self._pending.clear()

    def buckets(
        self, key: MetricKey, start: int, end: float, period: int, unit: str | None = None
    ) -> dict[tuple[int, str], Aggregate]:
        """Stored rows of the metric merged into period buckets from `start` (aligned) to `end`."""
        stored = self.repository.read_points(key, resolutions_for(period), start, end)
        rows = [(p.timestamp, p.unit, p.aggregate) for p in stored if unit is None or p.unit == unit]
        return bucket_points(rows, start, end, period)
