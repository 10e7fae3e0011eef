"""Demo traffic through the two APIs (with a text progress bar), and the report read back afterwards:
orders processed, the DLQ, records per shard, the stream processor's summaries and CloudWatch figures."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from pipeline.create import error_code
from pipeline.dashboard import not_served
from pipeline.stack import APIS, FUNCTIONS, Stack

EVENT_TYPES = ("user_activity", "transaction", "system_metric")
BURST = 50
BURST_CHUNK = 5


def api_urls(stack: Stack) -> dict[str, str]:
    """Invoke URLs (with the resource path) by API key, looked up by the APIs' names."""
    urls = {}
    for api in APIS:
        found = stack.find_api(stack.name(api.key))
        if found is None:
            raise SystemExit(f"REST API {stack.name(api.key)} not found: run `deploy.py deploy` first")
        urls[api.key] = f"{stack.invoke_url(found['id'])}/{api.path}"
    return urls


def post(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as error:
        raise SystemExit(
            f"POST {url} answered {error.code}: {error.read().decode(errors='replace')}"
        ) from None


def show(stack: Stack, line: str, last: bool) -> None:
    """Redraw the progress line on a terminal; elsewhere (a log, a pipe) print only the last state."""
    if stack.out.isatty():
        print(f"\r{line}", end="\n" if last else "", file=stack.out, flush=True)
    elif last:
        print(line, file=stack.out, flush=True)


def bar(done: int, total: int, label: str, width: int = 30) -> str:
    filled = width * done // max(total, 1)
    return f"  [{'#' * filled}{'.' * (width - filled)}] {done:>3}/{total} {label:<32}"


@dataclass
class Sent:
    """What the traffic put in: good and flagged order ids, and the events by type."""

    good_orders: list[str] = field(default_factory=list)
    flagged_orders: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def plan() -> list[tuple[str, str, dict[str, Any]]]:
    """(label, API key, request body) for every request the demo sends."""
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("orders", "orders-api", {"messageType": "order", "batchSize": 5, "simulateFailure": False}),
        (
            "orders with a failure",
            "orders-api",
            {"messageType": "order", "batchSize": 3, "simulateFailure": True},
        ),
    ]
    requests += [
        (event_type, "events-api", {"eventType": event_type, "eventCount": 10}) for event_type in EVENT_TYPES
    ]
    for _ in range(BURST // BURST_CHUNK):
        requests.append(("burst: orders", "orders-api", {"messageType": "order", "batchSize": BURST_CHUNK}))
        for event_type in EVENT_TYPES:
            requests.append(
                (f"burst: {event_type}", "events-api", {"eventType": event_type, "eventCount": BURST_CHUNK})
            )
    return requests


def send_traffic(stack: Stack) -> Sent:
    urls = api_urls(stack)
    stack.say(f"Sending demo traffic to\n  {urls['orders-api']}\n  {urls['events-api']}")
    requests = plan()
    sent = Sent()
    for done, (label, api, body) in enumerate(requests, 1):
        reply = post(urls[api], body)
        for message in reply.get("messages", []):
            (sent.flagged_orders if message["simulateFailure"] else sent.good_orders).append(
                message["orderId"]
            )
        sent.events += [record["event"] for record in reply.get("records", [])]
        show(stack, bar(done, len(requests), label), done == len(requests))
    stack.say(
        f"  sent {len(sent.good_orders) + len(sent.flagged_orders)} orders ({len(sent.flagged_orders)} "
        f"flagged to fail) and {len(sent.events)} events"
    )
    return sent


# -- reading back ------------------------------------------------------------------------------------------


def log_lines(stack: Stack, function_key: str, event: str) -> list[dict[str, Any]]:
    """The function's JSON log lines whose "event" is `event`, oldest first."""
    group = f"/aws/lambda/{stack.name(function_key)}"
    lines = []
    try:
        pages = stack.logs.get_paginator("filter_log_events").paginate(
            logGroupName=group, filterPattern=f'{{ $.event = "{event}" }}'
        )
        for page in pages:
            lines += [json.loads(e["message"]) for e in sorted(page["events"], key=lambda e: e["timestamp"])]
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
    return lines


def queue_depth(stack: Stack, name: str) -> int:
    url = stack.sqs.get_queue_url(QueueName=name)["QueueUrl"]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[n]) for n in names)


def records_per_shard(stack: Stack) -> dict[str, int]:
    """Every record on each shard, read from the trim horizon."""
    counts = {}
    for shard in stack.kinesis.list_shards(StreamName=stack.stream)["Shards"]:
        iterator = stack.kinesis.get_shard_iterator(
            StreamName=stack.stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        count = 0
        while iterator:
            page = stack.kinesis.get_records(ShardIterator=iterator, Limit=10000)
            count += len(page["Records"])
            iterator = page.get("NextShardIterator")
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
        counts[shard["ShardId"]] = count
    return counts


def metric_sum(stack: Stack, namespace: str, metric: str, dimension: str, value: str) -> float:
    """The metric's Sum over the last day (and the next, in case millpond's clock was moved forward)."""
    now = datetime.now(UTC)
    stats = stack.cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": dimension, "Value": value}],
        StartTime=now - timedelta(days=1),
        EndTime=now + timedelta(days=1),
        Period=3600,
        Statistics=["Sum"],
    )
    return float(sum(point["Sum"] for point in stats["Datapoints"]))


