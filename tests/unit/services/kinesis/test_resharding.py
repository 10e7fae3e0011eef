"""Resharding plans: split and merge rules, and uniform scaling as a chain of splits and merges."""

from __future__ import annotations

import pytest

from millpond.errors import AwsError
from millpond.services.kinesis.hashing import MAX_HASH_KEY, even_ranges
from millpond.services.kinesis.repository import NewShard, Shard, Stream
from millpond.services.kinesis.resharding import Plan, check_scaling, plan_merge, plan_split, plan_uniform


def stream(next_index: int) -> Stream:
    return Stream(
        pk=1,
        account_id="000000000000",
        region="us-east-1",
        name="s",
        created_at=0.0,
        status="ACTIVE",
        settles_at=0.0,
        mode="PROVISIONED",
        retention_hours=24,
        encryption_type="NONE",
        key_id=None,
        shard_metrics=(),
        max_record_kib=1024,
        warm_throughput=None,
        next_shard_index=next_index,
        shard_epoch=0,
        mode_changes=(),
        scalings=(),
    )


def shard(index: int, start: int, end: int, closed: bool = False) -> Shard:
    return Shard(index, None, None, start, end, 0, 5 if closed else None, 0.0, 1.0 if closed else None)


def shards(count: int) -> list[Shard]:
    return [shard(i, start, end) for i, (start, end) in enumerate(even_ranges(count))]


def after(plan: Plan, before: list[Shard]) -> list[tuple[int, int]]:
    """The open hash ranges once the plan is applied."""
    closing = set(plan.closing)
    ranges = [(s.start_hash, s.end_hash) for s in before if s.index not in closing]
    ranges += [(s.start_hash, s.end_hash) for s in plan.opening if s.index not in closing]
    return sorted(ranges)


def test_split_gives_two_children_with_the_next_indexes() -> None:
    plan = plan_split(stream(2), shards(2)[0], 1000)
    assert plan.closing == [0]
    assert plan.opening == [NewShard(2, 0, 999, parent=0), NewShard(3, 1000, 2**127 - 1, parent=0)]


@pytest.mark.parametrize("key", [0, 1, 2**127 - 1, 2**127])
def test_split_key_must_be_inside_the_shard(key: int) -> None:
    with pytest.raises(AwsError) as raised:
        plan_split(stream(2), shards(2)[0], key)
    assert raised.value.code == "InvalidArgumentException"
    assert "is not both greater than one plus the shard's StartingHashKey 0" in raised.value.message


def test_a_closed_shard_cannot_be_split_or_merged() -> None:
    closed = shard(0, 0, 2**127 - 1, closed=True)
    with pytest.raises(AwsError, match="has already been merged or split"):
        plan_split(stream(2), closed, 2**126)
    with pytest.raises(AwsError, match="has already been merged or split"):
        plan_merge(stream(2), closed, shards(2)[1])


def test_merge_needs_adjacent_shards_and_names_both_parents() -> None:
    three = shards(3)
    with pytest.raises(AwsError, match="are not an adjacent pair of shards eligible for merging"):
        plan_merge(stream(3), three[0], three[2])
    plan = plan_merge(stream(3), three[2], three[1])
    merged = plan.opening[0]
    assert (merged.parent, merged.adjacent_parent) == (2, 1)
    assert (merged.start_hash, merged.end_hash) == (three[1].start_hash, MAX_HASH_KEY)


@pytest.mark.parametrize(
    ("current", "target"), [(1, 2), (2, 4), (3, 4), (4, 3), (4, 2), (5, 3), (3, 5), (7, 10)]
)
def test_uniform_scaling_ends_with_even_ranges_and_every_new_shard_has_a_parent(
    current: int, target: int
) -> None:
    before = shards(current)
    plan = plan_uniform(stream(current), before, target)
    assert after(plan, before) == even_ranges(target)
    assert all(s.parent is not None for s in plan.opening)
    assert all(s.index >= current for s in plan.opening)


def test_scaling_limits() -> None:
    check_scaling(stream(2), 2, 4, 0, 2, 500)
    with pytest.raises(AwsError, match="cannot scale up over double"):
        check_scaling(stream(2), 2, 5, 0, 2, 500)
    with pytest.raises(AwsError, match="cannot scale down below half"):
        check_scaling(stream(5), 5, 2, 0, 5, 500)
    with pytest.raises(AwsError, match="cannot be greater than 10"):
        check_scaling(stream(8), 8, 12, 0, 8, 10)
    with pytest.raises(AwsError, match="10 times in the last 24 hours") as raised:
        check_scaling(stream(2), 2, 3, 10, 2, 500)
    assert raised.value.code == "LimitExceededException"
