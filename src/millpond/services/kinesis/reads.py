"""GetShardIterator and GetRecords: positions in a shard, and reading from one as a range scan.

A read returns at most Limit records or about 10 MiB; once a closed shard has been read to its end the
answer has no NextShardIterator and lists the ChildShards to go on with.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.kinesis import iterators, sequence
from millpond.services.kinesis import shards as shard_rules
from millpond.services.kinesis.core import Core
from millpond.services.kinesis.iterators import ShardIterator
from millpond.services.kinesis.names import shard_id, shard_index
from millpond.services.kinesis.repository import Record, Shard, Stream

MAX_RECORDS = 10_000
MAX_BYTES = 10 * 1024 * 1024
_TYPE_RULE = (
    "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) "
    "TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified {} and {} a "
    "StartingSequenceNumber."
)


def _shard_missing(name: str, account_id: str, index: int) -> AwsError:
    return AwsError(
        "ResourceNotFoundException",
        f"Shard {shard_id(index)} in stream {name} under account {account_id} does not exist",
    )


def find_shard(core: Core, stream: Stream, index: int, now: float) -> tuple[Shard, list[Shard]]:
    shards = shard_rules.retained(core.repo.shards(stream.pk), shard_rules.trim_horizon(stream, now))
    shard = shard_rules.by_index(shards, index)
    if shard is None:
        raise _shard_missing(stream.name, stream.account_id, index)
    return shard, shards


def starting_position(core: Core, stream: Stream, shard: Shard, params: dict[str, Any]) -> tuple[int, float]:
    """(read after this position, earliest arrival) for the requested iterator type."""
    kind: str = params["ShardIteratorType"]
    number: str | None = params.get("StartingSequenceNumber")
    timestamp: datetime | None = params.get("Timestamp")
    if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        if number is None:
            raise AwsError("InvalidArgumentException", _TYPE_RULE.format(kind, "no"))
        return _after_sequence(stream, shard, number, kind == "AFTER_SEQUENCE_NUMBER"), 0.0
    if number is not None:
        raise AwsError("InvalidArgumentException", _TYPE_RULE.format(kind, "also"))
    if kind == "TRIM_HORIZON":
        return shard.starting_position, 0.0
    if kind == "LATEST":
        if shard.ending_position is not None:
            return shard.ending_position, 0.0
        return max(shard.starting_position, core.repo.current_position()), 0.0
    # AT_TIMESTAMP
    if timestamp is None:
        raise AwsError(
            "InvalidArgumentException",
            "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request "
            "has no timestamp parameter.",
        )
    when = timestamp.timestamp()
    now = core.now()
    if when > now:
        raise AwsError(
            "InvalidArgumentException",
            "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
            f"timestampInMillis: {int(when * 1000)}, currentTimestampInMillis: {int(now * 1000)}",
        )
    return shard.starting_position, when


def _after_sequence(stream: Stream, shard: Shard, number: str, after: bool) -> int:
    where = f"on shard {shard_id(shard.index)} in stream {stream.name} under account {stream.account_id}"
    parts = sequence.decode(number)
    if parts is None:
        raise AwsError(
            "InvalidArgumentException",
            f"StartingSequenceNumber {number} used in GetShardIterator {where} is invalid.",
        )
    if parts.shard_index != shard.index:
        raise AwsError(
            "InvalidArgumentException",
            f"Invalid StartingSequenceNumber. It encodes {shard_id(parts.shard_index)}, while it was used in "
            f"a call to a shard with {shard_id(shard.index)}",
        )
    if parts.created != int(stream.created_at) & ((1 << 36) - 1):
        raise AwsError(
            "InvalidArgumentException",
            f"StartingSequenceNumber {number} used in GetShardIterator {where} is invalid because it did not "
            "come from this stream.",
        )
    return parts.position if after else parts.position - 1


def get_shard_iterator(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.data_stream(ctx, params)
    given: str = params["ShardId"]
    index = shard_index(given)
    if index is None:
        raise AwsError(
            "ResourceNotFoundException",
            f"Could not find shard {given} in stream {stream.name} under account {stream.account_id}.",
        )
    now = core.now()
    shard, _ = find_shard(core, stream, index, now)
    after, min_arrival = starting_position(core, stream, shard, params)
    token = iterators.encode(ShardIterator(stream.pk, stream.name, index, after, min_arrival, now))
    return {"ShardIterator": token}


def record_entries(stream: Stream, shard: Shard, found: list[Record]) -> tuple[list[dict[str, Any]], int]:
    """Stored records as the API shows them, and the bytes they count against read throughput."""
    kms = stream.encryption_type == "KMS"
    records = []
    size = 0
    for record in found:
        entry: dict[str, Any] = {
            "SequenceNumber": sequence.encode(
                stream.created_at, shard.index, record.position, record.arrival
            ),
            "ApproximateArrivalTimestamp": record.arrival,
            "Data": record.data,
            "PartitionKey": record.partition_key or None,  # AUTO streams may take records without one
        }
        if kms:
            entry["EncryptionType"] = "KMS"
        records.append(entry)
        size += len(record.data) + len(record.partition_key.encode("utf-8"))
    return records, size


def get_records(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    iterator = iterators.decode(params["ShardIterator"])
    now = core.now()
    iterators.check_fresh(iterator, now)
    stream = core.repo.stream_by_pk(iterator.stream_pk)
    if stream is None:
        raise _shard_missing(iterator.stream_name, ctx.account_id, iterator.shard_index)
    shard, shards = find_shard(core, stream, iterator.shard_index, now)
    sid = shard_id(shard.index)
    if not core.throttle.admit_read(stream.pk, shard.index, now):
        core.metrics.read_throttled(stream, sid, stream.shard_metrics, now)
        raise AwsError(
            "ProvisionedThroughputExceededException",
            f"Rate exceeded for shard {sid} in stream {stream.name} under account {stream.account_id}.",
        )
    limit: int = params.get("Limit") or MAX_RECORDS
    horizon = shard_rules.trim_horizon(stream, now)
    found, tail = core.repo.read_shard(
        stream.pk, shard.index, iterator.after, max(iterator.min_arrival, horizon), limit, MAX_BYTES
    )
    if found:
        after, min_arrival = found[-1].position, 0.0
    else:
        # Nothing readable up to the newest record (trimmed, or before an AT_TIMESTAMP): skip past it.
        after, min_arrival = max(iterator.after, tail[0] if tail else iterator.after), iterator.min_arrival
    caught_up = tail is None or after >= tail[0]
    records, size = record_entries(stream, shard, found)
    core.throttle.charge_read(stream.pk, shard.index, size, now)
    age = 0.0 if caught_up or not found else max(0.0, (now - found[-1].arrival) * 1000)
    result: dict[str, Any] = {"Records": records, "MillisBehindLatest": int(age)}
    if not shard.is_open and caught_up:
        result["ChildShards"] = shard_rules.children(shards, shard.index)
    else:
        next_iterator = ShardIterator(stream.pk, stream.name, shard.index, after, min_arrival, now)
        result["NextShardIterator"] = iterators.encode(next_iterator)
    latency = (time.perf_counter() - started) * 1000
    core.metrics.get_records(stream, sid, stream.shard_metrics, now, len(records), size, latency, age)
    return result
