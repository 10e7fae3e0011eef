"""Shards as AWS shows them: ids, hash and sequence ranges, lineage, and which ones a listing includes.

A closed shard stays listed until its data has aged past retention (it closed before the trim horizon);
storage drops such shards lazily, so every listing filters them here as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from millpond.errors import AwsError
from millpond.services.kinesis import sequence
from millpond.services.kinesis.names import shard_id
from millpond.services.kinesis.repository import Shard, Stream


def effective_status(stream: Stream, now: float) -> str:
    """CREATING and UPDATING last until settles_at; then the stream is ACTIVE."""
    if stream.status in ("CREATING", "UPDATING") and now >= stream.settles_at:
        return "ACTIVE"
    return stream.status


def trim_horizon(stream: Stream, now: float) -> float:
    """Records that arrived before this are past retention."""
    return now - stream.retention_hours * 3600


def retained(shards: Iterable[Shard], horizon: float) -> list[Shard]:
    return [s for s in shards if s.closed_at is None or s.closed_at >= horizon]


def hash_range(shard: Shard) -> dict[str, str]:
    return {"StartingHashKey": str(shard.start_hash), "EndingHashKey": str(shard.end_hash)}


def starting_sequence(stream: Stream, shard: Shard) -> str:
    return sequence.encode(stream.created_at, shard.index, shard.starting_position, shard.created_at)


def describe(stream: Stream, shard: Shard) -> dict[str, Any]:
    numbers: dict[str, str] = {"StartingSequenceNumber": starting_sequence(stream, shard)}
    if shard.ending_position is not None:
        closed = shard.closed_at if shard.closed_at is not None else shard.created_at
        numbers["EndingSequenceNumber"] = sequence.encode(
            stream.created_at, shard.index, shard.ending_position, closed
        )
    described: dict[str, Any] = {"ShardId": shard_id(shard.index)}
    if shard.parent is not None:
        described["ParentShardId"] = shard_id(shard.parent)
    if shard.adjacent_parent is not None:
        described["AdjacentParentShardId"] = shard_id(shard.adjacent_parent)
    described["HashKeyRange"] = hash_range(shard)
    described["SequenceNumberRange"] = numbers
    return described


def children(shards: Sequence[Shard], parent: int) -> list[dict[str, Any]]:
    """ChildShards of a closed shard, as GetRecords returns them at its end."""
    found = []
    for shard in shards:
        if parent in (shard.parent, shard.adjacent_parent):
            parents = [shard_id(p) for p in (shard.parent, shard.adjacent_parent) if p is not None]
            found.append(
                {"ShardId": shard_id(shard.index), "ParentShards": parents, "HashKeyRange": hash_range(shard)}
            )
    return found


def by_index(shards: Sequence[Shard], index: int) -> Shard | None:
    for shard in shards:
        if shard.index == index:
            return shard
    return None


def open_shards(shards: Iterable[Shard]) -> list[Shard]:
    return [s for s in shards if s.is_open]


def filtered(
    shards: Sequence[Shard],
    filter_type: str,
    after_index: int | None,
    timestamp: float | None,
    horizon: float,
) -> list[Shard]:
    """Shards a ListShards ShardFilter selects (from the retained ones)."""
    if filter_type == "AFTER_SHARD_ID":
        if after_index is None:
            raise AwsError(
                "InvalidArgumentException", "Must specify ShardId in ShardFilter when Type is AFTER_SHARD_ID."
            )
        return [s for s in shards if s.index > after_index]
    if filter_type in ("AT_TRIM_HORIZON", "FROM_TRIM_HORIZON"):
        return list(shards)
    if filter_type == "AT_LATEST":
        return open_shards(shards)
    if filter_type in ("AT_TIMESTAMP", "FROM_TIMESTAMP"):
        if timestamp is None:
            raise AwsError(
                "InvalidArgumentException",
                f"Must specify Timestamp in ShardFilter when Type is {filter_type}.",
            )
        when = max(timestamp, horizon)
        if filter_type == "AT_TIMESTAMP":
            # Open at that moment: created no later, and still open or closed no earlier.
            return [
                s for s in shards if s.created_at <= when and (s.closed_at is None or s.closed_at >= when)
            ]
        return [s for s in shards if s.closed_at is None or s.closed_at >= when]
    raise AwsError("InvalidArgumentException", f"Invalid ShardFilter type {filter_type}.")
