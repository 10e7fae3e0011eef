"""AWS/S3 daily storage metrics: BucketSizeBytes (StorageType StandardStorage) and NumberOfObjects
(StorageType AllStorageTypes) per bucket, stamped at the day's midnight UTC, as S3 reports them once a day.
Run as housekeeping at most once per day of clock time, started by S3 requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from millpond.services.housekeeping import Housekeeping
from millpond.services.s3.common import S3State

NAMESPACE = "AWS/S3"
DAY = 86400.0
# (namespace, name, dimensions, value, unit, timestamp, scope=(account, region))
MetricSink = Callable[..., Any]


class StorageMetrics:
    def __init__(self, state: S3State, sink: MetricSink | None) -> None:
        self.s = state
        self.sink = sink
        self.housekeeping = Housekeeping("S3 storage metrics", DAY, self.emit)

    def poke(self) -> None:
        if self.sink is not None:
            self.housekeeping.poke(self.s.clock.now())

    async def emit(self, now: float) -> int:
        if self.sink is None:
            return 0
        day = now - now % DAY
        for bucket in self.s.repo.list_buckets():
            count, size = self.s.repo.bucket_totals(bucket.name)
            scope = (self.s.account_id, bucket.region)
            name = (("BucketName", bucket.name),)
            self.sink(
                NAMESPACE,
                "BucketSizeBytes",
                (*name, ("StorageType", "StandardStorage")),
                size,
                "Bytes",
                day,
                scope,
            )
            self.sink(
                NAMESPACE,
                "NumberOfObjects",
                (*name, ("StorageType", "AllStorageTypes")),
                count,
                "Count",
                day,
                scope,
            )
        return 0
