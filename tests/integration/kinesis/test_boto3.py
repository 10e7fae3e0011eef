"""Kinesis through boto3 against a real millpond: streams, routing, every iterator type, resharding."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.kinesis.conftest import read_shard, shard_for
from tests.support.server import ServerProcess

S = [f"shardId-{i:012d}" for i in range(8)]


@pytest.fixture
def kinesis(server: ServerProcess) -> Any:
    return server.client("kinesis")


def error_of(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error: dict[str, Any] = raised.value.response["Error"]
    error["Status"] = raised.value.response["ResponseMetadata"]["HTTPStatusCode"]
    return error


def test_create_stream_is_active_for_the_waiter_at_once(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=2)
    started = time.monotonic()
    kinesis.get_waiter("stream_exists").wait(StreamName=name)
    assert time.monotonic() - started < 5  # the waiter would sleep 10 s if the stream were still CREATING
    description = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert description["StreamStatus"] == "ACTIVE"
    assert description["StreamARN"] == f"arn:aws:kinesis:us-east-1:000000000000:stream/{name}"
    assert [s["HashKeyRange"] for s in description["Shards"]] == [
        {"StartingHashKey": "0", "EndingHashKey": str(2**127 - 1)},
        {"StartingHashKey": str(2**127), "EndingHashKey": str(2**128 - 1)},
    ]
    assert description["RetentionPeriodHours"] == 24 and not description["HasMoreShards"]
    by_arn = kinesis.describe_stream_summary(StreamARN=description["StreamARN"])["StreamDescriptionSummary"]
    assert (by_arn["StreamName"], by_arn["OpenShardCount"], by_arn["StreamModeDetails"]) == (
        name,
        2,
        {"StreamMode": "PROVISIONED"},
    )
    assert name in kinesis.list_streams()["StreamNames"]
    error = error_of(kinesis.create_stream, StreamName=name, ShardCount=1)
    assert (error["Code"], error["Message"]) == (
        "ResourceInUseException",
        f"Stream {name} under account 000000000000 already exists.",
    )
    kinesis.delete_stream(StreamName=name)
    kinesis.get_waiter("stream_not_exists").wait(StreamName=name)


def test_on_demand_streams_start_with_four_shards(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert (summary["StreamModeDetails"]["StreamMode"], summary["OpenShardCount"]) == ("ON_DEMAND", 4)
    error = error_of(kinesis.split_shard, StreamName=name, ShardToSplit=S[0], NewStartingHashKey="10")
    assert error["Code"] == "ValidationException"
    kinesis.update_stream_mode(
        StreamARN=summary["StreamARN"], StreamModeDetails={"StreamMode": "PROVISIONED"}
    )
    kinesis.split_shard(StreamName=name, ShardToSplit=S[0], NewStartingHashKey="10")
    kinesis.delete_stream(StreamName=name)


def test_put_record_goes_to_the_shard_md5_of_the_key_picks(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=4)
    keys = ["user-1", "user-2", "order-17", "ünïcødé", "x" * 256, "a", "b", "c"]
    for key in keys:
        put = kinesis.put_record(StreamName=name, Data=key.encode(), PartitionKey=key)
        assert put["ShardId"] == shard_for(key, 4), key
        assert len(put["SequenceNumber"]) == 56
    assert shard_for("user-1", 4) == S[3]  # aws-facts §3.2's worked example
    explicit = kinesis.put_record(StreamName=name, Data=b"e", PartitionKey="user-1", ExplicitHashKey="0")
    assert explicit["ShardId"] == S[0]
    error = error_of(
        kinesis.put_record, StreamName=name, Data=b"e", PartitionKey="k", ExplicitHashKey=str(2**128)
    )
    assert error["Code"] == "InvalidArgumentException"
    assert error["Message"].startswith(
        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]."
    )


def test_every_iterator_type_reads_each_shard_in_order(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=2)
    sent: dict[str, list[bytes]] = {S[0]: [], S[1]: []}
    numbers: dict[str, list[str]] = {S[0]: [], S[1]: []}
    for n in range(40):
        key = f"key-{n % 7}"
        put = kinesis.put_record(StreamName=name, Data=f"record-{n}".encode(), PartitionKey=key)
        sent[put["ShardId"]].append(f"record-{n}".encode())
        numbers[put["ShardId"]].append(put["SequenceNumber"])
    for shard in (S[0], S[1]):
        everything = read_shard(kinesis, name, shard)
        assert [r["Data"] for r in everything] == sent[shard]
        assert [r["SequenceNumber"] for r in everything] == numbers[shard]
        assert [int(n) for n in numbers[shard]] == sorted(int(n) for n in numbers[shard])
        middle = len(everything) // 2
        at = read_shard(
            kinesis, name, shard, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=numbers[shard][middle]
        )
        assert [r["Data"] for r in at] == sent[shard][middle:]
        after = read_shard(
            kinesis, name, shard, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=numbers[shard][middle]
        )
        assert [r["Data"] for r in after] == sent[shard][middle + 1 :]
        when = everything[middle]["ApproximateArrivalTimestamp"]
        stamped = read_shard(kinesis, name, shard, "AT_TIMESTAMP", Timestamp=when)
        first = next(i for i, r in enumerate(everything) if r["ApproximateArrivalTimestamp"] >= when)
        assert [r["Data"] for r in stamped] == sent[shard][first:] and first <= middle
        latest = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="LATEST")[
            "ShardIterator"
        ]
        assert kinesis.get_records(ShardIterator=latest)["Records"] == []
    late = kinesis.put_record(StreamName=name, Data=b"late", PartitionKey="key-0")
    assert [r["Data"] for r in read_shard(kinesis, name, late["ShardId"])][-1] == b"late"


def test_get_records_limit_paging_and_errors(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.put_records(
        StreamName=name, Records=[{"Data": bytes([n]), "PartitionKey": "k"} for n in range(25)]
    )
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=S[0], ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    pages = []
    while True:
        page = kinesis.get_records(ShardIterator=iterator, Limit=10)
        pages.append([r["Data"][0] for r in page["Records"]])
        iterator = page["NextShardIterator"]
        if not page["Records"]:
            break
        assert page["MillisBehindLatest"] >= 0
    assert pages == [list(range(10)), list(range(10, 20)), list(range(20, 25)), []]
    error = error_of(kinesis.get_records, ShardIterator="bm90IGFuIGl0ZXJhdG9y")
    assert (error["Code"], error["Message"], error["Status"]) == (
        "InvalidArgumentException",
        "Invalid ShardIterator.",
        400,
    )
    error = error_of(kinesis.get_records, ShardIterator=iterator, Limit=10001)
    assert error["Code"] == "ValidationException" and "less than or equal to 10000" in error["Message"]
    error = error_of(kinesis.get_shard_iterator, StreamName=name, ShardId=S[5], ShardIteratorType="LATEST")
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException",
        f"Shard {S[5]} in stream {name} under account 000000000000 does not exist",
    )
    error = error_of(kinesis.describe_stream, StreamName="no-such-stream")
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException",
        "Stream no-such-stream under account 000000000000 not found.",
    )


def test_put_records_is_one_result_per_record_in_order(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=3)
    records = [{"Data": f"{n}".encode(), "PartitionKey": f"p{n}"} for n in range(500)]
    result = kinesis.put_records(StreamName=name, Records=records)
    assert result["FailedRecordCount"] == 0 and len(result["Records"]) == 500
    assert [r["ShardId"] for r in result["Records"]] == [shard_for(f"p{n}", 3) for n in range(500)]
    error = error_of(
        kinesis.put_records,
        StreamName=name,
        Records=[
            {"Data": b"ok", "PartitionKey": "a"},
            {"Data": b"bad", "PartitionKey": "b", "ExplicitHashKey": "-1"},
        ],
    )
    assert error["Code"] == "ValidationException"  # a malformed entry fails the whole request
    assert "records.2.member.explicitHashKey" in error["Message"]
    assert sum(len(read_shard(kinesis, name, s)) for s in S[:3]) == 500


def walk(kinesis: Any, stream: str) -> list[bytes]:
    """Read every shard parents-first, as the KCL does, following ChildShards from each closed shard's end."""
    shards = kinesis.list_shards(StreamName=stream)["Shards"]
    ready = [s["ShardId"] for s in shards if "ParentShardId" not in s]
    done: set[str] = set()
    data: list[bytes] = []
    parents = {
        s["ShardId"]: [p for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p]
        for s in shards
    }
    while ready:
        shard = ready.pop(0)
        if shard in done:
            continue
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator)
            data += [r["Data"] for r in page["Records"]]
            if "NextShardIterator" not in page:
                ready += [c["ShardId"] for c in page["ChildShards"]]
            elif not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
        done.add(shard)
        ready = [s for s in ready if all(p in done for p in parents[s])]
    return data


