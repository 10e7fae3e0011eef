"""Kinesis across a SIGKILL, on the virtual clock (iterator expiry, retention), and with the opt-in settings
(CREATING delay, per-shard throughput limits)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.kinesis.conftest import advance, read_shard
from tests.support.server import ServerProcess, make_server

S0 = "shardId-000000000000"


def test_acknowledged_records_survive_sigkill_in_their_original_order(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = make_server(tmp_path, "--data-dir", str(data)).start()
    kinesis = server.client("kinesis")
    kinesis.create_stream(StreamName="durable", ShardCount=3)
    acknowledged: dict[str, list[tuple[str, bytes]]] = {}
    for batch in range(4):
        entries = [{"Data": os.urandom(16), "PartitionKey": f"key-{batch}-{n}"} for n in range(100)]
        result = kinesis.put_records(StreamName="durable", Records=entries)
        for entry, put in zip(entries, result["Records"], strict=True):
            acknowledged.setdefault(put["ShardId"], []).append((put["SequenceNumber"], entry["Data"]))
    single = kinesis.put_record(StreamName="durable", Data=b"last", PartitionKey="k")
    acknowledged[single["ShardId"]].append((single["SequenceNumber"], b"last"))
    server.kill()

    restarted = make_server(tmp_path, "--data-dir", str(data), port=server.port).start()
    try:
        kinesis = restarted.client("kinesis")
        assert sum(len(records) for records in acknowledged.values()) == 401
        for shard, records in acknowledged.items():
            read = read_shard(kinesis, "durable", shard)
            assert [(r["SequenceNumber"], r["Data"]) for r in read] == records
        after = kinesis.put_record(StreamName="durable", Data=b"after", PartitionKey="k")
        assert int(after["SequenceNumber"]) > int(single["SequenceNumber"])
    finally:
        restarted.stop()


def test_iterators_expire_after_five_minutes_of_clock(clock_server: ServerProcess, name: str) -> None:
    kinesis = clock_server.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k")
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=S0, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    advance(clock_server, 299)
    page = kinesis.get_records(ShardIterator=iterator)
    assert [r["Data"] for r in page["Records"]] == [b"x"]
    advance(clock_server, 2)
    with pytest.raises(ClientError) as raised:
        kinesis.get_records(ShardIterator=iterator)
    error = raised.value.response["Error"]
    assert error["Code"] == "ExpiredIteratorException"
    assert error["Message"].startswith("Iterator expired. The iterator was created at time ")
    assert error["Message"].endswith("further in the future than the tolerated delay of 300000 milliseconds.")
    assert kinesis.get_records(ShardIterator=page["NextShardIterator"])["Records"] == []


def test_records_past_retention_are_trimmed_and_trim_horizon_moves(
    clock_server: ServerProcess, name: str
) -> None:
    kinesis = clock_server.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.put_record(StreamName=name, Data=b"day-1", PartitionKey="k")
    advance(clock_server, 20 * 3600)
    kinesis.put_record(StreamName=name, Data=b"day-2", PartitionKey="k")
    advance(clock_server, 4 * 3600 + 1)
    assert [r["Data"] for r in read_shard(kinesis, name, S0)] == [b"day-2"]
    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    assert [r["Data"] for r in read_shard(kinesis, name, S0)] == [b"day-2"]  # trimmed data stays gone
    advance(clock_server, 30 * 3600)
    assert [r["Data"] for r in read_shard(kinesis, name, S0)] == [b"day-2"]
    kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
    assert read_shard(kinesis, name, S0) == []


@pytest.fixture(scope="module")
def settings_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = make_server(
        tmp_path_factory.mktemp("millpond-kinesis-settings"),
        "--in-memory",
        MILLPOND_KINESIS_CREATE_DELAY="30",
        MILLPOND_KINESIS_ENFORCE_LIMITS="1",
    ).start()
    yield process
    process.stop()


def describe(kinesis: Any, name: str) -> str:
    return str(kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"])


def test_a_create_delay_keeps_the_stream_creating_until_the_clock_passes_it(
    settings_server: ServerProcess, name: str
) -> None:
    kinesis = settings_server.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    assert describe(kinesis, name) == "CREATING"
    with pytest.raises(ClientError) as raised:
        kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    advance(settings_server, 30)
    assert describe(kinesis, name) == "ACTIVE"
    kinesis.split_shard(StreamName=name, ShardToSplit=S0, NewStartingHashKey=str(2**127))
    assert describe(kinesis, name) == "UPDATING"
    advance(settings_server, 30)
    assert describe(kinesis, name) == "ACTIVE"


def test_put_records_over_a_shards_limit_fails_record_by_record(
    settings_server: ServerProcess, name: str
) -> None:
    kinesis = settings_server.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    advance(settings_server, 30)
    entries = [{"Data": b"x" * 4000, "PartitionKey": f"k{n}"} for n in range(400)]
    result = kinesis.put_records(StreamName=name, Records=entries)
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
    outcomes = ["ok" if "SequenceNumber" in r else r["ErrorCode"] for r in result["Records"]]
    accepted = outcomes.count("ok")
    assert 0 < accepted < 400 and result["FailedRecordCount"] == 400 - accepted
    assert set(outcomes[accepted:]) == {
        "ProvisionedThroughputExceededException"
    }  # in order: the first ones fit
    failure = result["Records"][-1]
    assert (
        failure["ErrorMessage"]
        == f"Rate exceeded for shard {S0} in stream {name} under account 000000000000."
    )
    advance(settings_server, 1)  # a second later the shard's mebibyte is back
    kinesis.put_record(StreamName=name, Data=b"x" * 1_000_000, PartitionKey="k")
