"""The console's streams end to end: create a 2-shard stream through the form, put records with the AWS
CLI, find them on the right shards in the data viewer, split a shard and see its parent and children."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from playwright.sync_api import expect

from tests.support.server import ServerProcess, run_aws

from .conftest import Shots

HALF = 2**127


def shard_of(key: str) -> str:
    # Two shards split the 128-bit hash key space at 2**127.
    return (
        "shardId-000000000000"
        if int(hashlib.md5(key.encode()).hexdigest(), 16) < HALF
        else "shardId-000000000001"
    )


def test_stream_data_viewer_and_split(page: Any, shots: Shots, console_server: ServerProcess) -> None:
    page.goto("/_millpond/console/#/streams")
    page.get_by_test_id("create-stream").click()
    page.get_by_label("Data stream name").fill("clicks")
    page.get_by_label("Provisioned", exact=True).check()
    page.get_by_label("Number of shards").fill("2")
    page.get_by_test_id("create-stream-submit").click()
    expect(page.get_by_test_id("stream-status")).to_have_text("Active")
    page.get_by_test_id("tab-shards").click()
    expect(page.locator('[data-testid="shards-table"] tbody tr')).to_have_count(2)

    keys = [f"user-{i}" for i in range(6)]
    for key in keys:
        data = json.dumps({"user": key, "action": "click"})
        run_aws(
            console_server,
            "kinesis",
            "put-record",
            "--stream-name",
            "clicks",
            "--partition-key",
            key,
            "--data",
            data,
        )
    expected = {shard: sorted(k for k in keys if shard_of(k) == shard) for shard in map(shard_of, keys)}
    assert len(expected) == 2, "the keys should land on both shards"

    page.get_by_test_id("tab-data").click()
    for shard, shard_keys in sorted(expected.items()):
        page.get_by_test_id("data-shard").select_option(shard)
        page.get_by_test_id("data-position").select_option("TRIM_HORIZON")
        page.get_by_test_id("data-read").click()
        expect(page.get_by_test_id("records")).to_contain_text(f"records from {shard}")
        expect(page.get_by_test_id("record-key")).to_have_text(shard_keys)
        expect(page.get_by_test_id("records-table")).to_contain_text('"action": "click"')
        shots(f"data-{shard}")

    page.get_by_test_id("tab-shards").click()
    page.get_by_test_id("split-shard").select_option("shardId-000000000000")
    page.get_by_test_id("split-submit").click()
    rows = page.locator('[data-testid="shards-table"] tbody tr')
    expect(rows).to_have_count(4)
    parent = page.locator('tr[data-row="shardId-000000000000"]')
    expect(parent).to_contain_text("closed")
    expect(parent.get_by_test_id("shard-children")).to_have_text("shardId-000000000002, shardId-000000000003")
    for child in ("shardId-000000000002", "shardId-000000000003"):
        row = page.locator(f'tr[data-row="{child}"]')
        expect(row.get_by_test_id("shard-parents")).to_have_text("shardId-000000000000")
        expect(row).to_contain_text("open")
    shots("split")


def test_stream_configuration_edits(page: Any, console_server: ServerProcess) -> None:
    kinesis = console_server.client("kinesis")
    kinesis.create_stream(StreamName="config-edits", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="config-edits", WaiterConfig={"Delay": 0.2})
    page.goto("/_millpond/console/#/stream?name=config-edits&tab=configuration")
    retention = page.get_by_role("region", name="Data retention period")
    retention.get_by_label("Data retention period", exact=True).fill("2")
    retention.get_by_label("Data retention period unit").select_option(label="Days")
    retention.get_by_role("button", name="Save changes").click()
    expect(retention.get_by_role("status")).to_have_text("Saved.")
    shards = page.get_by_role("region", name="Provisioned shards")
    shards.get_by_label("Number of shards").fill("2")
    shards.get_by_role("button", name="Save changes").click()
    expect(shards.get_by_role("status")).to_have_text("Saved.")
    sse = page.get_by_role("region", name="Server-side encryption")
    sse.get_by_label("Enabled").check()
    sse.get_by_role("button", name="Save changes").click()
    expect(sse.get_by_role("status")).to_have_text("Saved.")

    def summary() -> dict[str, Any]:
        found: dict[str, Any] = kinesis.describe_stream_summary(StreamName="config-edits")
        return found["StreamDescriptionSummary"]

    expect(page.get_by_test_id("tab-details")).to_be_visible()
    deadline = time.monotonic() + 10
    while summary()["StreamStatus"] != "ACTIVE" and time.monotonic() < deadline:
        time.sleep(0.1)
    found = summary()
    assert (found["RetentionPeriodHours"], found["OpenShardCount"], found["EncryptionType"]) == (48, 2, "KMS")
    # Lowering it again is a decrease; below a day is AWS's error, shown where the change was made.
    retention.get_by_label("Data retention period", exact=True).fill("12")
    retention.get_by_label("Data retention period unit").select_option(label="Hours")
    retention.get_by_role("button", name="Save changes").click()
    expect(retention.get_by_role("alert")).to_contain_text("InvalidArgumentException")


def test_create_stream_validation(page: Any, console_server: ServerProcess) -> None:
    page.goto("/_millpond/console/#/streams/new")
    page.get_by_label("Data stream name").fill("my stream!")
    page.get_by_label("Provisioned", exact=True).check()
    page.get_by_label("Number of shards").fill("0")
    page.get_by_label("Data retention period", exact=True).fill("10")
    page.get_by_label("Data retention period unit").select_option(label="Hours")
    page.get_by_role("button", name="Create data stream").click()
    for message in (
        "Data stream name must be 1 to 128 characters",
        "The number of provisioned shards must be between 1 and 10,000.",
        "The data retention period must be between 24 hours (1 day) and 8760 hours (365 days)",
    ):
        expect(page.get_by_role("alert").filter(has_text=message)).to_be_visible()
    console_server.client("kinesis").create_stream(StreamName="taken", ShardCount=1)
    page.get_by_label("Data stream name").fill("taken")
    page.get_by_label("Number of shards").fill("1")
    page.get_by_label("Data retention period", exact=True).fill("1")
    page.get_by_label("Data retention period unit").select_option(label="Days")
    page.get_by_role("button", name="Create data stream").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("ResourceInUseException")