def test_split_and_merge_then_read_across_parents_and_children(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=1)
    put = lambda tag: [  # noqa: E731
        kinesis.put_record(StreamName=name, Data=f"{tag}{n}".encode(), PartitionKey=f"k{n}") for n in range(6)
    ]
    put("a")
    kinesis.split_shard(StreamName=name, ShardToSplit=S[0], NewStartingHashKey=str(2**127))
    kinesis.get_waiter("stream_exists").wait(StreamName=name)
    after_split = put("b")
    assert {p["ShardId"] for p in after_split} == {S[1], S[2]}
    kinesis.merge_shards(StreamName=name, ShardToMerge=S[1], AdjacentShardToMerge=S[2])
    after_merge = put("c")
    assert {p["ShardId"] for p in after_merge} == {S[3]}
    shards = {s["ShardId"]: s for s in kinesis.list_shards(StreamName=name)["Shards"]}
    assert shards[S[1]]["ParentShardId"] == S[0] and shards[S[2]]["ParentShardId"] == S[0]
    assert (shards[S[3]]["ParentShardId"], shards[S[3]]["AdjacentParentShardId"]) == (S[1], S[2])
    assert all("EndingSequenceNumber" in shards[s]["SequenceNumberRange"] for s in S[:3])
    data = walk(kinesis, name)
    assert sorted(data) == sorted(f"{t}{n}".encode() for t in "abc" for n in range(6))
    # Lineage order: everything of a parent comes before anything of its children.
    assert [d[:1] for d in data] == sorted(d[:1] for d in data)
    error = error_of(kinesis.split_shard, StreamName=name, ShardToSplit=S[0], NewStartingHashKey="5")
    assert "has already been merged or split" in error["Message"]
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"] == 1


