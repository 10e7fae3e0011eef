"""PutRecord and PutRecords: route each record to its shard, apply size and throughput limits, and store a
whole request in one write. PutRecords answers one result per record, in order, HTTP 200 even when some
failed (only throttling fails single records; anything malformed fails the request).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.kinesis import sequence
from millpond.services.kinesis.core import Core
from millpond.services.kinesis.hashing import ShardRouter, explicit_hash_key, hash_key
from millpond.services.kinesis.names import StreamRef, shard_id, stream_not_found
from millpond.services.kinesis.repository import Stream, StreamGone, TopologyChanged
from millpond.services.kinesis.shards import open_shards

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # PutRecords: data plus partition keys of the whole request
_ROUTE_ATTEMPTS = 5


class Router:
    """ShardRouters per stream, kept while the stream's shard epoch stays the same."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._cache: dict[int, tuple[int, ShardRouter]] = {}

    def for_stream(self, stream: Stream) -> ShardRouter:
        cached = self._cache.get(stream.pk)
        if cached is not None and cached[0] == stream.shard_epoch:
            return cached[1]
        shards = open_shards(self.core.repo.shards(stream.pk))
        router = ShardRouter([(s.index, s.start_hash, s.end_hash) for s in shards])
        self._cache[stream.pk] = (stream.shard_epoch, router)
        return router


def _partition_key(entry: dict[str, Any], path: str) -> str:
    key = entry.get("PartitionKey")
    if key is None:  # optional in the model only for the AUTO distribution strategy
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must "
            "not be null",
        )
    return str(key)


def _placement(stream: Stream, entry: dict[str, Any], path: str) -> tuple[int, str]:
    """(hash key, partition key) of a record; "" stands for no partition key."""
    if stream.distribution == "AUTO":
        # AUTO ignores partition keys and explicit hash keys and spreads records evenly.
        return random.getrandbits(128), entry.get("PartitionKey") or ""
    partition_key = _partition_key(entry, path)
    explicit = entry.get("ExplicitHashKey")
    return (explicit_hash_key(explicit) if explicit is not None else hash_key(partition_key)), partition_key


def _record_size_limit(stream: Stream, size: int) -> None:
    limit = stream.max_record_kib * 1024
    if size > limit:
        raise AwsError(
            "InvalidArgumentException",
            f"Record size {size} bytes exceeds the maximum record size of {stream.max_record_kib} KiB for "
            f"stream {stream.name} under account {stream.account_id}.",
        )


def _rate_exceeded(stream: Stream, shard: int) -> str:
    where = f"in stream {stream.name} under account {stream.account_id}"
    return f"Rate exceeded for shard {shard_id(shard)} {where}."


