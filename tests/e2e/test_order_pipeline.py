"""The order-pipeline example (examples/order-pipeline) deployed on a fresh millpond by its own script, driven
through its REST APIs, and checked from the outside: logs, queues, shards, metrics, then torn down."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.server import REPO, ServerProcess, make_server

EXAMPLE = REPO / "examples" / "order-pipeline"
PREFIX = "e2e"
FUNCTIONS = [
    f"{PREFIX}-{key}" for key in ("order-producer", "order-processor", "event-producer", "stream-processor")
]
EVENT_COUNTS = {"user_activity": 7, "transaction": 6, "system_metric": 5}

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def pipeline_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = make_server(tmp_path_factory.mktemp("order-pipeline"), "--in-memory").start()
    yield process
    process.stop()


def run(server: ServerProcess, command: str) -> str:
    """deploy.py as a user runs it: its own process, pointed at millpond by AWS_ENDPOINT_URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MILLPOND_"))}
    env.update(AWS_ENDPOINT_URL=server.url, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
    done = subprocess.run(
        [sys.executable, "deploy.py", command, "--prefix", PREFIX],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def statuses(output: str) -> list[str]:
    """The status of every progress line ("  + SQS queue   e2e-orders   created  (detail)")."""
    lines = [line.split("  (")[0] for line in output.splitlines() if re.match(r"  [+~=.!-] ", line)]
    return [line.split()[-1] for line in lines]


def wait_for(fetch: Callable[[], Any], done: Callable[[Any], bool], what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = fetch()
        if done(found):
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {found}"
        time.sleep(0.25)


def log_lines(server: ServerProcess, function: str, event: str) -> list[dict[str, Any]]:
    logs = server.client("logs")
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName=f"/aws/lambda/{function}", filterPattern=f'{{ $.event = "{event}" }}'
    )
    try:
        return [json.loads(e["message"]) for page in pages for e in page["events"]]
    except logs.exceptions.ResourceNotFoundException:  # the function has not logged yet
        return []


def snapshot(server: ServerProcess) -> dict[str, Any]:
    """What a second deploy must leave exactly as it was."""
    lambda_ = server.client("lambda")
    apigateway = server.client("apigateway")
    sqs = server.client("sqs")
    apis = [a for a in apigateway.get_rest_apis()["items"] if a["name"].startswith(PREFIX)]
    return {
        "functions": {f: lambda_.get_function_configuration(FunctionName=f)["RevisionId"] for f in FUNCTIONS},
        "mappings": sorted(m["UUID"] for m in lambda_.list_event_source_mappings()["EventSourceMappings"]),
        "deployments": {a["id"]: len(apigateway.get_deployments(restApiId=a["id"])["items"]) for a in apis},
        "queues": {
            url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            for url in sqs.list_queues(QueueNamePrefix=PREFIX)["QueueUrls"]
        },
        "policy": server.client("iam").get_role_policy(
            RoleName=f"{PREFIX}-order-pipeline-role", PolicyName=f"{PREFIX}-order-pipeline-send"
        )["PolicyDocument"],
    }


def hash_key(partition_key: str) -> int:
    return int.from_bytes(hashlib.md5(partition_key.encode()).digest(), "big")


def cloudwatch_served(server: ServerProcess) -> bool:
    return bool(server.get("/_millpond/health")["services"]["cloudwatch"]["state"] == "running")


def metric_sum(server: ServerProcess, namespace: str, metric: str, dimension: str, value: str) -> float:
    now = time.time()
    stats = server.client("cloudwatch").get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": dimension, "Value": value}],
        StartTime=now - 86400,
        EndTime=now + 86400,
        Period=3600,
        Statistics=["Sum"],
    )
    return float(sum(p["Sum"] for p in stats["Datapoints"]))


def test_order_pipeline_deploys_processes_and_tears_down(pipeline_server: ServerProcess) -> None:
    server = pipeline_server
    deployed = run(server, "deploy")
    assert set(statuses(deployed)) == {"created"} and len(statuses(deployed)) == 13, deployed
    orders_url = re.search(r"Orders API  POST (\S+)", deployed)[1]  # type: ignore[index]
    events_url = re.search(r"Events API  POST (\S+)", deployed)[1]  # type: ignore[index]
    assert "curl -s -X POST" in deployed and "/_millpond/console/" in deployed

    before = snapshot(server)
    again = run(server, "deploy")
    assert set(statuses(again)) == {"unchanged"} and len(statuses(again)) == 13, again
    assert snapshot(server) == before

    # Orders through the API: 4 good ones, then 3 more of which the first is flagged to fail.
    good: list[str] = []
    flagged: list[str] = []
    for body in ({"messageType": "order", "batchSize": 4}, {"batchSize": 3, "simulateFailure": True}):
        reply = httpx.post(orders_url, json=body, timeout=30)
        assert reply.status_code == 200, reply.text
        assert reply.headers["access-control-allow-origin"] == "*"
        for message in reply.json()["messages"]:
            (flagged if message["simulateFailure"] else good).append(message["orderId"])
    assert len(good) == 6 and len(flagged) == 1
    preflight = httpx.options(orders_url, timeout=30)
    assert preflight.status_code == 204 and "POST" in preflight.headers["access-control-allow-methods"]

    # Events through the API; each record's shard as the API reported it.
    sent: list[dict[str, Any]] = []
    for event_type, count in EVENT_COUNTS.items():
        reply = httpx.post(events_url, json={"eventType": event_type, "eventCount": count}, timeout=30)
        assert reply.status_code == 200, reply.text
        sent += reply.json()["records"]
    assert httpx.post(events_url, json={"eventType": "nope"}, timeout=30).status_code == 400

    # Records sit on the shards their partition keys hash to.
    kinesis = server.client("kinesis")
    shards = kinesis.list_shards(StreamName=f"{PREFIX}-analytics")["Shards"]
    assert len(shards) == 2
    ranges = {
        s["ShardId"]: (int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
        for s in shards
    }
    on_shard: dict[str, set[str]] = {}
    for shard_id in ranges:
        iterator = kinesis.get_shard_iterator(
            StreamName=f"{PREFIX}-analytics", ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = kinesis.get_records(ShardIterator=iterator, Limit=1000)["Records"]
        on_shard[shard_id] = {r["SequenceNumber"] for r in records}
        for record in records:
            low, high = ranges[shard_id]
            assert low <= hash_key(record["PartitionKey"]) <= high
    for record in sent:
        low, high = ranges[record["shardId"]]
        assert low <= hash_key(record["partitionKey"]) <= high
        assert record["sequenceNumber"] in on_shard[record["shardId"]]
    assert sum(len(s) for s in on_shard.values()) == len(sent) == sum(EVENT_COUNTS.values())

    # Every good order processed exactly once, each step logged.
    processor, streamer = f"{PREFIX}-order-processor", f"{PREFIX}-stream-processor"
    processed = wait_for(
        lambda: log_lines(server, processor, "order_processed"),
        lambda lines: {line["orderId"] for line in lines} >= set(good),
        "the good orders to be processed",
    )
    assert Counter(line["orderId"] for line in processed) == Counter(good)
    steps = Counter((line["orderId"], line["step"]) for line in log_lines(server, processor, "order_step"))
    assert all(
        steps[(order, step)] == 1 for order in good for step in ("validate", "reserve", "price", "confirm")
    )

    # The flagged order comes back after each 300 s visibility timeout (on the virtual clock), three receives
    # in all, and then the redrive policy moves it to the DLQ.
    sqs = server.client("sqs")
    dlq_url = sqs.get_queue_url(QueueName=f"{PREFIX}-orders-dlq")["QueueUrl"]
    wait_for(lambda: log_lines(server, processor, "order_failed"), bool, "the first failure")
    for _ in range(8):
        server.post("/_millpond/clock", {"advance": 301})
        try:
            wait_for(
                lambda: sqs.get_queue_attributes(
                    QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
                ),
                lambda a: a["Attributes"]["ApproximateNumberOfMessages"] == "1",
                "the DLQ",
                timeout=3,
            )
            break
        except AssertionError:
            continue
    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["orderId"] for m in dead] == flagged
    failures = log_lines(server, processor, "order_failed")
    assert [(f["orderId"], f["attempt"]) for f in failures] == [(flagged[0], n) for n in (1, 2, 3)]
    assert flagged[0] not in {line["orderId"] for line in log_lines(server, processor, "order_processed")}

    # The stream processor's summaries add up to what was sent.
    summaries = wait_for(
        lambda: log_lines(server, streamer, "batch_summary"),
        lambda lines: sum(s["records"] for s in lines) >= len(sent),
        "the stream processor's summaries",
    )
    assert sum(s["records"] for s in summaries) == len(sent)
    assert all(s["records"] <= 10 and len(s["shards"]) == 1 for s in summaries)
    by_type: Counter[str] = Counter()
    for summary in summaries:
        by_type.update(summary["byType"])
    assert dict(by_type) == EVENT_COUNTS
    events = [r["event"] for r in sent]
    for status in {e["status"] for e in events if e["eventType"] == "transaction"}:
        wanted = [e["amount"] for e in events if e["eventType"] == "transaction" and e["status"] == status]
        got = [s["transactions"][status] for s in summaries if status in s["transactions"]]
        assert sum(g["count"] for g in got) == len(wanted)
        assert sum(g["total"] for g in got) == pytest.approx(sum(wanted), abs=0.05)
    for host in {e["host"] for e in events if e["eventType"] == "system_metric"}:
        peak = max(e["cpu"] for e in events if e.get("host") == host)
        assert max(s["metrics"][host]["cpuMax"] for s in summaries if host in s["metrics"]) == peak
    hot = sum(1 for e in events if e["eventType"] == "system_metric" for m in ("cpu", "memory") if e[m] > 90)
    assert sum(len(s["alerts"]) for s in summaries) == hot

    # The CloudWatch figures behind the dashboard (when this millpond serves CloudWatch).
    if cloudwatch_served(server):
        cloudwatch = server.client("cloudwatch")
        body = json.loads(cloudwatch.get_dashboard(DashboardName=f"{PREFIX}-order-pipeline")["DashboardBody"])
        namespaces = {
            m[0] for w in body["widgets"] if w["type"] == "metric" for m in w["properties"]["metrics"]
        }
        assert namespaces == {"AWS/SQS", "AWS/Kinesis", "AWS/Lambda"}
        expected = {
            ("AWS/SQS", "NumberOfMessagesSent", "QueueName", f"{PREFIX}-orders"): 7,
            ("AWS/Kinesis", "IncomingRecords", "StreamName", f"{PREFIX}-analytics"): len(sent),
            ("AWS/Lambda", "Invocations", "FunctionName", f"{PREFIX}-order-producer"): 3,  # with the OPTIONS
            ("AWS/Lambda", "Invocations", "FunctionName", f"{PREFIX}-event-producer"): 4,
            ("AWS/Lambda", "Invocations", "FunctionName", streamer): len(summaries),
        }
        figures = wait_for(
            lambda: {key: metric_sum(server, *key) for key in expected},
            lambda got: got == expected,
            "the CloudWatch figures",
            timeout=10,
        )
        assert figures == expected

    # The report command reads the same story back.
    report = run(server, "report")
    assert "orders processed         6 (6 distinct)" in report and "messages in the DLQ      1" in report

    torn = run(server, "teardown")
    assert set(statuses(torn)) == {"deleted"}, torn
    assert_nothing_left(server)
    twice = run(server, "teardown")
    assert set(statuses(twice)) == {"absent"}, twice


def assert_nothing_left(server: ServerProcess) -> None:
    assert server.client("sqs").list_queues(QueueNamePrefix=PREFIX).get("QueueUrls", []) == []
    assert server.client("kinesis").list_streams()["StreamNames"] == []
    assert server.client("lambda").list_functions()["Functions"] == []
    assert server.client("lambda").list_event_source_mappings()["EventSourceMappings"] == []
    assert server.client("apigateway").get_rest_apis()["items"] == []
    assert [
        r["RoleName"] for r in server.client("iam").list_roles()["Roles"] if r["RoleName"].startswith(PREFIX)
    ] == []
    groups = server.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{PREFIX}-")[
        "logGroups"
    ]
    assert groups == []
    if cloudwatch_served(server):
        assert server.client("cloudwatch").list_dashboards()["DashboardEntries"] == []


def test_the_example_uses_plain_boto3() -> None:
    """Nothing in the example imports millpond: pointed at AWS, it works unchanged."""
    for path in EXAMPLE.rglob("*.py"):
        assert not re.search(r"^\s*(from|import) millpond", path.read_text(), re.M), path
