"""SQS -> Lambda through event source mappings, on a real server with real zip handlers."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable

from tests.integration.event_sources.conftest import advance, create_queue, drain, wait_state
from tests.support.server import ServerProcess

REPORTING = """
import json, os, time, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    start = time.time()
    time.sleep(float(os.environ.get("PAUSE", "0")))
    records = event["Records"]
    failures = [{"itemIdentifier": r["messageId"]} for r in records if r["body"] == "bad"]
    sqs.send_message(QueueUrl=os.environ["LOG_URL"], MessageBody=json.dumps({
        "start": start, "end": time.time(), "records": records}))
    return {"batchItemFailures": failures}
"""


def overlap(spans: list[tuple[float, float]]) -> int:
    edges = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda x: (x[0], x[1]))
    level = peak = 0
    for _, step in edges:
        level += step
        peak = max(peak, level)
    return peak


def test_batch_item_failures_dlq_and_maximum_concurrency(
    esm_server: ServerProcess, make_function: Callable[..., str]
) -> None:
    sqs = esm_server.client("sqs")
    log_url, _ = create_queue(esm_server)
    dlq_url, dlq_arn = create_queue(esm_server)
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
    url, arn = create_queue(esm_server, VisibilityTimeout="30", RedrivePolicy=redrive)
    name = make_function(REPORTING, Environment={"Variables": {"LOG_URL": log_url, "PAUSE": "0.5"}})
    mapping = esm_server.client("lambda").create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=name,
        BatchSize=5,
        MaximumBatchingWindowInSeconds=5,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig={"MaximumConcurrency": 2},
    )
    assert mapping["State"] == "Creating" and mapping["StateTransitionReason"] == "USER_INITIATED"
    wait_state(esm_server, mapping["UUID"], "Enabled")

    bodies = [f"good-{i}" for i in range(14)] + ["bad"]
    for start in range(0, 15, 5):
        entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 5])]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)

    def goods(logged: list[dict]) -> Counter[str]:
        return Counter(r["body"] for entry in logged for r in entry["records"] if r["body"] != "bad")

    logged = drain(esm_server, log_url, lambda got: len(goods(got)) == 14)
    # The bad message comes back after the visibility timeout (moved on the virtual clock) until the third
    # receive, and the redrive policy then moves it to the DLQ.
    deadline = time.monotonic() + 30
    while True:
        counts = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])
        if counts["Attributes"]["ApproximateNumberOfMessages"] == "1":
            break
        assert time.monotonic() < deadline, "the bad message never reached the DLQ"
        advance(esm_server, 11)
        time.sleep(0.5)

    def bads(logged: list[dict]) -> list[dict]:
        return [r for entry in logged for r in entry["records"] if r["body"] == "bad"]

    logged += drain(esm_server, log_url, lambda got: len(bads(logged + got)) >= 3, timeout=5)
    assert all(count == 1 for count in goods(logged).values()), goods(logged)
    bad = bads(logged)
    assert [r["attributes"]["ApproximateReceiveCount"] for r in bad] == ["1", "2", "3"]
    dead = sqs.receive_message(QueueUrl=dlq_url, MessageSystemAttributeNames=["All"])["Messages"]
    assert dead[0]["Body"] == "bad" and dead[0]["MessageId"] == bad[0]["messageId"]
    assert overlap([(entry["start"], entry["end"]) for entry in logged]) <= 2
    assert all(len(entry["records"]) <= 5 for entry in logged)
    left = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert left["ApproximateNumberOfMessages"] == "0" and left["ApproximateNumberOfMessagesNotVisible"] == "0"
    record = bad[0]
    assert list(record) == [
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    ]
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == arn
    assert record["awsRegion"] == "us-east-1"
    assert set(record["attributes"]) >= {
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    }


def test_fifo_keeps_group_order_with_one_batch_per_group_in_flight(
    esm_server: ServerProcess, make_function: Callable[..., str]
) -> None:
    sqs = esm_server.client("sqs")
    log_url, _ = create_queue(esm_server)
    url, arn = create_queue(
        esm_server, f"fifo-{time.time_ns()}.fifo", FifoQueue="true", ContentBasedDeduplication="true"
    )
    name = make_function(REPORTING, Environment={"Variables": {"LOG_URL": log_url, "PAUSE": "0.1"}})
    esm_server.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, BatchSize=3
    )
    for index in range(8):
        entries = [
            {"Id": group, "MessageBody": f"{group}:{index}", "MessageGroupId": group}
            for group in ("a", "b", "c")
        ]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    logged = drain(esm_server, log_url, lambda got: sum(len(e["records"]) for e in got) >= 24)
    logged.sort(key=lambda e: e["start"])
    for group in ("a", "b", "c"):
        order = [int(r["body"].split(":")[1]) for e in logged for r in e["records"] if r["body"][0] == group]
        assert order == list(range(8))
        spans = [(e["start"], e["end"]) for e in logged if any(r["body"][0] == group for r in e["records"])]
        assert overlap(spans) == 1
    assert all(r["attributes"]["MessageGroupId"] for e in logged for r in e["records"])