def test_update_shard_count_scales_uniformly_with_lineage(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=3)
    result = kinesis.update_shard_count(StreamName=name, TargetShardCount=5, ScalingType="UNIFORM_SCALING")
    assert (result["CurrentShardCount"], result["TargetShardCount"]) == (3, 5)
    open_shards = kinesis.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]
    step = 2**128 // 5
    assert sorted(int(s["HashKeyRange"]["StartingHashKey"]) for s in open_shards) == [
        i * step for i in range(5)
    ]
    assert all("ParentShardId" in s for s in open_shards)
    error = error_of(
        kinesis.update_shard_count, StreamName=name, TargetShardCount=11, ScalingType="UNIFORM_SCALING"
    )
    assert error["Code"] == "LimitExceededException"


def test_tags_on_streams_and_by_arn(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=1, Tags={"team": "data"})
    kinesis.add_tags_to_stream(StreamName=name, Tags={"env": "test", "owner": "me", "cost": "1"})
    listed = kinesis.list_tags_for_stream(StreamName=name, Limit=2)
    assert listed["Tags"] == [{"Key": "cost", "Value": "1"}, {"Key": "env", "Value": "test"}]
    assert listed["HasMoreTags"]
    rest = kinesis.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey="env")
    assert [t["Key"] for t in rest["Tags"]] == ["owner", "team"] and not rest["HasMoreTags"]
    kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["cost", "owner"])
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    kinesis.tag_resource(ResourceARN=arn, Tags={"via": "arn"})
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "env", "Value": "test"},
        {"Key": "via", "Value": "arn"},
    ]


