"""Resharding rules: SplitShard, MergeShards and UpdateShardCount's uniform scaling, as plans of shards to
close and shards to open (storage applies a plan in one transaction).

UpdateShardCount performs splits and merges as AWS does, so every new shard has parents and consumers
can finish the old shards first; intermediate shards that a chain of operations opens and closes at once
stay listed as closed (AWS notes that scaling "may create short-lived shards").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.kinesis.core import Core, not_active
from millpond.services.kinesis.hashing import HASH_SPACE, MAX_HASH_KEY
from millpond.services.kinesis.names import StreamRef, shard_id, shard_index, stream_not_found
from millpond.services.kinesis.repository import NewShard, Shard, Stream, StreamGone, TopologyChanged
from millpond.services.kinesis.shards import by_index

MAX_SHARDS_PER_STREAM = 10_000
SCALINGS_PER_DAY = 10


@dataclass
class Plan:
    """Shards to close and to open; `next_index` is the next unused shard index."""

    next_index: int
    closing: list[int] = field(default_factory=list)
    opening: list[NewShard] = field(default_factory=list)

    def _take(self) -> int:
        self.next_index += 1
        return self.next_index - 1

    def split(self, parent: Shard | NewShard, at: int) -> tuple[NewShard, NewShard]:
        lower = NewShard(self._take(), parent.start_hash, at - 1, parent=parent.index)
        upper = NewShard(self._take(), at, parent.end_hash, parent=parent.index)
        self._close(parent)
        self.opening += [lower, upper]
        return lower, upper

    def merge(self, shard: Shard | NewShard, adjacent: Shard | NewShard) -> NewShard:
        low, high = (shard, adjacent) if shard.start_hash < adjacent.start_hash else (adjacent, shard)
        merged = NewShard(
            self._take(), low.start_hash, high.end_hash, parent=shard.index, adjacent_parent=adjacent.index
        )
        self._close(shard)
        self._close(adjacent)
        self.opening.append(merged)
        return merged

    def _close(self, shard: Shard | NewShard) -> None:
        # A shard this plan opened may close in it too: it stays listed, closed, as AWS's short-lived ones do.
        self.closing.append(shard.index)


def _not_eligible(stream: Stream, index: int) -> AwsError:
    return AwsError(
        "InvalidArgumentException",
        f"Shard {shard_id(index)} in stream {stream.name} under account {stream.account_id} has already been "
        "merged or split, and thus is not eligible for merging or splitting.",
    )


def plan_split(stream: Stream, shard: Shard, new_starting_hash_key: int) -> Plan:
    if not shard.is_open:
        raise _not_eligible(stream, shard.index)
    if not shard.start_hash + 1 < new_starting_hash_key < shard.end_hash:
        raise AwsError(
            "InvalidArgumentException",
            f"NewStartingHashKey {new_starting_hash_key} used in SplitShard() on shard "
            f"{shard_id(shard.index)} in stream {stream.name} under account {stream.account_id} is not both "
            f"greater than one plus the shard's StartingHashKey {shard.start_hash} and less than the shard's "
            f"EndingHashKey {shard.end_hash}.",
        )
    plan = Plan(stream.next_shard_index)
    plan.split(shard, new_starting_hash_key)
    return plan


def plan_merge(stream: Stream, shard: Shard, adjacent: Shard) -> Plan:
    for candidate in (shard, adjacent):
        if not candidate.is_open:
            raise _not_eligible(stream, candidate.index)
    if shard.end_hash + 1 != adjacent.start_hash and adjacent.end_hash + 1 != shard.start_hash:
        raise AwsError(
            "InvalidArgumentException",
            f"Shards {shard_id(shard.index)} and {shard_id(adjacent.index)} in stream {stream.name} under "
            f"account {stream.account_id} are not an adjacent pair of shards eligible for merging",
        )
    plan = Plan(stream.next_shard_index)
    plan.merge(shard, adjacent)
    return plan


def check_scaling(
    stream: Stream, current: int, target: int, recent_scalings: int, account_open: int, shard_limit: int
) -> None:
    """UpdateShardCount's limits: at most double, at least half, 10,000 shards, the account's shard limit
    and ten scalings in 24 hours."""

    def limit(message: str) -> AwsError:
        return AwsError(
            "LimitExceededException",
            f"{message} Current open shard count: {current}, Target shard count: {target}",
        )

    if target > MAX_SHARDS_PER_STREAM:
        raise limit(f"UpdateShardCount cannot scale up over {MAX_SHARDS_PER_STREAM} shards per stream.")
    if target > current * 2:
        raise limit("UpdateShardCount cannot scale up over double your current open shard count.")
    if target * 2 < current:
        raise limit("UpdateShardCount cannot scale down below half your current open shard count.")
    if account_open + target - current > shard_limit:
        raise limit(f"Target shard count or number of open shards cannot be greater than {shard_limit}.")
    if recent_scalings >= SCALINGS_PER_DAY:
        raise AwsError(
            "LimitExceededException",
            f"Stream {stream.name} under account {stream.account_id} has already been scaled "
            f"{SCALINGS_PER_DAY} times in the last 24 hours.",
        )


def uniform_boundaries(count: int) -> list[int]:
    """Starting hash keys of `count` evenly spread shards (the first starts at 0)."""
    step = HASH_SPACE // count
    return [i * step for i in range(count)]


def plan_uniform(stream: Stream, open_now: Sequence[Shard], target: int) -> Plan:
    """Splits at every uniform boundary inside a shard, then merges what falls in each uniform range."""
    plan = Plan(stream.next_shard_index)
    starts = uniform_boundaries(target)
    ends = [*(s - 1 for s in starts[1:]), MAX_HASH_KEY]
    pieces: list[Shard | NewShard] = []
    for shard in sorted(open_now, key=lambda s: s.start_hash):
        current: Shard | NewShard = shard
        for boundary in starts:
            if current.start_hash < boundary <= current.end_hash:
                lower, current = plan.split(current, boundary)
                pieces.append(lower)
        pieces.append(current)
    for start, end in zip(starts, ends, strict=True):
        group = [p for p in pieces if start <= p.start_hash and p.end_hash <= end]
        merged = group[0]
        for piece in group[1:]:
            merged = plan.merge(merged, piece)
    return plan


# -- the operations ------------------------------------------------------------------------------------------


def _open_shard(core: Core, stream: Stream, given: str) -> Shard:
    index = shard_index(given)
    found = None if index is None else by_index(core.repo.shards(stream.pk), index)
    if found is None:
        raise AwsError(
            "ResourceNotFoundException",
            f"Could not find shard {given} in stream {stream.name} under account {stream.account_id}.",
        )
    return found


async def _apply(core: Core, stream: Stream, plan: Plan, **changes: object) -> None:
    status, settles_at = core.settling("UPDATING")
    try:
        await core.repo.reshard(
            stream.pk,
            stream.shard_epoch,
            plan.closing,
            plan.opening,
            core.now(),
            status=status,
            settles_at=settles_at,
            **changes,
        )
    except TopologyChanged:
        raise not_active(stream, "UPDATING") from None
    except StreamGone:
        raise stream_not_found(StreamRef(stream.account_id, stream.region, stream.name)) from None


def _check_shard_limit(core: Core, stream: Stream, added: int) -> None:
    open_count, _ = core.repo.count_shards(stream.account_id, stream.region)
    limit = core.shard_limit(stream.region)
    if open_count + added > limit:
        raise AwsError(
            "LimitExceededException",
            f"This request would exceed the shard limit for the account {stream.account_id} in "
            f"{stream.region}. Current shard count for the account: {open_count}. Limit: {limit}. Number of "
            f"additional shards that would have resulted from this request: {added}. Refer to the AWS "
            "Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for "
            "current limits and how to request higher limits.",
        )


async def split_shard(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    core.require_provisioned(stream)
    shard = _open_shard(core, stream, params["ShardToSplit"])
    key = int(params["NewStartingHashKey"])
    core.require_active(stream)
    _check_shard_limit(core, stream, 1)
    await _apply(core, stream, plan_split(stream, shard, key))
    return {}


async def merge_shards(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    core.require_provisioned(stream)
    shard = _open_shard(core, stream, params["ShardToMerge"])
    adjacent = _open_shard(core, stream, params["AdjacentShardToMerge"])
    core.require_active(stream)
    await _apply(core, stream, plan_merge(stream, shard, adjacent))
    return {}


async def update_shard_count(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    core.require_provisioned(stream)
    core.require_active(stream)
    target: int = params["TargetShardCount"]
    current = [s for s in core.repo.shards(stream.pk) if s.is_open]
    now = core.now()
    recent = tuple(t for t in stream.scalings if t > now - 86400)
    open_count, _ = core.repo.count_shards(stream.account_id, stream.region)
    check_scaling(stream, len(current), target, len(recent), open_count, core.shard_limit(stream.region))
    if target != len(current):
        await _apply(core, stream, plan_uniform(stream, current, target), scalings=(*recent, now))
    return {
        "StreamName": stream.name,
        "CurrentShardCount": len(current),
        "TargetShardCount": target,
        "StreamARN": stream.arn,
    }
