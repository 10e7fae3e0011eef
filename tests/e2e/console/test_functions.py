"""The console's functions end to end: open a function with an SQS trigger, run a test invoke, read its
log lines, disable the trigger and see its state change."""

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

    page.get_by_test_id("tab-test").click()
    page.get_by_test_id("event-name").fill("greeting")
    page.get_by_test_id("test-payload").fill('{"greeting": "hello from the console"}')
    page.get_by_test_id("invoke").click()
    expect(page.get_by_test_id("invoke-status")).to_have_text("200", timeout=30_000)
    expect(page.get_by_test_id("invoke-payload")).to_contain_text('"echo": "hello from the console"')
    expect(page.get_by_test_id("invoke-log")).to_contain_text("console test got hello from the console")
    expect(page.get_by_test_id("invoke-duration")).to_contain_text("ms")
    expect(page.get_by_test_id("saved-events")).to_contain_text("greeting")
    shots("test-invoke")

    page.get_by_test_id("tab-logs").click()
    expect(page.get_by_test_id("log-events-table")).to_contain_text("console test got hello from the console")
    shots("logs")

    page.get_by_test_id("tab-triggers").click()
    expect(page.get_by_test_id("mapping-state")).to_have_text("Enabled")
    expect(page.get_by_test_id("mappings-table")).to_contain_text("jobs")
    page.get_by_test_id("mapping-disable").click()
    expect(page.get_by_test_id("mapping-state")).to_have_text("Disabled")
    expect(page.get_by_test_id("mapping-enable")).to_be_visible()
    shots("trigger-disabled")
