"""The console's CloudWatch dashboards end to end: traffic through SQS, Kinesis and Lambda, a dashboard made
with aws cloudwatch put-dashboard, and its line, stacked-area, number and text widgets drawn with data."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import expect

from tests.support.server import ServerProcess, run_aws

from .conftest import Shots


def metric_widget(
    x: int, y: int, width: int, height: int, title: str, metrics: list[list[str]], **properties: Any
) -> dict[str, Any]:
    options = {"view": "timeSeries", "stat": "Sum", "period": 60, "region": "us-east-1", **properties}
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": width,
        "height": height,
        "properties": {"title": title, "metrics": metrics, **options},
    }


def test_dashboard_widgets_draw_traffic(page: Any, shots: Shots, console_server: ServerProcess) -> None:
    queue_url = run_aws(console_server, "sqs", "create-queue", "--queue-name", "dash-orders").stdout
    url = json.loads(queue_url)["QueueUrl"]
    for i in range(5):
        run_aws(console_server, "sqs", "send-message", "--queue-url", url, "--message-body", f"order {i}")
    run_aws(console_server, "kinesis", "create-stream", "--stream-name", "dash-clicks", "--shard-count", "1")
    run_aws(console_server, "kinesis", "wait", "stream-exists", "--stream-name", "dash-clicks")
    for i in range(3):
        args = ["--stream-name", "dash-clicks", "--partition-key", f"k{i}", "--data", f"click {i}"]
        run_aws(console_server, "kinesis", "put-record", *args)
    sent = ["AWS/SQS", "NumberOfMessagesSent", "QueueName", "dash-orders"]
    records = ["AWS/Kinesis", "IncomingRecords", "StreamName", "dash-clicks"]
    text = {"markdown": "# Orders\nTraffic from the **console** tests"}
    body = {
        "widgets": [
            {"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": text},
            metric_widget(0, 2, 12, 6, "Messages sent", [sent], period=60),
            metric_widget(
                12, 2, 12, 6, "Stream traffic", [records, [".", "IncomingBytes", ".", "."]], stacked=True
            ),
            # The total over the time range: an hourly period would split sends made across the hour.
            metric_widget(0, 8, 6, 3, "Sent (number)", [sent], view="singleValue", setPeriodToTimeRange=True),
        ]
    }
    run_aws(
        console_server,
        "cloudwatch",
        "put-dashboard",
        "--dashboard-name",
        "traffic",
        "--dashboard-body",
        json.dumps(body),
    )

    page.goto("/_millpond/console/#/dashboards")
    page.get_by_test_id("dashboard-link-traffic").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("traffic")
    expect(page.get_by_test_id("widget-text")).to_contain_text("Traffic from the console tests")
    metric_widgets = page.get_by_test_id("widget-metric")
    expect(metric_widgets).to_have_count(3)
    line = metric_widgets.nth(0)
    expect(line.locator("path[data-series]")).to_have_count(1)
    expect(line.locator("circle.point").first).to_be_attached()
    stacked = metric_widgets.nth(1)
    expect(stacked.locator("path[data-series]")).to_have_count(2)
    expect(stacked.locator("path[fill-opacity]")).to_have_count(2)
    expect(page.get_by_test_id("widget-number")).to_have_text("5")
    points = line.locator("circle.point title").all_text_contents()
    assert sum(float(p.rsplit(": ", 1)[1]) for p in points) == 5
    shots("dashboard")
