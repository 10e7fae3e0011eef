"""FIFO parameters, content-based deduplication, the deduplication window and sequence numbers."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from millpond.clock import ManualClock
from millpond.services.sqs.fifo import (
    DEDUPLICATION_WINDOW_SECONDS,
    DeduplicationRecord,
    DeduplicationWindow,
    check_send_parameters,
    content_deduplication_id,
    deduplication_key,
    next_sequence_number,
    validate_fifo_id,
    within_window,
)

from ._aws import aws_error

INVALID = "InvalidParameterValueException"
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


@pytest.mark.parametrize("value", ["g", "a" * 128, "group-1", PUNCTUATION, "Az09" + PUNCTUATION])
def test_valid_fifo_ids(value: str) -> None:
    validate_fifo_id(value, "MessageGroupId")


@pytest.mark.parametrize("value", ["", "a" * 129, "with space", "tab\t", "é", f"Invalid-{chr(8)}"])
def test_invalid_fifo_ids(value: str) -> None:
    # AWS-recorded wording (aws-facts 2.9)
    with aws_error(
        INVALID,
        f"Value {value} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include "
        "alphanumeric and punctuation characters. 1 to 128 in length.",
    ):
        validate_fifo_id(value, "MessageGroupId")


def test_content_deduplication_id_is_sha256_of_body() -> None:
    assert content_deduplication_id("foobar") == hashlib.sha256(b"foobar").hexdigest()
    assert len(content_deduplication_id("é")) == 64


def send(
    *,
    fifo_queue: bool = True,
    content_based_deduplication: bool = False,
    message_group_id: str | None = None,
    message_deduplication_id: str | None = None,
    in_batch: bool = False,
) -> tuple[str | None, str | None]:
    return check_send_parameters(
        fifo_queue=fifo_queue,
        content_based_deduplication=content_based_deduplication,
        body="body",
        message_group_id=message_group_id,
        message_deduplication_id=message_deduplication_id,
        in_batch=in_batch,
    )


def test_fifo_requires_group_id() -> None:
    # AWS-recorded: MissingParameter for SendMessage, InvalidParameterValue inside SendMessageBatch.
    with aws_error(
        "MissingRequiredParameterException", "The request must contain the parameter MessageGroupId."
    ):
        send(message_deduplication_id="d")
    with aws_error(INVALID, "The request must contain the parameter MessageGroupId."):
        send(message_deduplication_id="d", in_batch=True)


def test_fifo_requires_deduplication_id_without_content_based_deduplication() -> None:
    # AWS-recorded (LocalStack snapshot); no final period in AWS's text.
    with aws_error(
        INVALID,
        "The queue should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly",
    ):
        send(message_group_id="g")


def test_fifo_ids_returned() -> None:
    assert send(message_group_id="g", message_deduplication_id="d") == ("g", "d")
    assert send(message_group_id="g", content_based_deduplication=True) == (
        "g",
        content_deduplication_id("body"),
    )
    # An explicit id overrides the content hash.
    assert send(message_group_id="g", message_deduplication_id="d", content_based_deduplication=True) == (
        "g",
        "d",
    )


def test_fifo_validates_ids() -> None:
    with aws_error(INVALID):
        send(message_group_id="bad group")
    with aws_error(
        INVALID,
        "Value x y for parameter MessageDeduplicationId is invalid. Reason: "
        "MessageDeduplicationId can only include "
        "alphanumeric and punctuation characters. 1 to 128 in length.",
    ):
        send(message_group_id="g", message_deduplication_id="x y")


def test_standard_queue_parameters() -> None:
    assert send(fifo_queue=False) == (None, None)
    # Fair queues: MessageGroupId is accepted on standard queues, and still validated.
    assert send(fifo_queue=False, message_group_id="tenant-1") == ("tenant-1", None)
    with aws_error(INVALID):
        send(fifo_queue=False, message_group_id="bad group")
    with aws_error(
        INVALID, "The request include parameter MessageDeduplicationId which is not valid for this queue type"
    ):
        send(fifo_queue=False, message_deduplication_id="1000")
    with aws_error(INVALID, "The request include parameter that is not valid for this queue type"):
        send(fifo_queue=False, message_deduplication_id="1000", in_batch=True)


def test_window_boundaries() -> None:
    assert DEDUPLICATION_WINDOW_SECONDS == 300
    assert within_window(100.0, 100.0)
    assert within_window(100.0, 399.999)
    assert not within_window(100.0, 400.0)


def test_deduplication_keys() -> None:
    assert deduplication_key("queue", "g1", "d") == deduplication_key("queue", "g2", "d")
    assert deduplication_key("messageGroup", "g1", "d") != deduplication_key("messageGroup", "g2", "d")
    # No ambiguity between group and id boundaries.
    assert deduplication_key("messageGroup", "a:b", "c") != deduplication_key("messageGroup", "a", "b:c")


def record(
    clock: ManualClock, message_id: str, sequence: str = "00000000000000000001"
) -> DeduplicationRecord:
    return DeduplicationRecord(message_id=message_id, sequence_number=sequence, sent_at=clock.now())


def test_duplicate_within_window_returns_first_send() -> None:
    clock = ManualClock()
    window = DeduplicationWindow()
    first = window.accept("queue", "g", "d", record(clock, "m1", "1"))
    assert first.message_id == "m1"
    clock.advance(299)
    again = window.accept("queue", "g", "d", record(clock, "m2", "2"))
    assert again == first  # same MessageId and SequenceNumber, nothing enqueued
    clock.advance(1)  # 300 s after the first send: the window has closed
    assert window.find_duplicate("queue", "g", "d", clock.now()) is None
    fresh = window.accept("queue", "g", "d", record(clock, "m3", "3"))
    assert fresh.message_id == "m3"


def test_duplicates_do_not_extend_the_window() -> None:
    clock = ManualClock()
    window = DeduplicationWindow()
    window.accept("queue", "g", "d", record(clock, "m1"))
    clock.advance(200)
    window.accept("queue", "g", "d", record(clock, "m2"))
    clock.advance(150)
    assert window.find_duplicate("queue", "g", "d", clock.now()) is None


def test_scope_queue_vs_message_group() -> None:
    clock = ManualClock()
    window = DeduplicationWindow()
    window.accept("queue", "g1", "d", record(clock, "m1"))
    # Queue scope: the same id in another group is a duplicate (AWS-validated by LocalStack's tests).
    assert window.accept("queue", "g2", "d", record(clock, "m2")).message_id == "m1"
    per_group = DeduplicationWindow()
    per_group.accept("messageGroup", "g1", "d", record(clock, "m1"))
    assert per_group.accept("messageGroup", "g2", "d", record(clock, "m2")).message_id == "m2"
    assert per_group.accept("messageGroup", "g1", "d", record(clock, "m3")).message_id == "m1"


def test_expire() -> None:
    clock = ManualClock()
    window = DeduplicationWindow()
    window.accept("queue", "g", "a", record(clock, "m1"))
    clock.advance(100)
    window.accept("queue", "g", "b", record(clock, "m2"))
    clock.advance(250)
    assert window.expire(clock.now()) == 1
    assert len(window) == 1
    assert window.find_duplicate("queue", "g", "b", clock.now()) is not None


def test_sequence_numbers_are_twenty_digits_and_grow() -> None:
    clock = ManualClock()
    first = next_sequence_number(None, clock.now())
    assert len(first) == 20 and first.isdigit()
    second = next_sequence_number(first, clock.now())  # same millisecond
    assert int(second) > int(first)
    clock.advance(0.001)
    third = next_sequence_number(second, clock.now())
    assert int(third) > int(second) + 1  # non-consecutive across time, like AWS's
    assert len(next_sequence_number(None, 0.0)) == 20


@given(st.lists(st.floats(min_value=1e9, max_value=2e9, allow_nan=False), min_size=1, max_size=50))
def test_sequence_numbers_increase_whatever_the_clock_does(times: list[float]) -> None:
    previous: str | None = None
    for now in times:
        current = next_sequence_number(previous, now)
        if previous is not None:
            assert int(current) > int(previous)
        previous = current
