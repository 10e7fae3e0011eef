"""The CloudWatch console pages a user browses by hand: the metrics page (namespace -> dimension -> metric,
graphed), an alarm created from a metric, and a log group's events with readable times, emoji and
non-Latin text, filtered by a pattern."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from playwright.sync_api import expect

from tests.support.server import ServerProcess

from .conftest import Shots

NAMESPACE = "Lab/Orders"
GROUP = "/aws/lambda/user3-sqs-processor"
LINES = [
    "❌ Simulating failure for order ORD-1",
    "✅ Successfully processed order ORD-2",
    "注文 ORD-3 を処理しました 📦",
]


def test_metrics_alarm_and_logs(page: Any, shots: Shots, console_server: ServerProcess) -> None:
    cw = console_server.client("cloudwatch")
    now = console_server.get("/_millpond/clock")["now"]
    for i, value in enumerate((3.0, 5.0, 8.0)):
        cw.put_metric_data(
            Namespace=NAMESPACE,
            MetricData=[
                {
                    "MetricName": "OrdersPlaced",
                    "Dimensions": [{"Name": "Shop", "Value": "Zürich"}],
                    "Value": value,
                    "Unit": "Count",
                    "Timestamp": now - 600 + i * 120,
                }
            ],
        )
    page.goto("/_millpond/console/#/metrics")
    page.get_by_role("button", name=NAMESPACE).click()
    page.get_by_role("button", name="Shop").click()
    page.get_by_label("Zürich OrdersPlaced", exact=True).check()
    page.get_by_label("Period", exact=True).select_option(label="1 minute")
    chart = page.get_by_test_id("metrics-chart")
    expect(chart.locator("circle.point")).to_have_count(3)
    expect(chart.get_by_role("listitem")).to_have_text(["Zürich OrdersPlaced"])
    chart.locator("svg.chart").hover()
    expect(chart.get_by_role("tooltip")).to_contain_text("Zürich OrdersPlaced: ")
    page.get_by_role("button", name="Create alarm").click()
    form = page.get_by_role("form", name="Create alarm")
    form.get_by_label("Statistic").select_option("Maximum")
    form.get_by_label("Threshold value").fill("")
    form.get_by_role("button", name="Create alarm").click()
    for message in ("Threshold must be a number.", "Alarm name is required."):
        expect(form.get_by_role("alert").filter(has_text=message)).to_be_visible()
    form.get_by_label("Threshold value").fill("7")
    form.get_by_label("Alarm name", exact=True).fill("user3-orders-high")
    shots("create-alarm")
    form.get_by_role("button", name="Create alarm").click()
    expect(page.get_by_test_id("alarms-table")).to_contain_text("user3-orders-high")
    [alarm] = cw.describe_alarms(AlarmNames=["user3-orders-high"])["MetricAlarms"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"], alarm["Threshold"]) == (
        NAMESPACE,
        "OrdersPlaced",
        "Maximum",
        7.0,
    )
    assert alarm["Dimensions"] == [{"Name": "Shop", "Value": "Zürich"}]
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"

    # A dashboard with a Text and a Stacked area widget, a 1 h time range, saved and deleted from the list.
    page.goto("/_millpond/console/#/dashboards")
    page.get_by_role("button", name="Create dashboard").click()
    page.get_by_label("Dashboard name").fill("user3 orders")
    page.get_by_role("dialog").get_by_role("button", name="Create dashboard").click()
    invalid = "The value for field DashboardName contains invalid characters."
    expect(page.get_by_role("dialog").get_by_role("alert").filter(has_text=invalid)).to_be_visible()
    page.get_by_label("Dashboard name").fill("user3-orders")
    page.get_by_role("dialog").get_by_role("button", name="Create dashboard").click()
    page.get_by_role("button", name="Add widget").click()
    editor = page.get_by_role("dialog", name="Add widget")
    editor.get_by_label("Text", exact=True).check()
    editor.get_by_label("Markdown").fill("# Orders 📦\n注文の処理")
    editor.get_by_role("button", name="Create widget").click()
    page.get_by_role("button", name="Add widget").click()
    editor.get_by_label("Stacked area", exact=True).check()
    editor.get_by_role("button", name=NAMESPACE).click()
    editor.get_by_role("button", name="Shop").click()
    editor.get_by_label("Zürich OrdersPlaced", exact=True).check()
    editor.get_by_label("Widget title").fill("Orders by shop")
    editor.get_by_role("button", name="Create widget").click()
    expect(page.get_by_role("region", name="Text")).to_contain_text("注文の処理")
    expect(page.get_by_role("region", name="Orders by shop").locator("path[fill-opacity]")).to_have_count(1)
    page.get_by_role("group", name="Time range").get_by_role("button", name="1h").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("dashboard-status")).to_have_text("Dashboard saved.")
    shots("dashboard-text-and-stacked")
    body = json.loads(cw.get_dashboard(DashboardName="user3-orders")["DashboardBody"])
    assert body["start"] == "-PT1H"
    text, stacked = body["widgets"]
    assert text["type"] == "text" and text["properties"]["markdown"] == "# Orders 📦\n注文の処理"
    assert stacked["properties"]["stacked"] is True and stacked["properties"]["view"] == "timeSeries"
    assert stacked["properties"]["metrics"] == [[NAMESPACE, "OrdersPlaced", "Shop", "Zürich"]]
    page.goto("/_millpond/console/#/dashboards")
    page.get_by_role("button", name="Delete user3-orders").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("dashboards-table")).to_have_count(1)
    expect(page.get_by_role("link", name="user3-orders")).to_have_count(0)
    assert cw.list_dashboards()["DashboardEntries"] == []

    logs = console_server.client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="2026/12/02/[$LATEST]abc")
    stamp = int(now * 1000)
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="2026/12/02/[$LATEST]abc",
        logEvents=[{"timestamp": stamp + i, "message": line} for i, line in enumerate(LINES)],
    )
    page.goto("/_millpond/console/#/logs")
    page.get_by_role("link", name=GROUP).click()
    events = page.get_by_test_id("log-events-table")
    for line in LINES:
        expect(events).to_contain_text(line)
    local = time.strftime("%H:%M", time.localtime(now))
    expect(events.locator("td").first).to_have_text(re.compile(rf"\d{{4}}, {local}:\d\d"))
    page.get_by_test_id("log-filter").fill("ORD-2")
    page.get_by_test_id("log-search").click()
    expect(events.locator("pre")).to_have_text([LINES[1]])
    shots("log-events")


def test_number_widget_shows_every_value(page: Any, shots: Shots, console_server: ServerProcess) -> None:
    """Twelve values in a 6 x 6 number widget: all of them in view (the type shrinks to fit), none clipped."""
    cw = console_server.client("cloudwatch")
    shops = [f"shop-{i:02d}" for i in range(12)]
    cw.put_metric_data(
        Namespace="Lab/Numbers",
        MetricData=[
            {"MetricName": "Orders", "Dimensions": [{"Name": "Shop", "Value": shop}], "Value": float(i)}
            for i, shop in enumerate(shops)
        ],
    )
    metrics = [["Lab/Numbers", "Orders", "Shop", shop] for shop in shops]
    widget = {
        "view": "singleValue",
        "metrics": metrics,
        "stat": "Sum",
        "period": 300,
        "title": "Twelve",
        "region": "us-east-1",
    }
    body = {"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 6, "height": 6, "properties": widget}]}
    cw.put_dashboard(DashboardName="numbers", DashboardBody=json.dumps(body))
    page.goto("/_millpond/console/#/dashboard?name=numbers")
    values = page.get_by_role("region", name="Twelve").get_by_test_id("widget-number")
    expect(values).to_have_count(12)
    expect(values).to_have_text([str(i) for i in range(12)])
    for value in values.all():
        expect(value).to_be_in_viewport()
    shots("twelve-numbers")
    # A custom absolute range, saved as ISO 8601 start and end.
    expect(page.get_by_role("button", name="Copy dashboard ARN")).to_be_visible()
    page.get_by_role("button", name="Custom").click()
    page.get_by_label("Custom start").fill("2026-01-05T10:00")
    page.get_by_label("Custom end").fill("2026-01-05T12:30")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("range-note")).to_contain_text("Jan 5, 2026")
    page.get_by_label("Refresh interval").select_option(label="1 minute")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("dashboard-status")).to_have_text("Dashboard saved.")
    saved = json.loads(cw.get_dashboard(DashboardName="numbers")["DashboardBody"])
    start = time.mktime(time.strptime("2026-01-05 10:00", "%Y-%m-%d %H:%M"))
    assert saved["start"] == time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(start))
    assert saved["end"] == time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(start + 2.5 * 3600))
