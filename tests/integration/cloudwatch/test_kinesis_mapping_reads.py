"""A stream consumed through an event source mapping: the mapping's reads count in AWS/Kinesis as
GetRecords calls do on AWS (stream-level GetRecords.*, shard-level OutgoingRecords/OutgoingBytes)."""

from __future__ import annotations

from typing import Any

from tests.integration.cloudwatch.conftest import eventually, unique
from tests.integration.cloudwatch.test_emission import LOGGING, statistic
from tests.integration.event_sources.conftest import create_function, create_queue, drain, wait_state
from tests.support.server import ServerProcess


def test_a_mappings_reads_show_in_get_records_metrics(cw_server: ServerProcess) -> None:
    lam, kinesis = cw_server.client("lambda"), cw_server.client("kinesis")
    count = 17
    log_url, _ = create_queue(cw_server)
    function = create_function(cw_server, LOGGING, Environment={"Variables": {"LOG_URL": log_url}})
    stream = unique("reads")
    kinesis.create_stream(StreamName=stream, ShardCount=2)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.1})
    kinesis.enable_enhanced_monitoring(
        StreamName=stream, ShardLevelMetrics=["OutgoingRecords", "OutgoingBytes"]
    )
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    created = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, StartingPosition="TRIM_HORIZON", BatchSize=4
    )
    wait_state(cw_server, created["UUID"], "Enabled")
    entries = [{"Data": f"click {i}".encode(), "PartitionKey": f"k{i}"} for i in range(count)]
    put = kinesis.put_records(StreamName=stream, Records=entries)
    size = sum(len(e["Data"]) + len(e["PartitionKey"]) for e in entries)

    logged = drain(cw_server, log_url, lambda batches: sum(b["n"] for b in batches) >= count, timeout=60)
    assert sum(b["n"] for b in logged) == count
    by_stream = {"StreamName": stream}

    def records() -> float:
        return statistic(cw_server, "AWS/Kinesis", "GetRecords.Records", by_stream)

    eventually(records, lambda value: value == count)
    assert statistic(cw_server, "AWS/Kinesis", "GetRecords.Bytes", by_stream) == size
    ages = statistic(cw_server, "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", by_stream, "SampleCount")
    assert ages >= 1
    shards = {r["ShardId"] for r in put["Records"]}
    outgoing: dict[str, Any] = {
        metric: sum(
            statistic(cw_server, "AWS/Kinesis", metric, {"StreamName": stream, "ShardId": shard})
            for shard in shards
        )
        for metric in ("OutgoingRecords", "OutgoingBytes")
    }
    assert outgoing == {"OutgoingRecords": count, "OutgoingBytes": size}
