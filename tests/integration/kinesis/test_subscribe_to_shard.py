"""SubscribeToShard (enhanced fan-out) through boto3 over HTTP/1.1: botocore parses the event stream."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError, EventStreamError

from tests.integration.kinesis.conftest import advance
from tests.support.server import ServerProcess

SHARD = "shardId-000000000000"


@pytest.fixture
def kinesis(clock_server: ServerProcess) -> Any:
    return clock_server.client("kinesis")


def setup_stream(kinesis: Any, name: str, shards: int = 1) -> tuple[str, str]:
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="fan")["Consumer"]["ConsumerARN"]
    return arn, consumer


def subscribe(kinesis: Any, consumer: str, shard: str = SHARD, **position: Any) -> Any:
    position.setdefault("Type", "LATEST")
    response = kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId=shard, StartingPosition=position)
    return response["EventStream"]


def next_event(events: Any) -> dict[str, Any]:
    event: dict[str, Any] = next(iter(events))["SubscribeToShardEvent"]
    return event


def test_records_put_during_the_subscription_are_pushed(kinesis: Any, name: str) -> None:
    _, consumer = setup_stream(kinesis, name)
    kinesis.put_record(StreamName=name, Data=b"before", PartitionKey="k")
    events = subscribe(kinesis, consumer)
    first = next_event(events)
    assert first["Records"] == [] and first["MillisBehindLatest"] == 0
    put = kinesis.put_record(StreamName=name, Data=b"live", PartitionKey="k")
    started = time.monotonic()
    pushed = next_event(events)
    assert time.monotonic() - started < 2  # pushed on arrival, not at the next heartbeat
    assert [(r["Data"], r["PartitionKey"], r["SequenceNumber"]) for r in pushed["Records"]] == [
        (b"live", "k", put["SequenceNumber"])
    ]
    assert isinstance(pushed["Records"][0]["ApproximateArrivalTimestamp"], datetime)
    assert pushed["ContinuationSequenceNumber"] == put["SequenceNumber"]
    batch = kinesis.put_records(
        StreamName=name, Records=[{"Data": f"b{n}".encode(), "PartitionKey": "k"} for n in range(3)]
    )
    seen: list[bytes] = []
    while len(seen) < 3:
        seen += [r["Data"] for r in next_event(events)["Records"]]
    assert seen == [b"b0", b"b1", b"b2"]
    assert batch["FailedRecordCount"] == 0
    events.close()


def test_starting_positions(kinesis: Any, clock_server: ServerProcess, name: str) -> None:
    _, consumer = setup_stream(kinesis, name)
    numbers = [kinesis.put_record(StreamName=name, Data=f"r{n}".encode(), PartitionKey="k") for n in range(3)]
    first, second = numbers[0]["SequenceNumber"], numbers[1]["SequenceNumber"]
    cases: list[tuple[dict[str, Any], list[bytes]]] = [
        ({"Type": "TRIM_HORIZON"}, [b"r0", b"r1", b"r2"]),
        ({"Type": "AT_SEQUENCE_NUMBER", "SequenceNumber": second}, [b"r1", b"r2"]),
        ({"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": first}, [b"r1", b"r2"]),
        ({"Type": "AT_TIMESTAMP", "Timestamp": datetime(2000, 1, 1, tzinfo=UTC)}, [b"r0", b"r1", b"r2"]),
        ({"Type": "LATEST"}, []),
    ]
    for position, expected in cases:
        events = subscribe(kinesis, consumer, **position)
        event = next_event(events)
        assert [r["Data"] for r in event["Records"]] == expected, position
        assert event["MillisBehindLatest"] == 0
        events.close()
        advance(clock_server, 5)  # past the 5 s in which another subscription is refused
    with pytest.raises(ClientError) as raised:
        subscribe(kinesis, consumer, Type="AT_SEQUENCE_NUMBER")
    assert raised.value.response["Error"]["Code"] == "InvalidArgumentException"


def test_second_subscription_within_five_seconds_is_refused_then_takes_over(
    kinesis: Any, clock_server: ServerProcess, name: str
) -> None:
    _, consumer = setup_stream(kinesis, name)
    events = subscribe(kinesis, consumer)
    next_event(events)
    with pytest.raises(ClientError) as raised:
        subscribe(kinesis, consumer)
    error = raised.value.response["Error"]
    assert error["Code"] == "ResourceInUseException"
    assert error["Message"] == (
        f"Another active subscription exists for this consumer: 000000000000:{name}:{SHARD}:fan"
    )
    advance(clock_server, 5)
    newer = subscribe(kinesis, consumer)
    assert next_event(newer)["Records"] == []
    # The older connection fails with ResourceInUseException once taken over.
    with pytest.raises(EventStreamError) as ended:
        for _ in events:
            pass
    assert ended.value.response["Error"]["Code"] == "ResourceInUseException"
    events.close()
    newer.close()


def test_heartbeats_and_expiry_follow_the_clock(kinesis: Any, clock_server: ServerProcess, name: str) -> None:
    _, consumer = setup_stream(kinesis, name)
    events = subscribe(kinesis, consumer)
    iterator = iter(events)
    assert next(iterator)["SubscribeToShardEvent"]["Records"] == []
    advance(clock_server, 5)
    heartbeat = next(iterator)["SubscribeToShardEvent"]
    assert heartbeat["Records"] == [] and heartbeat["ContinuationSequenceNumber"]
    advance(clock_server, 300)
    assert list(iterator) == []  # the subscription ended after 5 minutes of clock time
    events.close()


def test_a_closed_shard_ends_with_its_children(kinesis: Any, name: str) -> None:
    _, consumer = setup_stream(kinesis, name)
    kinesis.put_record(StreamName=name, Data=b"parent", PartitionKey="k")
    kinesis.split_shard(StreamName=name, ShardToSplit=SHARD, NewStartingHashKey=str(2**127))
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1})
    stream = subscribe(kinesis, consumer, Type="TRIM_HORIZON")
    events = list(stream)
    stream.close()
    assert [r["Data"] for e in events for r in e["SubscribeToShardEvent"]["Records"]] == [b"parent"]
    last = events[-1]["SubscribeToShardEvent"]
    assert "ContinuationSequenceNumber" not in last
    assert sorted(c["ShardId"] for c in last["ChildShards"]) == [
        "shardId-000000000001",
        "shardId-000000000002",
    ]


def test_unknown_consumer_and_shard(kinesis: Any, name: str) -> None:
    arn, consumer = setup_stream(kinesis, name)
    for consumer_arn, shard in ((f"{arn}/consumer/nope:1", SHARD), (consumer, "shardId-000000000009")):
        with pytest.raises(ClientError) as raised:
            kinesis.subscribe_to_shard(
                ConsumerARN=consumer_arn, ShardId=shard, StartingPosition={"Type": "LATEST"}
            )
        assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_disconnecting_ends_the_subscription(kinesis: Any, name: str) -> None:
    _, consumer = setup_stream(kinesis, name)
    events = subscribe(kinesis, consumer)
    next_event(events)
    events.close()
    deadline = time.monotonic() + 3
    while True:  # the server notices the closed connection and forgets the subscription
        try:
            again = subscribe(kinesis, consumer)
            break
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ResourceInUseException"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert next_event(again)["Records"] == []
    again.close()
