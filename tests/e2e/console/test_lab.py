"""The lab's console steps (Lab 4, "Queue and Stream Processing") done in millpond's console as a user would:
every field and button found by the label or role the lab's words give it, and the state checked through
boto3 after each task. Tasks 1 and 2 (queues with a DLQ, a stream), the 9.2 / 9.4 monitoring checks (a
failing order ends in the DLQ after the virtual clock is advanced from the page), Task 10 (the dashboard's
three widgets, saved and reopened), the log groups of 11.1 and the clean-up."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

from playwright.sync_api import expect

from tests.support.server import ServerProcess

from .conftest import Shots

USER = "user3"
DLQ = f"{USER}-order-dlq"
QUEUE = f"{USER}-order-processing-queue"
STREAM = f"{USER}-analytics-stream"
DASHBOARD = f"{USER}-messaging-dashboard"
DAYS_14 = str(14 * 86400)
FUNCTION = f"{USER}-sqs-processor"
PROCESSOR = """
import json
def lambda_handler(event, context):
    for record in event.get("Records", []):
        order = json.loads(record["body"])
        if order.get("simulateFailure"):
            print(f"❌ Simulating failure for order {order['orderId']}")
            raise Exception(f"Simulated processing failure for order {order['orderId']}")
        print(f"✅ Successfully processed order {order['orderId']}")
    return {"batchItemFailures": []}
