"""The console's functions end to end: open a function with an SQS trigger, run a test invoke, read its
log lines on the Monitor tab, disable the trigger under Configuration -> Triggers and see its state change."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from playwright.sync_api import expect

from tests.support.server import ServerProcess

from .conftest import Shots

HANDLER = """
def handler(event, context):
    print("console test got", event.get("greeting", "a batch"))
    return {"ok": True, "echo": event.get("greeting")}
"""


def zip_of(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def test_function_invoke_logs_and_trigger(page: Any, shots: Shots, console_server: ServerProcess) -> None:
    sqs, lambda_ = console_server.client("sqs"), console_server.client("lambda")
    queue_url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lambda_.create_function(
        FunctionName="worker",
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/lambda-role",
        Handler="app.handler",
        Code={"ZipFile": zip_of(HANDLER)},
    )
    lambda_.create_event_source_mapping(FunctionName="worker", EventSourceArn=queue_arn, BatchSize=5)

    page.goto("/_millpond/console/#/functions")
    page.get_by_test_id("function-link-worker").click()
    expect(page.get_by_test_id("function-title")).to_have_text("worker")
    expect(page.get_by_test_id("code-size")).not_to_have_text("")
    shots("configuration")

    page.get_by_role("tab", name="Test").click()
    page.get_by_label("Event name").fill("greeting")
    page.get_by_label("Event JSON").fill('{"greeting": "hello from the console"}')
    page.get_by_role("button", name="Test", exact=True).click()
    expect(page.get_by_test_id("invoke-status")).to_have_text("200", timeout=30_000)
    expect(page.get_by_test_id("invoke-payload")).to_contain_text('"echo": "hello from the console"')
    expect(page.get_by_test_id("invoke-log")).to_contain_text("console test got hello from the console")
    expect(page.get_by_test_id("invoke-duration")).to_contain_text("ms")
    expect(page.get_by_label("Saved event")).to_contain_text("greeting")
    shots("test-invoke")

    page.get_by_role("tab", name="Monitor").click()
    expect(page.get_by_role("link", name="View CloudWatch logs")).to_be_visible()
    expect(page.get_by_test_id("log-events-table")).to_contain_text("console test got hello from the console")
    shots("monitor")

    page.get_by_role("tab", name="Configuration").click()
    page.get_by_role("navigation", name="Configuration").get_by_role("button", name="Triggers").click()
    expect(page.get_by_test_id("mapping-state")).to_have_text("Enabled")
    expect(page.get_by_test_id("mappings-table")).to_contain_text("SQS: jobs")
    page.get_by_test_id("mapping-disable").click()
    expect(page.get_by_test_id("mapping-state")).to_have_text("Disabled")
    expect(page.get_by_test_id("mapping-enable")).to_be_visible()
    shots("trigger-disabled")