def cloudwatch_figures(stack: Stack) -> dict[str, float] | None:
    """The figures behind the dashboard, or None if this endpoint does not serve CloudWatch metrics."""
    try:
        figures = {
            "SQS NumberOfMessagesSent": metric_sum(
                stack, "AWS/SQS", "NumberOfMessagesSent", "QueueName", stack.queue
            ),
            "Kinesis IncomingRecords": metric_sum(
                stack, "AWS/Kinesis", "IncomingRecords", "StreamName", stack.stream
            ),
        }
        for function in FUNCTIONS:
            name = stack.name(function.key)
            figures[f"Lambda Invocations {function.key}"] = metric_sum(
                stack, "AWS/Lambda", "Invocations", "FunctionName", name
            )
    except ClientError as error:
        if not_served(error):
            return None
        raise
    return figures


@dataclass
class Report:
    processed: list[str]
    failed_attempts: dict[str, int]
    dlq: int
    shards: dict[str, int]
    summaries: list[dict[str, Any]]
    metrics: dict[str, float] | None


def collect(stack: Stack) -> Report:
    processed = [line["orderId"] for line in log_lines(stack, "order-processor", "order_processed")]
    failed: dict[str, int] = {}
    for line in log_lines(stack, "order-processor", "order_failed"):
        failed[line["orderId"]] = failed.get(line["orderId"], 0) + 1
    return Report(
        processed=processed,
        failed_attempts=failed,
        dlq=queue_depth(stack, stack.dlq),
        shards=records_per_shard(stack),
        summaries=log_lines(stack, "stream-processor", "batch_summary"),
        metrics=cloudwatch_figures(stack),
    )


def print_report(stack: Stack, report: Report) -> None:
    stack.say(f"\nOrder pipeline '{stack.prefix}': read back from {stack.endpoint_url or 'AWS'}")
    attempts = ", ".join(f"{order} x{count}" for order, count in report.failed_attempts.items()) or "none"
    stack.say(f"  orders processed         {len(report.processed)} ({len(set(report.processed))} distinct)")
    stack.say(f"  failed attempts          {attempts}")
    stack.say(f"  messages in the DLQ      {report.dlq}  ({stack.dlq})")
    stack.say("  records per shard        " + ", ".join(f"{s}: {n}" for s, n in report.shards.items()))
    by_type: dict[str, int] = {}
    for summary in report.summaries:
        for event_type, count in summary["byType"].items():
            by_type[event_type] = by_type.get(event_type, 0) + count
    stack.say(f"  stream batches           {len(report.summaries)}, events by type {by_type}")
    for summary in report.summaries[-3:]:
        hot = len(summary["alerts"])
        stack.say(
            f"    batch of {summary['records']:>2}: {summary['byType']} {summary['shards']} alerts: {hot}"
        )
    if report.metrics is None:
        stack.say("  CloudWatch metrics       not served by this endpoint yet")
    else:
        stack.say("  CloudWatch metrics (sum over the last day)")
        for name, value in report.metrics.items():
            stack.say(f"    {name:<38} {value:g}")


# -- waiting for the pipeline ------------------------------------------------------------------------------


def millpond_health(stack: Stack) -> dict[str, Any] | None:
    if stack.endpoint_url is None:
        return None
    try:
        with urllib.request.urlopen(f"{stack.endpoint_url.rstrip('/')}/_millpond/health", timeout=5) as reply:
            return dict(json.loads(reply.read()))
    except (OSError, ValueError):
        return None


def advance_clock(stack: Stack, seconds: float) -> None:
    assert stack.endpoint_url is not None
    request = urllib.request.Request(
        f"{stack.endpoint_url.rstrip('/')}/_millpond/clock",
        data=json.dumps({"advance": seconds}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def wait_for_pipeline(stack: Stack, sent: Sent, advance: bool, timeout: float = 90.0) -> None:
    """Wait until the good orders are processed and every event is summarised; on millpond, move the virtual
    clock past the 300 s visibility timeout until the flagged orders reach the DLQ."""
    stack.say("Waiting for the processors")
    deadline = time.monotonic() + timeout
    good, events = set(sent.good_orders), len(sent.events)
    while True:
        processed = {line["orderId"] for line in log_lines(stack, "order-processor", "order_processed")}
        summarised = sum(s["records"] for s in log_lines(stack, "stream-processor", "batch_summary"))
        done = good <= processed and summarised >= events
        late = time.monotonic() > deadline
        line = bar(len(good & processed) + summarised, len(good) + events, "orders and events processed")
        show(stack, line, done or late)
        if done:
            break
        if late:
            stack.say("  still processing; the report shows what is done so far")
            return
        time.sleep(0.5)
    if not sent.flagged_orders:
        return
    if not advance or millpond_health(stack) is None:
        stack.say(
            "  the flagged orders come back every 300 s (visibility timeout) and reach the DLQ after 3 tries"
        )
        return
    stack.say("  advancing the virtual clock past the 300 s visibility timeout so flagged orders are retried")
    moved = 0
    while queue_depth(stack, stack.dlq) < len(sent.flagged_orders) and time.monotonic() < deadline:
        advance_clock(stack, 301)
        moved += 301
        stack.say("    +301 s")
        for _ in range(20):
            time.sleep(0.25)
            if queue_depth(stack, stack.dlq) >= len(sent.flagged_orders):
                break
    stack.say(
        f"  millpond's virtual clock is now {moved} s ahead of real time and stays ahead (its time never"
        " runs backwards):\n  `millpond reset` wipes all state and puts it back;"
        " `traffic --no-advance` leaves it alone"
    )
