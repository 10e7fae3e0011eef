"""What Kinesis counts for CloudWatch (namespace AWS/Kinesis), handed to a MetricSink.

Stream-level metrics carry the StreamName dimension; shard-level ones (StreamName, ShardId) are emitted
only for the metrics EnableEnhancedMonitoring turned on, under their shard-level names (OutgoingRecords
for GetRecords.Records, and so on) as aws-facts §8.1 lists. The sink is whatever the server wires in
(CloudWatch's store once it exists); MemoryMetricSink keeps running totals in memory meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from millpond.services.metric_sink import Dimensions, MetricSink

NAMESPACE = "AWS/Kinesis"

SHARD_LEVEL = (
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
)


class StreamLike(Protocol):
    @property
    def account_id(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def name(self) -> str: ...


@dataclass
class Totals:
    sum: float = 0.0
    count: int = 0
    minimum: float = float("inf")
    maximum: float = float("-inf")
    unit: str = "None"


class MemoryMetricSink:
    """Running totals per (namespace, metric, dimensions), for tests and until CloudWatch stores them."""

    def __init__(self) -> None:
        self.totals: dict[tuple[str, str, Dimensions], Totals] = {}

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
        totals = self.totals.setdefault((namespace, name, dimensions), Totals(unit=unit))
        totals.sum += value
        totals.count += 1
        totals.minimum = min(totals.minimum, value)
        totals.maximum = max(totals.maximum, value)

    def total(self, name: str, stream: str, shard: str | None = None) -> float:
        dims: Dimensions = (
            (("StreamName", stream),) if shard is None else (("StreamName", stream), ("ShardId", shard))
        )
        found = self.totals.get((NAMESPACE, name, dims))
        return found.sum if found else 0.0


class KinesisMetrics:
    """Emits the AWS/Kinesis datapoints one operation produced."""

    def __init__(self, sink: MetricSink) -> None:
        self.sink = sink

    def _stream(self, stream: StreamLike, now: float, values: Iterable[tuple[str, float, str]]) -> None:
        dims: Dimensions = (("StreamName", stream.name),)
        scope = (stream.account_id, stream.region)
        for name, value, unit in values:
            self.sink.add(NAMESPACE, name, dims, value, unit, now, scope)

    def _shards(
        self,
        stream: StreamLike,
        enabled: Iterable[str],
        now: float,
        per_shard: Mapping[str, Iterable[tuple[str, float, str]]],
    ) -> None:
        wanted = set(enabled)
        if not wanted:
            return
        scope = (stream.account_id, stream.region)
        for shard, values in per_shard.items():
            dims: Dimensions = (("StreamName", stream.name), ("ShardId", shard))
            for name, value, unit in values:
                if name in wanted:
                    self.sink.add(NAMESPACE, name, dims, value, unit, now, scope)

    def put(
        self,
        operation: str,
        stream: StreamLike,
        enabled: Iterable[str],
        now: float,
        per_shard: Mapping[str, tuple[int, int]],
        failed: int,
        throttled: int,
        latency_ms: float,
    ) -> None:
        """A PutRecord or PutRecords call: `per_shard` maps shard id -> (records, bytes) written (throttled
        records are counted by write_throttled)."""
        records = sum(count for count, _ in per_shard.values())
        size = sum(volume for _, volume in per_shard.values())
        values: list[tuple[str, float, str]] = [
            ("IncomingRecords", records, "Count"),
            ("IncomingBytes", size, "Bytes"),
        ]
        if operation == "PutRecord":
            values += [
                ("PutRecord.Success", 1 if records else 0, "Count"),
                ("PutRecord.Bytes", size, "Bytes"),
            ]
            values.append(("PutRecord.Latency", latency_ms, "Milliseconds"))
        else:
            values += [
                ("PutRecords.Success", 1 if records else 0, "Count"),
                ("PutRecords.TotalRecords", records + failed, "Count"),
                ("PutRecords.SuccessfulRecords", records, "Count"),
                ("PutRecords.FailedRecords", failed, "Count"),
                ("PutRecords.ThrottledRecords", throttled, "Count"),
                ("PutRecords.Bytes", size, "Bytes"),
                ("PutRecords.Latency", latency_ms, "Milliseconds"),
            ]
        self._stream(stream, now, values)
        self._shards(
            stream,
            enabled,
            now,
            {
                shard: [("IncomingRecords", count, "Count"), ("IncomingBytes", volume, "Bytes")]
                for shard, (count, volume) in per_shard.items()
            },
        )

    def write_throttled(
        self, stream: StreamLike, shard: str, enabled: Iterable[str], now: float, records: int
    ) -> None:
        self._stream(stream, now, [("WriteProvisionedThroughputExceeded", records, "Count")])
        self._shards(
            stream, enabled, now, {shard: [("WriteProvisionedThroughputExceeded", records, "Count")]}
        )

    def get_records(
        self,
        stream: StreamLike,
        shard: str,
        enabled: Iterable[str],
        now: float,
        records: int,
        size: int,
        latency_ms: float,
        iterator_age_ms: float,
    ) -> None:
        self._stream(
            stream,
            now,
            [
                ("GetRecords.Success", 1, "Count"),
                ("GetRecords.Records", records, "Count"),
                ("GetRecords.Bytes", size, "Bytes"),
                ("GetRecords.Latency", latency_ms, "Milliseconds"),
                ("GetRecords.IteratorAgeMilliseconds", iterator_age_ms, "Milliseconds"),
            ],
        )
        self._shards(
            stream,
            enabled,
            now,
            {
                shard: [
                    ("OutgoingRecords", records, "Count"),
                    ("OutgoingBytes", size, "Bytes"),
                    ("IteratorAgeMilliseconds", iterator_age_ms, "Milliseconds"),
                ]
            },
        )

    def read_throttled(self, stream: StreamLike, shard: str, enabled: Iterable[str], now: float) -> None:
        self._stream(stream, now, [("ReadProvisionedThroughputExceeded", 1, "Count")])
        self._shards(stream, enabled, now, {shard: [("ReadProvisionedThroughputExceeded", 1, "Count")]})