class Writer:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.router = Router(core)

    async def _store(
        self,
        ctx: RequestContext,
        params: dict[str, Any],
        stream: Stream,
        keyed: Sequence[tuple[int, str, bytes, int]],
    ) -> tuple[Stream, list[int | None], int, float]:
        """Route and store `(hash key, partition key, data, size)` entries; returns the stream stored to,
        the shard of each entry (None when throttled), the first position and the arrival time."""
        core = self.core
        for _ in range(_ROUTE_ATTEMPTS):
            router = self.router.for_stream(stream)
            now = core.now()
            targets: list[int | None] = []
            rows: list[tuple[int, str, bytes]] = []
            for key, partition_key, data, size in keyed:
                shard = router.route(key)
                if core.throttle.admit_write(stream.pk, shard, size, now):
                    targets.append(shard)
                    rows.append((shard, partition_key, data))
                else:
                    targets.append(None)
            if not rows:
                return stream, targets, 0, now
            try:
                first, arrival = await core.repo.put_records(
                    stream.pk, stream.shard_epoch, rows, core.arrival_now
                )
            except TopologyChanged:
                stream = core.data_stream(ctx, params)  # resharded meanwhile: route again on the new shards
                continue
            except StreamGone:
                raise stream_not_found(StreamRef(stream.account_id, stream.region, stream.name)) from None
            return stream, targets, first, arrival
        raise AwsError(
            "InternalFailure", "The stream's shards kept changing; try again.", 500, sender_fault=False
        )

    async def put_record(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        core = self.core
        data: bytes = params["Data"]
        stream = core.data_stream(ctx, params)
        key, partition_key = _placement(stream, params, "partitionKey")
        size = len(data) + len(partition_key.encode("utf-8"))
        _record_size_limit(stream, size)
        ordering = params.get("SequenceNumberForOrdering")
        if ordering is not None:
            parts = sequence.decode(ordering)
            # Every new number exceeds every issued one, so a valid minimum is always honoured.
            if parts is None or parts.position > core.repo.current_position():
                raise AwsError(
                    "InvalidArgumentException",
                    f"ExclusiveMinimumSequenceNumber {ordering} used in PutRecord on stream {stream.name} "
                    f"under account {stream.account_id} is invalid.",
                )
        stream, targets, first, arrival = await self._store(
            ctx, params, stream, [(key, partition_key, data, size)]
        )
        shard = targets[0]
        now = core.now()
        if shard is None:
            shard = self.router.for_stream(stream).route(key)
            core.metrics.write_throttled(stream, shard_id(shard), stream.shard_metrics, now, 1)
            raise AwsError("ProvisionedThroughputExceededException", _rate_exceeded(stream, shard))
        latency = (time.perf_counter() - started) * 1000
        core.metrics.put(
            "PutRecord", stream, stream.shard_metrics, now, {shard_id(shard): (1, size)}, 0, 0, latency
        )
        result: dict[str, Any] = {
            "ShardId": shard_id(shard),
            "SequenceNumber": sequence.encode(stream.created_at, shard, first, arrival),
        }
        if stream.encryption_type == "KMS":
            result["EncryptionType"] = "KMS"
        return result

    async def put_records(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        core = self.core
        entries: list[dict[str, Any]] = params["Records"]
        stream = core.data_stream(ctx, params)
        keyed: list[tuple[int, str, bytes, int]] = []
        total = 0
        for position, entry in enumerate(entries, 1):
            data: bytes = entry["Data"]
            key, partition_key = _placement(stream, entry, f"records.{position}.member.partitionKey")
            size = len(data) + len(partition_key.encode("utf-8"))
            _record_size_limit(stream, size)
            total += size
            keyed.append((key, partition_key, data, size))
        if total > MAX_REQUEST_BYTES:
            raise AwsError(
                "InvalidArgumentException",
                f"Records size exceeds {MAX_REQUEST_BYTES // (1024 * 1024)} MB limit",
            )
        stream, targets, first, arrival = await self._store(ctx, params, stream, keyed)
        results: list[dict[str, Any]] = []
        per_shard: dict[str, tuple[int, int]] = {}
        throttled: dict[int, int] = {}
        position = first
        router = self.router.for_stream(stream)
        for (key, _, _, size), shard in zip(keyed, targets, strict=True):
            if shard is None:
                missed = router.route(key)
                throttled[missed] = throttled.get(missed, 0) + 1
                results.append(
                    {
                        "ErrorCode": "ProvisionedThroughputExceededException",
                        "ErrorMessage": _rate_exceeded(stream, missed),
                    }
                )
                continue
            sid = shard_id(shard)
            results.append(
                {
                    "SequenceNumber": sequence.encode(stream.created_at, shard, position, arrival),
                    "ShardId": sid,
                }
            )
            count, volume = per_shard.get(sid, (0, 0))
            per_shard[sid] = (count + 1, volume + size)
            position += 1
        failed = sum(throttled.values())
        now = core.now()
        latency = (time.perf_counter() - started) * 1000
        core.metrics.put("PutRecords", stream, stream.shard_metrics, now, per_shard, failed, failed, latency)
        for shard, count in throttled.items():
            core.metrics.write_throttled(stream, shard_id(shard), stream.shard_metrics, now, count)
        result: dict[str, Any] = {"FailedRecordCount": failed, "Records": results}
        if stream.encryption_type == "KMS":
            result["EncryptionType"] = "KMS"
        return result
