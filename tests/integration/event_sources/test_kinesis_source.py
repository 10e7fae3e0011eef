"""Kinesis -> Lambda through event source mappings, on a real server with real zip handlers."""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from tests.integration.event_sources.conftest import advance, create_queue, drain, unique, wait_state
from tests.support.server import ServerProcess

LOGGING = """
import base64, json, os, time, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    start = time.time()
    time.sleep(float(os.environ.get("PAUSE", "0")))
    data = [base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"]]
    sqs.send_message(QueueUrl=os.environ["LOG_URL"], MessageBody=json.dumps(
        {"start": start, "records": event["Records"], "data": data}))
    if "poison" in data:
        raise ValueError("poison record")
"""


def make_stream(server: ServerProcess, shards: int) -> tuple[str, str]:
    kinesis = server.client("kinesis")
    name = unique("s")
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    return name, arn


def put(server: ServerProcess, stream: str, items: list[tuple[str, str]]) -> dict[str, str]:
    """Put (key, data) pairs one by one; their sequence numbers by data."""
    kinesis = server.client("kinesis")
    return {
        data: kinesis.put_record(StreamName=stream, PartitionKey=key, Data=data.encode())["SequenceNumber"]
        for key, data in items
    }


def records_of(logged: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for entry in sorted(logged, key=lambda e: e["start"]) for r in entry["records"]]


def data_of(record: dict[str, Any]) -> str:
    return base64.b64decode(record["kinesis"]["data"]).decode()


def mapping(server: ServerProcess, arn: str, function: str, **settings: Any) -> dict[str, Any]:
    created = server.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, **settings
    )
    return wait_state(server, created["UUID"], "Enabled")


def test_order_per_shard_retries_and_on_failure(
    esm_server: ServerProcess, make_function: Callable[..., str]
) -> None:
    log_url, _ = create_queue(esm_server)
    failure_url, failure_arn = create_queue(esm_server)
    stream, arn = make_stream(esm_server, 2)
    function = make_function(LOGGING, Environment={"Variables": {"LOG_URL": log_url}})
    created = esm_server.client("lambda").create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=function,
        StartingPosition="LATEST",
        BatchSize=10,
        MaximumBatchingWindowInSeconds=5,
        MaximumRetryAttempts=3,
        MaximumRecordAgeInSeconds=3600,
        BisectBatchOnFunctionError=False,
        DestinationConfig={"OnFailure": {"Destination": failure_arn}},
    )
    assert created["State"] == "Creating" and created["StateTransitionReason"] == "User action"
    assert created["LastProcessingResult"] == "No records processed"
    wait_state(esm_server, created["UUID"], "Enabled")
    items = [(f"key-{i % 6}", f"r{i}") for i in range(30)]
    numbers = put(esm_server, stream, items)
    advance(esm_server, 6)  # past the batching window
    logged = drain(esm_server, log_url, lambda got: len(records_of(got)) >= 30)
    by_shard: dict[str, list[str]] = defaultdict(list)
    for record in records_of(logged):
        by_shard[record["eventID"].split(":")[0]].append(record["kinesis"]["sequenceNumber"])
    assert len(by_shard) == 2 and sum(len(v) for v in by_shard.values()) == 30
    for sequence_numbers in by_shard.values():
        assert sequence_numbers == sorted(sequence_numbers, key=int)
    first = records_of(logged)[0]
    assert list(first) == [
        "kinesis",
        "eventSource",
        "eventVersion",
        "eventID",
        "eventName",
        "invokeIdentityArn",
        "awsRegion",
        "eventSourceARN",
    ]
    assert first["kinesis"]["kinesisSchemaVersion"] == "1.0" and first["eventName"] == "aws:kinesis:record"
    assert first["eventSourceARN"] == arn and first["invokeIdentityArn"].startswith("arn:aws:iam::")
    assert first["kinesis"]["sequenceNumber"] == numbers[data_of(first)]

    # A poison record fails its batch 1 + 3 times; the batch is skipped and reported to OnFailure.
    poison_batch = put(esm_server, stream, [("hot", "poison"), ("hot", "after-1")])
    advance(esm_server, 6)
    failure = drain(esm_server, failure_url, lambda got: len(got) == 1)[0]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 4
    assert failure["responseContext"]["functionError"] == "Unhandled"
    info = failure["KinesisBatchInfo"]
    assert info["batchSize"] == 2 and info["streamArn"] == arn
    assert info["startSequenceNumber"] == poison_batch["poison"]
    assert info["endSequenceNumber"] == poison_batch["after-1"]
    # The shard goes on after the skipped batch.
    put(esm_server, stream, [("hot", "after-2")])
    advance(esm_server, 6)
    drain(esm_server, log_url, lambda got: any("after-2" in e["data"] for e in got))


