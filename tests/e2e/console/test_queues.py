"""The console's queues end to end: create a queue with a DLQ through the forms, send, poll twice without
deleting, advance the virtual clock from the page, see the message in the DLQ, redrive it back."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import expect

from tests.support.server import ServerProcess

from .conftest import Shots


def create_queue(page: Any, name: str, dlq: str | None = None, max_receive: int = 2) -> None:
    page.goto("/_millpond/console/#/queues")
    page.get_by_test_id("create-queue").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Visibility timeout", exact=True).fill("30")
    if dlq is not None:
        page.locator("fieldset", has_text="Dead-letter queue").get_by_label("Enabled", exact=True).check()
        page.get_by_label("Choose queue").select_option(label=dlq)
        page.get_by_label("Maximum receives").fill(str(max_receive))
    page.get_by_test_id("create-queue-submit").click()
    expect(page.get_by_test_id("queue-title")).to_have_text(name)


def poll(page: Any) -> None:
    """Poll for messages and wait for the poll (a second of receives) to finish."""
    page.get_by_test_id("poll").click()
    expect(page.get_by_test_id("poll-status")).to_contain_text("Polling finished")


def advance_clock(page: Any, seconds: int) -> None:
    page.locator("#clock-seconds").fill(str(seconds))
    page.get_by_test_id("clock-advance").click()


def test_queue_dlq_and_redrive(page: Any, shots: Shots, console_server: ServerProcess) -> None:
    create_queue(page, "orders-dlq")
    create_queue(page, "orders", dlq="orders-dlq", max_receive=2)
    shots("queue-created")
    page.get_by_test_id("tab-details").click()
    expect(page.get_by_test_id("dlq-link")).to_have_text("orders-dlq")

    page.get_by_test_id("tab-messages").click()
    page.get_by_test_id("poll-duration").fill("1")
    page.get_by_test_id("send-body").fill('{"order": 42}')
    page.get_by_role("button", name="Add new attribute").click()
    page.get_by_label("Attribute name").fill("kind")
    page.get_by_label("Attribute value").fill("test")
    page.get_by_test_id("send-submit").click()
    expect(page.get_by_test_id("count-visible")).to_have_text("1")

    poll(page)
    expect(page.get_by_test_id("receive-count")).to_have_text("1")
    expect(page.get_by_test_id("count-inflight")).to_have_text("1")
    advance_clock(page, 31)
    poll(page)
    expect(page.get_by_test_id("receive-count")).to_have_text("2")
    shots("polled-twice")
    advance_clock(page, 31)
    # The third receive finds the message over maxReceiveCount and moves it to the DLQ.
    poll(page)
    expect(page.get_by_test_id("poll-empty")).to_be_visible()

    page.goto("/_millpond/console/#/queues")
    row = page.locator('[data-testid="queues-table"] tr[data-row="orders-dlq"]')
    expect(row.locator("td").nth(4)).to_have_text("1")
    shots("queue-list")
    page.get_by_test_id("queue-link-orders-dlq").click()
    expect(page.get_by_test_id("count-visible")).to_have_text("1")
    page.get_by_test_id("tab-dead-letter").click()
    expect(page.get_by_test_id("dlq-sources")).to_contain_text("orders")
    page.get_by_test_id("start-redrive").click()
    expect(page.get_by_test_id("move-tasks-table")).to_contain_text("COMPLETED")
    expect(page.get_by_test_id("count-visible")).to_have_text("0")
    shots("redrive-completed")

    page.goto("/_millpond/console/#/queues")
    row = page.locator('[data-testid="queues-table"] tr[data-row="orders"]')
    expect(row.locator("td").nth(4)).to_have_text("1")
    shots("message-back-in-source")


def test_queue_form_validation_and_edit(page: Any, shots: Shots, console_server: ServerProcess) -> None:
    page.goto("/_millpond/console/#/queues/new")
    page.get_by_label("Name", exact=True).fill("bad name!")
    page.get_by_label("Visibility timeout", exact=True).fill("13")
    page.get_by_label("Visibility timeout unit", exact=True).select_option(label="Hours")
    page.get_by_label("Delivery delay", exact=True).fill("16")
    page.get_by_label("Delivery delay unit", exact=True).select_option(label="Minutes")
    page.get_by_label("Receive message wait time (seconds)").fill("21")
    page.get_by_role("button", name="Create queue").click()
    for message in (
        "A queue name can have up to 80 characters. Valid values: alphanumeric characters, hyphens (-), "
        "and underscores (_).",
        "Visibility timeout must be between 0 seconds and 12 hours.",
        "Delivery delay must be between 0 seconds and 15 minutes.",
        "Receive message wait time must be between 0 and 20 seconds.",
    ):
        expect(page.get_by_role("alert").filter(has_text=message)).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    shots("validation")

    sqs = console_server.client("sqs")
    sqs.create_queue(QueueName="edited", Attributes={"VisibilityTimeout": "45"})
    # The API's own words when the queue exists with other attributes.
    page.get_by_label("Name", exact=True).fill("edited")
    page.get_by_label("Visibility timeout unit", exact=True).select_option(label="Seconds")
    page.get_by_label("Visibility timeout", exact=True).fill("30")
    page.get_by_label("Delivery delay", exact=True).fill("0")
    page.get_by_label("Receive message wait time (seconds)").fill("0")
    page.get_by_role("button", name="Create queue").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("QueueNameExists")

    url = sqs.get_queue_url(QueueName="edited")["QueueUrl"]
    page.goto("/_millpond/console/#/queues")
    page.get_by_role("link", name="edited", exact=True).click()
    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_label("Visibility timeout", exact=True)).to_have_value("45")
    expect(page.get_by_label("Name", exact=True)).to_be_disabled()
    page.get_by_label("Visibility timeout", exact=True).fill("2")
    page.get_by_label("Visibility timeout unit", exact=True).select_option(label="Minutes")
    page.get_by_role("button", name="Add new tag").click()
    page.get_by_label("Key", exact=True).fill("Team")
    page.get_by_label("Value", exact=True).fill("Zürich 🚀")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="edited", exact=True)).to_be_visible()
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
    assert attributes == {"VisibilityTimeout": "120"}
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"Team": "Zürich 🚀"}
    page.get_by_role("tab", name="Tagging").click()
    expect(page.get_by_test_id("tags-table")).to_contain_text("Zürich 🚀")
    shots("edited")


def test_fifo_queue_from_the_form(page: Any, console_server: ServerProcess) -> None:
    page.goto("/_millpond/console/#/queues/new")
    page.get_by_label("FIFO", exact=True).check()
    page.get_by_label("Name", exact=True).fill("jobs")
    page.get_by_role("button", name="Create queue").click()
    expect(page.get_by_role("alert").filter(has_text="must end with the .fifo suffix")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("jobs.fifo")
    page.get_by_label("Content-based deduplication").check()
    senders = page.locator("fieldset", has_text="Define who can send messages to the queue")
    senders.get_by_label("Only the specified AWS accounts, IAM users and roles").check()
    page.get_by_label("Accounts, users and roles that can send messages").fill("111122223333")
    expect(page.get_by_test_id("policy-preview")).to_contain_text('"__sender_statement"')
    page.get_by_role("button", name="Create queue").click()
    expect(page.get_by_role("heading", name="jobs.fifo", exact=True)).to_be_visible()
    sqs = console_server.client("sqs")
    url = sqs.get_queue_url(QueueName="jobs.fifo")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["FifoQueue"] == "true" and attributes["ContentBasedDeduplication"] == "true"
    owner, sender = json.loads(attributes["Policy"])["Statement"]
    assert owner["Sid"] == "__owner_statement" and owner["Action"] == ["SQS:*"]
    assert sender["Principal"] == {"AWS": ["arn:aws:iam::111122223333:root"]}
    assert sender["Action"] == ["SQS:SendMessage"] and sender["Resource"].endswith(":jobs.fifo")
    page.get_by_role("button", name="Send and receive messages").click()
    page.get_by_label("Message body").fill("job 1: ünïcödé ✓ 処理")
    page.get_by_label("Message group ID").fill("group-a")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_test_id("send-result")).to_contain_text("Your message has been sent")
    [message] = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    assert message["Body"] == "job 1: ünïcödé ✓ 処理" and message["Attributes"]["MessageGroupId"] == "group-a"