def test_retention_changes(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=168)
    assert kinesis.describe_stream(StreamName=name)["StreamDescription"]["RetentionPeriodHours"] == 168
    kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    assert (
        kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"]
        == 48
    )
    error = error_of(kinesis.increase_stream_retention_period, StreamName=name, RetentionPeriodHours=24)
    assert error["Message"] == (
        f"Requested retention period (24 hours) for stream {name} can not be shorter than existing retention "
        "period (48 hours). Use DecreaseRetentionPeriod API."
    )
    error = error_of(kinesis.increase_stream_retention_period, StreamName=name, RetentionPeriodHours=9000)
    assert error["Code"] == "InvalidArgumentException" and "8760 hours" in error["Message"]


def test_listing_pages(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=5)
    first = kinesis.list_shards(StreamName=name, MaxResults=2)
    second = kinesis.list_shards(NextToken=first["NextToken"], MaxResults=2)
    third = kinesis.list_shards(NextToken=second["NextToken"], MaxResults=2)
    assert [s["ShardId"] for page in (first, second, third) for s in page["Shards"]] == S[:5]
    assert "NextToken" not in third
    error = error_of(kinesis.list_shards, StreamName=name, NextToken=first["NextToken"])
    assert error["Message"] == "NextToken and StreamName cannot be provided together."
    paged = kinesis.get_paginator("describe_stream").paginate(
        StreamName=name, PaginationConfig={"PageSize": 2}
    )
    assert [s["ShardId"] for page in paged for s in page["StreamDescription"]["Shards"]] == S[:5]
    after = kinesis.list_shards(StreamName=name, ExclusiveStartShardId=S[2])["Shards"]
    assert [s["ShardId"] for s in after] == S[3:5]


def test_consumers_and_policies(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app")["Consumer"]
    assert consumer["ConsumerARN"].startswith(f"{arn}/consumer/app:")
    described = kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
    assert (described["ConsumerStatus"], described["StreamARN"]) == ("ACTIVE", arn)
    assert (
        kinesis.describe_stream_consumer(StreamARN=arn, ConsumerName="app")["ConsumerDescription"]
        == described
    )
    assert [c["ConsumerName"] for c in kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]] == ["app"]
    policy = '{"Version":"2012-10-17","Statement":[]}'
    kinesis.put_resource_policy(ResourceARN=arn, Policy=policy)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == policy
    kinesis.delete_resource_policy(ResourceARN=arn)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == "{}"
    error = error_of(kinesis.delete_stream, StreamName=name)
    assert error["Code"] == "ResourceInUseException"
    kinesis.deregister_stream_consumer(StreamARN=arn, ConsumerName="app")
    assert kinesis.list_stream_consumers(StreamARN=arn)["Consumers"] == []
    kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="again")
    kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)


def test_stream_settings(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=1)
    enabled = kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
    assert (enabled["CurrentShardLevelMetrics"], enabled["DesiredShardLevelMetrics"]) == (
        [],
        ["IncomingBytes"],
    )
    disabled = kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
    assert disabled["DesiredShardLevelMetrics"] == []
    kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    put = kinesis.put_record(StreamName=name, Data=b"secret", PartitionKey="k")
    assert put["EncryptionType"] == "KMS"
    assert read_shard(kinesis, name, S[0])[0]["EncryptionType"] == "KMS"
    kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    assert kinesis.describe_stream(StreamName=name)["StreamDescription"]["EncryptionType"] == "NONE"
    limits = kinesis.describe_limits()
    assert limits["ShardLimit"] == 500 and limits["OpenShardCount"] >= 1
    assert kinesis.describe_account_settings()["MinimumThroughputBillingCommitment"]["Status"] == "DISABLED"