def test_bisect_isolates_the_poison_record(
    esm_server: ServerProcess, make_function: Callable[..., str]
) -> None:
    log_url, _ = create_queue(esm_server)
    failure_url, failure_arn = create_queue(esm_server)
    stream, arn = make_stream(esm_server, 1)
    function = make_function(LOGGING, Environment={"Variables": {"LOG_URL": log_url}})
    numbers = put(esm_server, stream, [("k", f"r{i}") for i in range(6)] + [("k", "poison"), ("k", "r7")])
    mapping(
        esm_server,
        arn,
        function,
        StartingPosition="TRIM_HORIZON",
        BatchSize=10,
        MaximumRetryAttempts=1,
        BisectBatchOnFunctionError=True,
        DestinationConfig={"OnFailure": {"Destination": failure_arn}},
    )
    failure = drain(esm_server, failure_url, lambda got: len(got) == 1)[0]
    info = failure["KinesisBatchInfo"]
    assert info["batchSize"] == 1
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == numbers["poison"]
    good = set(numbers) - {"poison"}

    def succeeded(got: list[dict[str, Any]]) -> set[str]:
        return {d for e in got if "poison" not in e["data"] for d in e["data"]}

    logged = drain(esm_server, log_url, lambda got: succeeded(got) >= good)
    assert succeeded(logged) == good
    # Only the poison record's half kept failing: the halves without it ran once and succeeded.
    failing = [len(e["data"]) for e in sorted(logged, key=lambda e: e["start"]) if "poison" in e["data"]]
    assert failing == [8, 4, 2, 1, 1]  # halved at each failure, then the single record's retry


def test_parallelization_factor_keeps_order_per_key(
    esm_server: ServerProcess, make_function: Callable[..., str]
) -> None:
    log_url, _ = create_queue(esm_server)
    stream, arn = make_stream(esm_server, 1)
    function = make_function(LOGGING, Environment={"Variables": {"LOG_URL": log_url, "PAUSE": "0.05"}})
    mapping(esm_server, arn, function, StartingPosition="LATEST", BatchSize=4, ParallelizationFactor=3)
    items = [(f"key-{i % 5}", f"{i % 5}:{i // 5}") for i in range(40)]
    put(esm_server, stream, items)
    logged = drain(esm_server, log_url, lambda got: len(records_of(got)) >= 40)
    seen: dict[str, list[int]] = defaultdict(list)
    for record in records_of(logged):
        key, index = data_of(record).split(":")
        seen[key].append(int(index))
    assert all(indexes == sorted(indexes) and len(indexes) == 8 for indexes in seen.values()), seen


TUMBLING = """
import base64, json, os, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    values = [int(base64.b64decode(r["kinesis"]["data"])) for r in event["Records"]]
    total = event["state"].get("sum", 0) + sum(values)
    if event["isFinalInvokeForWindow"]:
        sqs.send_message(QueueUrl=os.environ["LOG_URL"], MessageBody=json.dumps(
            {"sum": total, "window": event["window"], "shardId": event["shardId"]}))
    else:
        body = json.dumps({"partial": len(event["Records"])})
        sqs.send_message(QueueUrl=os.environ["LOG_URL"], MessageBody=body)
    return {"state": {"sum": total}}
"""


def test_tumbling_window_sums_across_invocations(
    esm_server: ServerProcess, make_function: Callable[..., str]
) -> None:
    log_url, _ = create_queue(esm_server)
    stream, arn = make_stream(esm_server, 1)
    function = make_function(TUMBLING, Environment={"Variables": {"LOG_URL": log_url}})
    mapping(esm_server, arn, function, StartingPosition="LATEST", BatchSize=3, TumblingWindowInSeconds=900)
    put(esm_server, stream, [("k", str(n)) for n in range(1, 11)])
    partials = drain(esm_server, log_url, lambda got: sum(e.get("partial", 0) for e in got) >= 10)
    assert len(partials) >= 4  # batches of at most 3 records
    advance(esm_server, 901)  # the window closes: one final invocation with the summed state
    finals = drain(esm_server, log_url, lambda got: sum(1 for e in got if "sum" in e) >= 1)
    totals = [e["sum"] for e in finals if "sum" in e]
    assert totals == [55] or sum(totals) == 55
    final = next(e for e in finals if "sum" in e)
    assert final["shardId"] == "shardId-000000000000" and final["window"]["start"].endswith("Z")
