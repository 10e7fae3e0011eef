"""Kinesis rules end to end over real storage and a ManualClock: ordering, iterator types and expiry,
retention, resharding lineage, status delays, throttling."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from millpond.errors import AwsError
from millpond.services.kinesis.hashing import hash_key
from millpond.services.kinesis.metrics import NAMESPACE
from tests.unit.services.kinesis.harness import Kinesis, run

S0, S1, S2, S3 = (f"shardId-{i:012d}" for i in range(4))


async def expect(code: str, call: object) -> str:
    with pytest.raises(AwsError) as raised:
        await call  # type: ignore[misc]
    assert raised.value.code == code, raised.value.message
    return raised.value.message


def test_records_come_back_per_shard_in_order_with_increasing_numbers() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s", 2)
        keys = [f"key-{i}" for i in range(40)]
        put = []
        for n, key in enumerate(keys):
            put.append(await k("PutRecord", StreamName="s", Data=f"{n}".encode(), PartitionKey=key))
            k.clock.advance(0.001)
        for shard, low in ((S0, 0), (S1, 2**127)):
            expected = [
                str(n).encode() for n, key in enumerate(keys) if (hash_key(key) >= 2**127) == bool(low)
            ]
            got = await k.read_all("s", shard)
            assert [r["Data"] for r in got] == expected
            numbers = [int(r["SequenceNumber"]) for r in got]
            assert numbers == sorted(numbers)
        assert [p["ShardId"] for p in put] == [S1 if hash_key(key) >= 2**127 else S0 for key in keys]

    run(scenario)


def test_iterator_types() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s")
        numbers = []
        for n in range(5):
            numbers.append(
                (await k("PutRecord", StreamName="s", Data=bytes([n]), PartitionKey="k"))["SequenceNumber"]
            )
            k.clock.advance(10)
        data = lambda records: [r["Data"][0] for r in records]  # noqa: E731
        assert data(await k.read_all("s", S0, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=numbers[2])) == [
            2,
            3,
            4,
        ]
        assert data(
            await k.read_all("s", S0, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=numbers[2])
        ) == [3, 4]
        when = datetime.fromtimestamp(k.clock.now() - 25, UTC)
        assert data(await k.read_all("s", S0, "AT_TIMESTAMP", Timestamp=when)) == [3, 4]
        latest = (await k("GetShardIterator", StreamName="s", ShardId=S0, ShardIteratorType="LATEST"))[
            "ShardIterator"
        ]
        await k("PutRecord", StreamName="s", Data=b"\x09", PartitionKey="k")
        page = await k("GetRecords", ShardIterator=latest)
        assert data(page["Records"]) == [9]
        assert page["MillisBehindLatest"] == 0

    run(scenario)


def test_iterator_argument_errors() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s", 2)
        number = (await k("PutRecord", StreamName="s", Data=b"x", PartitionKey="k", ExplicitHashKey="0"))[
            "SequenceNumber"
        ]
        message = await expect(
            "InvalidArgumentException",
            k(
                "GetShardIterator",
                StreamName="s",
                ShardId=S0,
                ShardIteratorType="LATEST",
                StartingSequenceNumber=number,
            ),
        )
        assert message.endswith("Request specified LATEST and also a StartingSequenceNumber.")
        message = await expect(
            "InvalidArgumentException",
            k(
                "GetShardIterator",
                StreamName="s",
                ShardId=S1,
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                StartingSequenceNumber=number,
            ),
        )
        assert message == (
            f"Invalid StartingSequenceNumber. It encodes {S0}, while it was used in a call to a shard with "
            f"{S1}"
        )
        message = await expect(
            "ResourceNotFoundException",
            k("GetShardIterator", StreamName="s", ShardId="shardId-000000000007", ShardIteratorType="LATEST"),
        )
        assert message == "Shard shardId-000000000007 in stream s under account 000000000000 does not exist"
        future = datetime.fromtimestamp(k.clock.now() + 60, UTC)
        await expect(
            "InvalidArgumentException",
            k(
                "GetShardIterator",
                StreamName="s",
                ShardId=S0,
                ShardIteratorType="AT_TIMESTAMP",
                Timestamp=future,
            ),
        )

    run(scenario)


def test_iterators_expire_after_five_minutes_but_next_iterators_are_fresh() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s")
        iterator = (
            await k("GetShardIterator", StreamName="s", ShardId=S0, ShardIteratorType="TRIM_HORIZON")
        )["ShardIterator"]
        k.clock.advance(299)
        nxt = (await k("GetRecords", ShardIterator=iterator))["NextShardIterator"]
        k.clock.advance(2)
        message = await expect("ExpiredIteratorException", k("GetRecords", ShardIterator=iterator))
        assert "further in the future than the tolerated delay of 300000 milliseconds" in message
        await k("GetRecords", ShardIterator=nxt)

    run(scenario)


def test_retention_trims_on_the_clock_and_trim_horizon_moves() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s")
        await k("PutRecord", StreamName="s", Data=b"old", PartitionKey="k")
        k.clock.advance(23 * 3600)
        await k("PutRecord", StreamName="s", Data=b"newer", PartitionKey="k")
        assert [r["Data"] for r in await k.read_all("s", S0)] == [b"old", b"newer"]
        k.clock.advance(3601)
        assert [r["Data"] for r in await k.read_all("s", S0)] == [b"newer"]
        # Growing the retention afterwards does not bring the trimmed record back.
        await k("IncreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=48)
        assert [r["Data"] for r in await k.read_all("s", S0)] == [b"newer"]
        await k.provider.trimming.close()
        remaining = k.engine.read(
            lambda conn: conn.execute("SELECT count(*) FROM kinesis_records").fetchone()[0]
        )
        assert remaining == 1

    run(scenario)


def test_retention_bounds_and_direction() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s")
        message = await expect(
            "InvalidArgumentException",
            k("DecreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=23),
        )
        assert message == (
            "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too "
            "short."
        )
        await expect(
            "InvalidArgumentException",
            k("IncreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=8761),
        )
        await k("IncreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=8760)
        message = await expect(
            "InvalidArgumentException",
            k("IncreaseStreamRetentionPeriod", StreamName="s", RetentionPeriodHours=100),
        )
        assert message.endswith(
            "can not be shorter than existing retention period (8760 hours). Use DecreaseRetentionPeriod API."
        )

    run(scenario)


def test_split_closes_the_parent_and_its_end_names_the_children() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s")
        await k("PutRecord", StreamName="s", Data=b"before", PartitionKey="a")
        iterator = (
            await k("GetShardIterator", StreamName="s", ShardId=S0, ShardIteratorType="TRIM_HORIZON")
        )["ShardIterator"]
        await k("SplitShard", StreamName="s", ShardToSplit=S0, NewStartingHashKey=str(2**127))
        await k("PutRecord", StreamName="s", Data=b"after", PartitionKey="a")
        page = await k("GetRecords", ShardIterator=iterator)
        assert [r["Data"] for r in page["Records"]] == [b"before"]
        assert "NextShardIterator" not in page
        assert [c["ShardId"] for c in page["ChildShards"]] == [S1, S2]
        assert page["ChildShards"][0] == {
            "ShardId": S1,
            "ParentShards": [S0],
            "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": str(2**127 - 1)},
        }
        child = S1 if hash_key("a") < 2**127 else S2
        assert [r["Data"] for r in await k.read_all("s", child)] == [b"after"]
        shards = (await k("ListShards", StreamName="s"))["Shards"]
        assert "EndingSequenceNumber" in shards[0]["SequenceNumberRange"]
        # The closed parent stays listed until its data has aged past retention.
        k.clock.advance(24 * 3600 + 1)
        assert [s["ShardId"] for s in (await k("ListShards", StreamName="s"))["Shards"]] == [S1, S2]

    run(scenario)


def test_merge_children_have_both_parents() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s", 2)
        await k("MergeShards", StreamName="s", ShardToMerge=S1, AdjacentShardToMerge=S0)
        shard = (await k("ListShards", StreamName="s", ShardFilter={"Type": "AT_LATEST"}))["Shards"]
        assert [(s["ShardId"], s["ParentShardId"], s["AdjacentParentShardId"]) for s in shard] == [
            (S2, S1, S0)
        ]
        await expect(
            "InvalidArgumentException",
            k("MergeShards", StreamName="s", ShardToMerge=S0, AdjacentShardToMerge=S1),
        )

    run(scenario)


def test_create_delay_shows_creating_then_active() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s")
        status = (await k("DescribeStream", StreamName="s"))["StreamDescription"]
        assert (status["StreamStatus"], status["Shards"]) == ("CREATING", [])
        await expect("ResourceNotFoundException", k("PutRecord", StreamName="s", Data=b"x", PartitionKey="k"))
        k.clock.advance(2)
        assert (await k("DescribeStream", StreamName="s"))["StreamDescription"]["StreamStatus"] == "ACTIVE"
        await k("SplitShard", StreamName="s", ShardToSplit=S0, NewStartingHashKey="100")
        assert (await k("DescribeStreamSummary", StreamName="s"))["StreamDescriptionSummary"][
            "StreamStatus"
        ] == "UPDATING"
        message = await expect(
            "ResourceInUseException",
            k("SplitShard", StreamName="s", ShardToSplit=S1, NewStartingHashKey="10"),
        )
        assert message == "Stream s under account 000000000000 not ACTIVE, instead in state UPDATING"
        await k("PutRecord", StreamName="s", Data=b"x", PartitionKey="k")  # writes go on while UPDATING

    run(scenario, create_delay=2.0)


def test_sequence_number_for_ordering() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s")
        first = (await k("PutRecord", StreamName="s", Data=b"1", PartitionKey="k"))["SequenceNumber"]
        second = (
            await k("PutRecord", StreamName="s", Data=b"2", PartitionKey="k", SequenceNumberForOrdering=first)
        )["SequenceNumber"]
        assert int(second) > int(first)
        message = await expect(
            "InvalidArgumentException",
            k("PutRecord", StreamName="s", Data=b"3", PartitionKey="k", SequenceNumberForOrdering="12345"),
        )
        assert message == (
            "ExclusiveMinimumSequenceNumber 12345 used in PutRecord on stream s under account 000000000000 "
            "is invalid."
        )

    run(scenario)


def test_throttled_records_fail_one_by_one() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s")
        records = [{"Data": b"x" * 3000, "PartitionKey": f"k{i}"} for i in range(500)]
        result = await k("PutRecords", StreamName="s", Records=records)
        ok = [r for r in result["Records"] if "SequenceNumber" in r]
        failed = [r for r in result["Records"] if "ErrorCode" in r]
        assert len(ok) + len(failed) == 500 and result["FailedRecordCount"] == len(failed) > 0
        assert len(ok) == (1024 * 1024) // (3000 + 3)  # until the shard's mebibyte is spent
        assert failed[0] == {
            "ErrorCode": "ProvisionedThroughputExceededException",
            "ErrorMessage": f"Rate exceeded for shard {S0} in stream s under account 000000000000.",
        }
        iterator = (
            await k("GetShardIterator", StreamName="s", ShardId=S0, ShardIteratorType="TRIM_HORIZON")
        )["ShardIterator"]
        page = await k("GetRecords", ShardIterator=iterator)
        assert len(page["Records"]) == len(ok)
        # Reading a mebibyte costs half a second of the shard's 2 MiB/s: reading again at once is throttled.
        await expect(
            "ProvisionedThroughputExceededException", k("GetRecords", ShardIterator=page["NextShardIterator"])
        )
        assert k.metrics.total("WriteProvisionedThroughputExceeded", "s") == len(failed)
        message = await expect(
            "ProvisionedThroughputExceededException",
            k("PutRecord", StreamName="s", Data=b"x" * 5000, PartitionKey="k"),
        )
        assert message == f"Rate exceeded for shard {S0} in stream s under account 000000000000."
        k.clock.advance(1)
        await k("PutRecord", StreamName="s", Data=b"x" * 5000, PartitionKey="k")

    run(scenario, enforce_limits=True)


def test_metrics_are_counted_per_stream_and_per_shard_when_enabled() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s")
        await k(
            "EnableEnhancedMonitoring",
            StreamName="s",
            ShardLevelMetrics=["IncomingRecords", "OutgoingRecords"],
        )
        await k("PutRecords", StreamName="s", Records=[{"Data": b"abc", "PartitionKey": "k"}] * 3)
        await k.read_all("s", S0)
        assert k.metrics.total("IncomingRecords", "s") == 3
        assert k.metrics.total("IncomingBytes", "s") == 12
        assert k.metrics.total("GetRecords.Records", "s") == 3
        assert k.metrics.total("IncomingRecords", "s", S0) == 3
        assert k.metrics.total("OutgoingRecords", "s", S0) == 3
        assert k.metrics.total("IncomingBytes", "s", S0) == 0  # not enabled at shard level
        assert all(key[0] == NAMESPACE for key in k.metrics.totals)

    run(scenario)


def test_stream_errors_are_worded_as_aws_words_them() -> None:
    async def scenario(k: Kinesis) -> None:
        await k.stream("s")
        message = await expect("ResourceInUseException", k("CreateStream", StreamName="s", ShardCount=1))
        assert message == "Stream s under account 000000000000 already exists."
        message = await expect("ResourceNotFoundException", k("DescribeStream", StreamName="nope"))
        assert message == "Stream nope under account 000000000000 not found."
        await k("DeleteStream", StreamName="s")
        await expect("ResourceNotFoundException", k("DescribeStreamSummary", StreamName="s"))

    run(scenario)


def test_auto_distribution_spreads_records_and_ignores_partition_keys() -> None:
    async def scenario(k: Kinesis) -> None:
        message = await expect(
            "InvalidArgumentException",
            k("CreateStream", StreamName="p", ShardCount=1, RecordDistributionStrategy="AUTO"),
        )
        assert "only supported for streams in ON_DEMAND mode" in message
        await k(
            "CreateStream",
            StreamName="s",
            StreamModeDetails={"StreamMode": "ON_DEMAND"},
            RecordDistributionStrategy="AUTO",
        )
        summary = (await k("DescribeStreamSummary", StreamName="s"))["StreamDescriptionSummary"]
        assert (summary["RecordDistributionStrategy"], summary["OpenShardCount"]) == ("AUTO", 4)
        result = await k(
            "PutRecords",
            StreamName="s",
            Records=[{"Data": b"x"}] * 200 + [{"Data": b"y", "PartitionKey": "k"}] * 200,
        )
        shards = {r["ShardId"] for r in result["Records"]}
        assert len(shards) == 4  # the same partition key lands on every shard
        assert (await k("PutRecord", StreamName="s", Data=b"z"))["ShardId"] in shards
        records = await k.read_all("s", S0)
        assert records and all(r.get("PartitionKey") in (None, "k") for r in records)
        arn = summary["StreamARN"]
        await k(
            "UpdateStreamRecordDistributionStrategy",
            StreamARN=arn,
            RecordDistributionStrategy="USER_PARTITION_KEY",
        )
        await expect("ValidationException", k("PutRecord", StreamName="s", Data=b"z"))

    run(scenario)


def test_warm_throughput_needs_on_demand_and_the_billing_commitment() -> None:
    async def scenario(k: Kinesis) -> None:
        await k("CreateStream", StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"})
        await expect(
            "InvalidArgumentException",
            k("UpdateStreamWarmThroughput", StreamName="s", WarmThroughputMiBps=50),
        )
        enabled = await k("UpdateAccountSettings", MinimumThroughputBillingCommitment={"Status": "ENABLED"})
        assert enabled["MinimumThroughputBillingCommitment"]["Status"] == "ENABLED"
        result = await k("UpdateStreamWarmThroughput", StreamName="s", WarmThroughputMiBps=50)
        assert result["WarmThroughput"] == {"TargetMiBps": 50, "CurrentMiBps": 0}
        summary = (await k("DescribeStreamSummary", StreamName="s"))["StreamDescriptionSummary"]
        assert summary["WarmThroughput"]["TargetMiBps"] == 50
        # Disabling inside the first 24 hours keeps the commitment until its earliest end.
        ending = await k("UpdateAccountSettings", MinimumThroughputBillingCommitment={"Status": "DISABLED"})
        assert ending["MinimumThroughputBillingCommitment"]["Status"] == "ENABLED_UNTIL_EARLIEST_ALLOWED_END"

    run(scenario)
