"""The console's queues end to end: create a queue with a DLQ through the forms, send, poll twice without
deleting, advance the virtual clock from the page, see the message in the DLQ, redrive it back."""

from __future__ import annotations

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