"""


def console(page: Any, path: str = "") -> None:
    page.goto(f"/_millpond/console/#/{path}")


def set_duration(page: Any, label: str, value: int, unit: str) -> None:
    page.get_by_label(label, exact=True).fill(str(value))
    page.get_by_label(f"{label} unit", exact=True).select_option(label=unit)


def add_tag(page: Any, key: str, value: str) -> None:
    page.get_by_role("button", name="Add new tag").click()
    page.get_by_label("Key", exact=True).fill(key)
    page.get_by_label("Value", exact=True).fill(value)


def create_queue(page: Any, name: str, visibility: int, wait: int, dlq: str | None = None) -> None:
    console(page, "queues")
    page.get_by_role("button", name="Create queue").click()
    page.get_by_label("Standard", exact=True).check()
    page.get_by_label("Name", exact=True).fill(name)
    set_duration(page, "Visibility timeout", visibility, "Seconds")
    set_duration(page, "Message retention period", 14, "Days")
    set_duration(page, "Delivery delay", 0, "Seconds")
    page.get_by_label("Receive message wait time (seconds)").fill(str(wait))
    if dlq is not None:
        page.locator("fieldset", has_text="Dead-letter queue").get_by_label("Enabled", exact=True).check()
        page.get_by_label("Choose queue").select_option(label=dlq)
        page.get_by_label("Maximum receives").fill("3")
    page.get_by_label("Advanced", exact=True).check()  # the access policy: left as the default shown
    expect(page.get_by_label("Access policy (JSON)")).to_have_value(re.compile('"__owner_statement"'))
    add_tag(page, "Project", "ServerlessLab")
    page.get_by_role("button", name="Create queue").click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def queue_state(sqs: Any, name: str) -> tuple[str, dict[str, str], dict[str, str]]:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return url, attributes, sqs.list_queue_tags(QueueUrl=url).get("Tags", {})


def task1_queues(page: Any, shots: Shots, server: ServerProcess) -> None:
    sqs = server.client("sqs")
    create_queue(page, DLQ, visibility=30, wait=0)
    page.get_by_role("tab", name="Details").click()
    dlq_arn = page.get_by_test_id("queue-arn").inner_text()
    expect(page.get_by_role("button", name="Copy ARN")).to_be_visible()
    shots("task1-dlq-details")
    url, attributes, tags = queue_state(sqs, DLQ)
    assert attributes["QueueArn"] == dlq_arn
    assert {k: attributes[k] for k in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds")} == {
        "VisibilityTimeout": "30",
        "MessageRetentionPeriod": DAYS_14,
        "DelaySeconds": "0",
    }
    assert attributes["ReceiveMessageWaitTimeSeconds"] == "0" and tags == {"Project": "ServerlessLab"}

    create_queue(page, QUEUE, visibility=300, wait=20, dlq=DLQ)
    page.get_by_role("tab", name="Details").click()
    queue_url = page.get_by_test_id("queue-url").inner_text()
    url, attributes, tags = queue_state(sqs, QUEUE)
    assert queue_url == url
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}
    assert {k: attributes[k] for k in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds")} == {
        "VisibilityTimeout": "300",
        "MessageRetentionPeriod": DAYS_14,
        "DelaySeconds": "0",
    }
    assert attributes["ReceiveMessageWaitTimeSeconds"] == "20" and tags == {"Project": "ServerlessLab"}
    assert json.loads(attributes["Policy"])["Statement"][0]["Sid"] == "__owner_statement"

    # Step 1.3: the Dead Letter Queue tab shows Maximum receives 3; the Monitoring tab its charts.
    page.get_by_role("tab", name="Dead-letter queue").click()
    expect(page.get_by_test_id("dlq-max-receives")).to_have_text("3")
    shots("task1-dead-letter-tab")
    page.get_by_role("tab", name="Monitoring").click()
    for title in ("Number Of Messages Sent", "Number Of Messages Received", "Number Of Messages Deleted"):
        expect(page.get_by_role("region", name=title)).to_be_visible()
    shots("task1-monitoring")


def task2_stream(page: Any, shots: Shots, server: ServerProcess) -> None:
    console(page, "streams")
    page.get_by_role("button", name="Create data stream").click()
    page.get_by_label("Data stream name").fill(STREAM)
    page.get_by_label("Provisioned", exact=True).check()
    page.get_by_label("Number of shards").fill("2")
    set_duration(page, "Data retention period", 24, "Hours")
    page.locator("fieldset", has_text="Server-side encryption").get_by_label("Disabled", exact=True).check()
    add_tag(page, "Project", "ServerlessLab")
    shots("task2-create-stream")
    page.get_by_role("button", name="Create data stream").click()
    expect(page.get_by_test_id("stream-status")).to_have_text("Active")
    stream_arn = page.get_by_test_id("stream-arn").inner_text()
    expect(page.get_by_role("button", name="Copy ARN")).to_be_visible()
    page.get_by_role("tab", name="Shards").click()
    expect(page.locator('[data-testid="shards-table"] tbody tr')).to_have_count(2)
    shots("task2-shards")
    page.get_by_role("tab", name="Tags").click()
    expect(page.get_by_test_id("stream-tags-table")).to_contain_text("ServerlessLab")
    page.get_by_role("tab", name="Monitoring").click()
    for title in ("Incoming records", "Outgoing records", "Iterator age"):
        expect(page.get_by_role("region", name=title, exact=True)).to_be_visible()

    kinesis = server.client("kinesis")
    summary = kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]
    assert summary["StreamARN"] == stream_arn and summary["StreamStatus"] == "ACTIVE"
    assert summary["StreamModeDetails"]["StreamMode"] == "PROVISIONED" and summary["OpenShardCount"] == 2
    assert summary["RetentionPeriodHours"] == 24 and summary.get("EncryptionType", "NONE") == "NONE"
    tags = kinesis.list_tags_for_stream(StreamName=STREAM)["Tags"]
    assert tags == [{"Key": "Project", "Value": "ServerlessLab"}]


def advance_clock(page: Any, seconds: int) -> None:
    page.get_by_label("Seconds to advance").fill(str(seconds))
    page.get_by_role("button", name="Advance clock").click()
    expect(page.locator("#toast")).to_contain_text(f"Clock advanced {seconds} s")


def orders(count: int, failing: bool) -> list[dict[str, Any]]:
    return [
        {"orderId": f"ORD-{i:04d}", "amount": round(50 + i * 25.99, 2), "simulateFailure": failing and i == 0}
        for i in range(count)
    ]


def task9_monitoring(page: Any, shots: Shots, server: ServerProcess) -> None:
    """9.1 as the producer and processor would do it (boto3: the functions are another part's), 9.2 and 9.4
    in the console: the failing order is received three times, the clock advanced past the visibility
    timeout from the page each time, and the fourth receive moves it to the DLQ."""
    sqs = server.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    for order in orders(3, False) + orders(2, True):
        attributes = {"MessageType": {"DataType": "String", "StringValue": "OrderProcessing"}}
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(order), MessageAttributes=attributes)
    console(page, "queues")
    page.get_by_role("link", name=QUEUE, exact=True).click()
    for attempt in range(4):
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in received.get("Messages", []):
            if not json.loads(message["Body"])["simulateFailure"]:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if attempt < 3:
            assert len(received.get("Messages", [])) >= 1
            advance_clock(page, 301)
        else:
            assert "Messages" not in received  # the failed order went to the DLQ on this receive
    page.get_by_role("tab", name="Monitoring").click()
    sent = page.get_by_role("region", name="Number Of Messages Sent")
    expect(sent.locator("circle.point").first).to_be_attached()
    deleted = page.get_by_role("region", name="Number Of Messages Deleted")
    expect(deleted.locator("circle.point").first).to_be_attached()
    shots("task9-queue-monitoring")

    console(page, "queues")
    page.get_by_role("link", name=DLQ, exact=True).click()
    page.get_by_role("button", name="Send and receive messages").click()
    page.get_by_label("Polling duration (seconds)").fill("1")
    page.get_by_role("button", name="Poll for messages").click()
    expect(page.get_by_test_id("poll-status")).to_contain_text("Polling finished: 1 messages received")
    expect(page.get_by_test_id("messages-table")).to_contain_text('"simulateFailure": true')
    expect(page.get_by_test_id("messages-table")).to_contain_text("MessageType (String) = OrderProcessing")
    shots("task9-dlq-poll")
    dlq_url = sqs.get_queue_url(QueueName=DLQ)["QueueUrl"]
    counts = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"  # the poll holds it in flight

    kinesis = server.client("kinesis")
    console(page, "streams")
    page.get_by_role("link", name=STREAM).click()
    page.get_by_role("tab", name="Monitoring").click()
    page.get_by_role("tab", name="Shards").click()
    page.get_by_role("button", name="Shard-level metrics").click()
    page.get_by_role("button", name="Enable shard-level metrics").click()
    expect(page.get_by_test_id("shard-level-metrics")).to_contain_text("Enabled: ")
    records = [
        {"Data": json.dumps({"eventType": "user_activity", "n": i}).encode(), "PartitionKey": f"user-{i}"}
        for i in range(15)
    ]
    kinesis.put_records(StreamName=STREAM, Records=records)
    for shard in kinesis.list_shards(StreamName=STREAM)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=STREAM, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        kinesis.get_records(ShardIterator=iterator)
    advance_clock(page, 60)
    for title in ("Incoming records", "Outgoing records", "Iterator age"):
        chart = page.get_by_role("region", name=title, exact=True)
        expect(chart.locator("circle.point").first).to_be_attached()
    per_shard = page.get_by_role("region", name="IncomingRecords per shard")
    expect(per_shard.locator("path[data-series]")).to_have_count(2)
    expect(per_shard.get_by_role("listitem")).to_have_text(["shardId-000000000000", "shardId-000000000001"])
    shots("task9-stream-monitoring")
    summary = kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]
    assert "IncomingRecords" in summary["EnhancedMonitoring"][0]["ShardLevelMetrics"]


def processor_invoked(server: ServerProcess) -> None:
    """The lab's SQS processor (deployed with the AWS CLI in Task 4), invoked once well and once failing."""
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("sqs_processor.py", PROCESSOR)
    lam = server.client("lambda")
    lam.create_function(
        FunctionName=FUNCTION,
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/user3-messaging-lambda-role",
        Handler="sqs_processor.lambda_handler",
        Code={"ZipFile": code.getvalue()},
        Timeout=60,
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=FUNCTION)
    for failing in (False, True):
        event = {"Records": [{"body": json.dumps({"orderId": "ORD-1", "simulateFailure": failing})}]}
        reply = lam.invoke(FunctionName=FUNCTION, Payload=json.dumps(event).encode())
        assert ("FunctionError" in reply) is failing


def add_widget(page: Any, kind: str, namespace: str, picks: list[tuple[str, str, str]], title: str) -> None:
    """Add widget -> kind -> Browse namespace and dimension, tick metrics -> Graphed metrics -> title."""
    page.get_by_role("button", name="Add widget").click()
    editor = page.get_by_role("dialog", name="Add widget")
    editor.get_by_label(kind, exact=True).check()
    for chosen in sorted({pick_group for _, _, pick_group in picks}):
        editor.get_by_role("button", name="All metrics").click()
        editor.get_by_role("button", name=namespace).click()
        editor.get_by_role("button", name=chosen).click()
        for label, _, pick_group in picks:
            if pick_group == chosen:
                editor.get_by_label(label, exact=True).check()
    editor.get_by_role("tab", name="Graphed metrics").click()
    for label, stat, _ in picks:
        editor.get_by_label(f"Statistic for {label}", exact=True).select_option(stat)
        editor.get_by_label(f"Period for {label}", exact=True).select_option(label="1 minute")
    editor.get_by_label("Widget title").fill(title)
    editor.get_by_role("button", name="Create widget").click()
    expect(page.get_by_role("region", name=title)).to_be_visible()


def task10_dashboard(page: Any, shots: Shots, server: ServerProcess) -> None:
    processor_invoked(server)
    advance_clock(page, 60)  # the minute's gauges and counts are published
    console(page, "dashboards")
    page.get_by_role("button", name="Create dashboard").click()
    page.get_by_label("Dashboard name").fill(DASHBOARD)
    page.get_by_role("dialog").get_by_role("button", name="Create dashboard").click()
    expect(page.get_by_role("heading", name=DASHBOARD)).to_be_visible()

    queue_group, stream_group, shard_group = "Queue Metrics", "Stream Metrics", "Shard Metrics"
    # A DLQ's NumberOfMessagesSent exists only once something is sent to it by hand: AWS does not count
    # the messages moved there after failed receives, so the browser does not list it for the DLQ.
    sqs_picks = [
        (f"{queue} {metric}", stat, queue_group)
        for queue in (DLQ, QUEUE)
        for metric, stat in (
            ("NumberOfMessagesSent", "Sum"),
            ("NumberOfMessagesReceived", "Sum"),
            ("ApproximateNumberOfMessagesVisible", "Average"),
        )
        if (queue, metric) != (DLQ, "NumberOfMessagesSent")
    ]
    add_widget(page, "Line", "AWS/SQS", sqs_picks, "SQS Queue Metrics")
    kinesis_picks = [(f"{STREAM} IncomingRecords", "Sum", stream_group)] + [
        (f"shardId-00000000000{i} {STREAM} OutgoingRecords", "Sum", shard_group) for i in (0, 1)
    ]
    add_widget(page, "Line", "AWS/Kinesis", kinesis_picks, "Kinesis Stream Metrics")
    lambda_picks = [
        (f"{FUNCTION} {m}", s, "By Function Name")
        for m, s in (("Invocations", "Sum"), ("Errors", "Sum"), ("Duration", "Average"))
    ]
    add_widget(page, "Number", "AWS/Lambda", lambda_picks, "Lambda Function Metrics")

    # Resize the number widget by its corner: two grid rows taller.
    number = page.get_by_role("region", name="Lambda Function Metrics")
    corner = number.get_by_role("button", name="Resize Lambda Function Metrics")
    corner.scroll_into_view_if_needed()
    handle = corner.bounding_box()
    page.mouse.move(handle["x"] + 5, handle["y"] + 5)
    page.mouse.down()
    page.mouse.move(handle["x"] + 5, handle["y"] + 5 + 2 * 48, steps=4)
    page.mouse.up()
    # Move it by its title, twelve columns (half the dashboard) to the right.
    title = number.get_by_role("heading", name="Lambda Function Metrics")
    start = title.bounding_box()
    column = (page.get_by_test_id("dashboard").bounding_box()["width"] + 8) / 24
    page.mouse.move(start["x"] + 10, start["y"] + 5)
    page.mouse.down()
    page.mouse.move(start["x"] + 10 + 12 * column, start["y"] + 5, steps=6)
    page.mouse.up()
    expect(page.get_by_test_id("dashboard-status")).to_have_text("You have unsaved changes.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("dashboard-status")).to_have_text("Dashboard saved.")

    body = json.loads(server.client("cloudwatch").get_dashboard(DashboardName=DASHBOARD)["DashboardBody"])
    sqs_widget, kinesis_widget, lambda_widget = body["widgets"]
    assert [w["properties"]["title"] for w in body["widgets"]] == [
        "SQS Queue Metrics",
        "Kinesis Stream Metrics",
        "Lambda Function Metrics",
    ]
    assert sqs_widget["type"] == "metric" and sqs_widget["properties"]["view"] == "timeSeries"
    assert sqs_widget["properties"]["period"] == 60 and sqs_widget["properties"]["stat"] == "Sum"
    assert ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", QUEUE, {"stat": "Average"}] in (
        sqs_widget["properties"]["metrics"]
    )
    assert ["AWS/SQS", "NumberOfMessagesSent", "QueueName", QUEUE] in sqs_widget["properties"]["metrics"]
    assert len(kinesis_widget["properties"]["metrics"]) == 3 and kinesis_widget["properties"]["stat"] == "Sum"
    assert lambda_widget["properties"]["view"] == "singleValue" and lambda_widget["height"] == 8
    assert lambda_widget["properties"]["setPeriodToTimeRange"] is True
    assert (lambda_widget["x"], lambda_widget["y"]) == (12, 6) and (
        kinesis_widget["x"],
        kinesis_widget["y"],
    ) == (12, 0)
    assert ["AWS/Lambda", "Invocations", "FunctionName", FUNCTION] in lambda_widget["properties"]["metrics"]
    assert body["start"] == "-PT3H"

    # Reopened from the list: every series in the legend, a line for each that has data, the numbers.
    console(page, "dashboards")
    page.get_by_role("link", name=DASHBOARD).click()
    sqs_chart = page.get_by_role("region", name="SQS Queue Metrics")
    expect(sqs_chart.get_by_role("listitem")).to_have_count(5)
    for item in sqs_chart.get_by_role("listitem").all():
        expect(item).to_be_in_viewport()
    expect(sqs_chart.locator("path[data-series]")).to_have_count(series_with_data(server, sqs_widget))
    sqs_chart.locator("svg.chart").hover(position={"x": 400, "y": 40})
    tip = sqs_chart.get_by_role("tooltip")
    expect(tip.locator(".tip-row")).to_have_count(5)
    expect(tip).to_contain_text(f"{QUEUE} NumberOfMessagesSent: ")
    expect(tip).to_contain_text(" count")
    kinesis_chart = page.get_by_role("region", name="Kinesis Stream Metrics")
    expect(kinesis_chart.locator("path[data-series]")).to_have_count(3)
    numbers = page.get_by_role("region", name="Lambda Function Metrics").get_by_test_id("widget-number")
    expect(numbers).to_have_count(3)
    expect(numbers.nth(0)).to_have_text("2")  # Invocations
    expect(numbers.nth(1)).to_have_text("1")  # Errors
    shots("task10-dashboard")


def series_with_data(server: ServerProcess, widget: dict[str, Any]) -> int:
    """How many of the widget's metrics have datapoints in the last three hours (GetMetricStatistics)."""
    cw = server.client("cloudwatch")
    now = server.get("/_millpond/clock")["now"]
    found = 0
    for row in widget["properties"]["metrics"]:
        namespace, name, *pairs = [item for item in row if not isinstance(item, dict)]
        reply = cw.get_metric_statistics(
            Namespace=namespace,
            MetricName=name,
            Dimensions=[{"Name": pairs[i], "Value": pairs[i + 1]} for i in range(0, len(pairs), 2)],
            StartTime=now - 3 * 3600,
            EndTime=now + 60,
            Period=60,
            Statistics=["Sum"],
        )
        found += bool(reply["Datapoints"])
    return found


def task11_logs(page: Any, shots: Shots, server: ServerProcess) -> None:
    """11.1: CloudWatch -> Log groups -> the processor's group: its events, emoji and all, filtered."""
    console(page, "logs")
    page.get_by_role("link", name=f"/aws/lambda/{FUNCTION}").click()
    events = page.get_by_test_id("log-events-table")
    expect(events).to_contain_text("✅ Successfully processed order ORD-1")
    expect(events).to_contain_text("❌ Simulating failure for order ORD-1")
    page.get_by_test_id("log-filter").fill("Simulating")
    page.get_by_test_id("log-search").click()
    expect(events.locator("pre")).to_have_text(["❌ Simulating failure for order ORD-1"])
    shots("task11-logs")


def clean_up(page: Any, shots: Shots, server: ServerProcess) -> None:
    console(page, f"dashboard?name={DASHBOARD}")
    page.get_by_role("button", name="Delete dashboard").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Custom dashboards")).to_be_visible()
    console(page, f"stream?name={STREAM}")
    page.get_by_role("button", name="Delete").click()
    page.get_by_label("To confirm deletion, enter delete").fill("delete")
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Data streams")).to_be_visible()
    for queue in (QUEUE, DLQ):
        console(page, "queues")
        page.get_by_label(f"Select {queue}").check()
        page.get_by_role("button", name="Delete", exact=True).click()
        page.get_by_label("To confirm deletion, enter delete").fill("delete")
        page.get_by_role("dialog").get_by_role("button", name="Delete").click()
        expect(page.get_by_role("link", name=queue, exact=True)).to_have_count(0)
    shots("clean-up")
    assert server.client("sqs").list_queues(QueueNamePrefix=USER).get("QueueUrls", []) == []
    assert server.client("cloudwatch").list_dashboards(DashboardNamePrefix=USER)["DashboardEntries"] == []
    streams = server.client("kinesis").list_streams()["StreamNames"]
    assert STREAM not in streams or (
        server.client("kinesis").describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"][
            "StreamStatus"
        ]
        == "DELETING"
    )
    server.client("lambda").delete_function(FunctionName=FUNCTION)


def test_lab_console(page: Any, shots: Shots, console_server: ServerProcess) -> None:
    task1_queues(page, shots, console_server)
    task2_stream(page, shots, console_server)
    task9_monitoring(page, shots, console_server)
    task10_dashboard(page, shots, console_server)
    task11_logs(page, shots, console_server)
    clean_up(page, shots, console_server)
