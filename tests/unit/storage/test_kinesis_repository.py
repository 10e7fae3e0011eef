"""The Kinesis repository's contract on every backend: positions, range reads, resharding, trimming."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from millpond.services.kinesis.repository import (
    Consumer,
    ConsumerExists,
    NewShard,
    Stream,
    StreamExists,
    StreamGone,
    TopologyChanged,
)
from millpond.storage import kinesis_records
from millpond.storage.engine import Engine
from millpond.storage.kinesis import SqliteKinesisRepository
from tests.unit.storage.conftest import Backend

HALF = 2**127

STREAM = Stream(
    pk=0,
    account_id="000000000000",
    region="us-east-1",
    name="orders",
    created_at=1000.0,
    status="ACTIVE",
    settles_at=1000.0,
    mode="PROVISIONED",
    retention_hours=24,
    encryption_type="NONE",
    key_id=None,
    shard_metrics=("IncomingBytes",),
    max_record_kib=1024,
    warm_throughput=None,
    next_shard_index=2,
    shard_epoch=0,
    mode_changes=(),
    scalings=(5.0,),
)
TWO = [NewShard(0, 0, HALF - 1), NewShard(1, HALF, 2**128 - 1)]


def clock(value: float = 2000.0) -> Callable[[], float]:
    return lambda: value


async def started(backend: Backend) -> tuple[Engine, SqliteKinesisRepository]:
    engine = backend.engine()
    await engine.start()
    return engine, SqliteKinesisRepository(engine)


async def test_streams_are_created_found_listed_and_unique(backend: Backend) -> None:
    engine, repo = await started(backend)
    try:
        created = await repo.create_stream(STREAM, TWO, {"team": "a"})
        assert created == dataclasses.replace(STREAM, pk=created.pk)
        assert repo.find_stream("000000000000", "us-east-1", "orders") == created
        assert repo.find_stream("000000000000", "eu-west-1", "orders") is None
        with pytest.raises(StreamExists):
            await repo.create_stream(STREAM, TWO, {})
        await repo.create_stream(dataclasses.replace(STREAM, name="audit"), TWO, {})
        assert [s.name for s in repo.list_streams("000000000000", "us-east-1", None, 10)] == [
            "audit",
            "orders",
        ]
        assert [s.name for s in repo.list_streams("000000000000", "us-east-1", "audit", 10)] == ["orders"]
        assert repo.count_shards("000000000000", "us-east-1") == (4, 0)
        assert repo.tags(created.arn) == {"team": "a"}
        shards = repo.shards(created.pk)
        assert [(s.index, s.start_hash, s.end_hash, s.is_open) for s in shards] == [
            (0, 0, HALF - 1, True),
            (1, HALF, 2**128 - 1, True),
        ]
    finally:
        await engine.close()


async def test_positions_are_consecutive_and_reads_are_ranges(backend: Backend) -> None:
    engine, repo = await started(backend)
    try:
        pk = (await repo.create_stream(STREAM, TWO, {})).pk
        first, arrival = await repo.put_records(
            pk, 0, [(0, "a", b"1"), (1, "b", b"2"), (0, "c", b"3")], clock()
        )
        assert arrival == 2000.0
        second, _ = await repo.put_records(pk, 0, [(0, "d", b"4")], clock(2001.0))
        assert second == first + 3
        assert repo.current_position() == second
        records = repo.read_records(pk, 0, 0, 0.0, 100, 10**7)
        assert [(r.position, r.partition_key, r.data) for r in records] == [
            (first, "a", b"1"),
            (first + 2, "c", b"3"),
            (second, "d", b"4"),
        ]
        assert [r.data for r in repo.read_records(pk, 0, first, 0.0, 100, 10**7)] == [b"3", b"4"]
        assert [r.data for r in repo.read_records(pk, 0, 0, 2000.5, 100, 10**7)] == [b"4"]
        assert [r.data for r in repo.read_records(pk, 0, 0, 0.0, 1, 10**7)] == [b"1"]
        assert [r.data for r in repo.read_records(pk, 0, 0, 0.0, 100, 3)] == [b"1"]
        assert [r.data for r in repo.read_records(pk, 0, 0, 0.0, 100, 4)] == [b"1", b"3"]
        assert [r.data for r in repo.read_records(pk, 0, 0, 0.0, 100, 1)] == [b"1"]
        assert repo.shard_tail(pk, 0) == (second, 2001.0)
        assert repo.shard_tail(pk, 1) == (first + 1, 2000.0)
        assert repo.read_shard(pk, 0, first, 0.0, 100, 10**7) == (records[1:], (second, 2001.0))
    finally:
        await engine.close()


async def test_reading_a_shard_is_an_index_range_scan(backend: Backend) -> None:
    engine, _ = await started(backend)
    try:
        plan = engine.read(
            lambda conn: conn.execute(
                "EXPLAIN QUERY PLAN SELECT position, arrival, partition_key, data FROM kinesis_records "
                "WHERE stream_pk = ? AND shard_index = ? AND position > ? AND arrival >= ? ORDER BY "
                "position LIMIT ?",
                (1, 0, 0, 0.0, 10),
            ).fetchall()
        )
        details = " ".join(row[-1] for row in plan)
        assert "SEARCH kinesis_records USING INDEX kinesis_records_by_shard" in details
        assert "position>?" in details and "TEMP B-TREE" not in details
    finally:
        await engine.close()


async def test_reshard_closes_and_opens_at_the_counter_and_guards_the_epoch(backend: Backend) -> None:
    engine, repo = await started(backend)
    try:
        pk = (await repo.create_stream(STREAM, TWO, {})).pk
        at, _ = await repo.put_records(pk, 0, [(0, "a", b"1")], clock())
        children = [NewShard(2, 0, 99, parent=0), NewShard(3, 100, HALF - 1, parent=0)]
        await repo.reshard(pk, 0, [0, 2], children, 3000.0, status="UPDATING", settles_at=3001.0)
        shards = {s.index: s for s in repo.shards(pk)}
        assert (shards[0].ending_position, shards[0].closed_at) == (at, 3000.0)
        # A shard opened and closed by the same plan ends where it starts.
        assert (shards[2].starting_position, shards[2].ending_position) == (at, at)
        assert shards[3].is_open and shards[3].parent == 0
        stream = repo.stream_by_pk(pk)
        assert stream is not None
        assert (stream.shard_epoch, stream.next_shard_index, stream.status) == (1, 4, "UPDATING")
        with pytest.raises(TopologyChanged):
            await repo.put_records(pk, 0, [(0, "a", b"late")], clock())
        with pytest.raises(TopologyChanged):
            await repo.reshard(pk, 0, [], [], 3000.0)
    finally:
        await engine.close()


async def test_trim_drops_old_records_and_expired_closed_shards_but_the_counter_keeps_growing(
    backend: Backend,
) -> None:
    engine, repo = await started(backend)
    try:
        pk = (await repo.create_stream(STREAM, TWO, {})).pk
        await repo.put_records(pk, 0, [(0, "a", b"old"), (1, "b", b"old")], clock(100.0))
        last, _ = await repo.put_records(pk, 0, [(1, "c", b"new")], clock(200.0))
        await repo.reshard(pk, 0, [0], [NewShard(2, 0, HALF - 1, parent=0)], 150.0)
        assert await repo.trim([(pk, 160.0)]) == 2
        assert [r.data for r in repo.read_records(pk, 1, 0, 0.0, 10, 10**7)] == [b"new"]
        assert [s.index for s in repo.shards(pk)] == [1, 2]
        assert await repo.trim([(pk, 300.0)]) == 1
        following, _ = await repo.put_records(pk, 1, [(1, "d", b"next")], clock(400.0))
        assert following == last + 1
    finally:
        await engine.close()


async def test_trim_works_in_bounded_transactions_and_keeps_what_is_newer(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kinesis_records, "TRIM_CHUNK", 7)
    engine, repo = await started(backend)
    try:
        pk = (await repo.create_stream(STREAM, TWO, {})).pk
        await repo.put_records(pk, 0, [(i % 2, str(i), b"old") for i in range(40)], clock(100.0))
        await repo.put_records(pk, 0, [(0, "n", b"new"), (1, "m", b"new")], clock(200.0))
        writes = 0
        write = engine.write

        async def counting(fn: Callable[..., object]) -> object:
            nonlocal writes
            writes += 1
            return await write(fn)  # type: ignore[arg-type]

        monkeypatch.setattr(engine, "write", counting)
        assert await repo.trim([(pk, 150.0)]) == 40
        assert writes >= 3  # 20 a shard, 7 at a time
        for shard in (0, 1):
            assert [r.data for r in repo.read_records(pk, shard, 0, 0.0, 100, 10**7)] == [b"new"]
    finally:
        await engine.close()


async def test_delete_removes_everything_of_the_stream(backend: Backend) -> None:
    engine, repo = await started(backend)
    try:
        stream = await repo.create_stream(STREAM, TWO, {"a": "1"})
        other = await repo.create_stream(dataclasses.replace(STREAM, name="other"), TWO, {"b": "2"})
        await repo.put_records(stream.pk, 0, [(0, "a", b"1")], clock())
        await repo.put_records(other.pk, 0, [(0, "a", b"1")], clock())
        consumer = Consumer("c", stream.arn + "/consumer/c:1", 1.0, "ACTIVE", 1.0)
        await repo.add_consumer(stream.pk, consumer)
        await repo.put_policy(stream.arn, stream.pk, "{}")
        await repo.delete_stream(stream.pk)
        assert repo.stream_by_pk(stream.pk) is None
        assert repo.shards(stream.pk) == [] and repo.consumers(stream.pk) == []
        assert repo.tags(stream.arn) == {} and repo.policy(stream.arn) is None
        assert len(repo.read_records(other.pk, 0, 0, 0.0, 10, 10**7)) == 1
        with pytest.raises(StreamGone):
            await repo.put_records(stream.pk, 0, [(0, "a", b"x")], clock())
    finally:
        await engine.close()


async def test_tags_consumers_policies_and_settings(backend: Backend) -> None:
    engine, repo = await started(backend)
    try:
        stream = await repo.create_stream(STREAM, TWO, {})
        await repo.put_tags(stream.arn, stream.pk, {"b": "2", "a": "1"})
        await repo.put_tags(stream.arn, stream.pk, {"a": "one"})
        await repo.remove_tags(stream.arn, ["b", "missing"])
        assert repo.tags(stream.arn) == {"a": "one"}
        consumer = Consumer("c1", stream.arn + "/consumer/c1:1", 1.0, "CREATING", 1.0)
        await repo.add_consumer(stream.pk, consumer)
        with pytest.raises(ConsumerExists):
            await repo.add_consumer(stream.pk, consumer)
        await repo.put_tags(consumer.arn, stream.pk, {"x": "y"})
        await repo.put_policy(consumer.arn, stream.pk, '{"Version": "2012-10-17"}')
        assert repo.consumers(stream.pk) == [consumer]
        await repo.remove_consumer(stream.pk, "c1")
        assert (
            repo.consumers(stream.pk) == []
            and repo.tags(consumer.arn) == {}
            and repo.policy(consumer.arn) is None
        )
        await repo.put_account_setting("000000000000", "us-east-1", "k", "v1")
        await repo.put_account_setting("000000000000", "us-east-1", "k", "v2")
        assert repo.account_setting("000000000000", "us-east-1", "k") == "v2"
        updated = await repo.update_stream(
            stream.pk, shard_metrics=("ALL",), key_id="k", encryption_type="KMS"
        )
        assert (updated.shard_metrics, updated.key_id, updated.encryption_type) == (("ALL",), "k", "KMS")
        with pytest.raises(ValueError):
            await repo.update_stream(stream.pk, name="renamed")
    finally:
        await engine.close()


async def test_acknowledged_records_survive_a_reopen(backend: Backend) -> None:
    if not backend.is_file:
        pytest.skip("a memory database does not outlive its engine")
    engine, repo = await started(backend)
    pk = (await repo.create_stream(STREAM, TWO, {})).pk
    first, _ = await repo.put_records(pk, 0, [(0, "a", b"1"), (0, "b", b"2")], clock())
    await engine.close()
    engine, repo = await started(backend)
    try:
        assert [r.position for r in repo.read_records(pk, 0, 0, 0.0, 10, 10**7)] == [first, first + 1]
        assert (await repo.put_records(pk, 0, [(0, "c", b"3")], clock()))[0] == first + 2
    finally:
        await engine.close()
