"""ReceiveMessage parameters and ChangeMessageVisibility rules."""

from __future__ import annotations

import pytest
from botocore.loaders import Loader

from millpond.clock import ManualClock
from millpond.services.sqs.receive_params import (
    MESSAGE_SYSTEM_ATTRIBUTE_NAMES,
    ReceiveParams,
    resolve_system_attribute_names,
    validate_receive_params,
)
from millpond.services.sqs.visibility import new_visibility_deadline, validate_visibility_timeout

from ._aws import aws_error

INVALID = "InvalidParameterValueException"


def receive(
    max_number: int | None = None,
    wait: int | None = None,
    visibility: int | None = None,
    attempt: str | None = None,
    *,
    fifo: bool = False,
) -> ReceiveParams:
    return validate_receive_params(
        max_number_of_messages=max_number,
        wait_time_seconds=wait,
        visibility_timeout=visibility,
        receive_request_attempt_id=attempt,
        queue_wait_time_seconds=3,
        queue_visibility_timeout=30,
        fifo_queue=fifo,
    )


def test_defaults_come_from_the_queue() -> None:
    assert receive() == ReceiveParams(1, 3, 30, None)
    assert receive(10, 0, 0) == ReceiveParams(10, 0, 0, None)
    assert receive(1, 20, 43200) == ReceiveParams(1, 20, 43200, None)


@pytest.mark.parametrize("value", [0, 11, 50, -1])
def test_max_number_of_messages(value: int) -> None:
    # AWS-recorded for 11 (LocalStack snapshot test_send_receive_max_number_of_messages)
    with aws_error(
        INVALID,
        f"Value {value} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 "
        "and 10, if provided.",
    ):
        receive(max_number=value)


@pytest.mark.parametrize("value", [-1, 21, 50])
def test_wait_time_seconds(value: int) -> None:
    with aws_error(
        INVALID,
        f"Value {value} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= "
        "20, if provided.",
    ):
        receive(wait=value)


@pytest.mark.parametrize("value", [-1, 43201])
def test_visibility_timeout(value: int) -> None:
    with aws_error(
        INVALID,
        f"Value {value} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= "
        "43200, if provided.",
    ):
        receive(visibility=value)


def test_receive_request_attempt_id() -> None:
    assert receive(attempt="attempt-001", fifo=True).receive_request_attempt_id == "attempt-001"
    assert receive(attempt="ignored on standard queues", fifo=False).receive_request_attempt_id is None
    with aws_error(INVALID):
        receive(attempt="a" * 129, fifo=True)
    with aws_error(INVALID):
        receive(attempt="has space", fifo=True)


def test_system_attribute_names_match_the_model() -> None:
    model = Loader().load_service_model("sqs", "service-2")
    assert ["All", *MESSAGE_SYSTEM_ATTRIBUTE_NAMES] == model["shapes"]["MessageSystemAttributeName"]["enum"]


def test_resolve_system_attribute_names() -> None:
    assert resolve_system_attribute_names(None, None) == ()
    assert resolve_system_attribute_names(["All"], None) == MESSAGE_SYSTEM_ATTRIBUTE_NAMES
    assert resolve_system_attribute_names(None, ["All"]) == MESSAGE_SYSTEM_ATTRIBUTE_NAMES
    # The deprecated AttributeNames and MessageSystemAttributeNames are merged; unknown names select nothing.
    assert resolve_system_attribute_names(["SentTimestamp", "Bogus"], ["SenderId"]) == (
        "SenderId",
        "SentTimestamp",
    )


@pytest.mark.parametrize("value", [0, 1, 43200])
def test_visibility_range_ok(value: int) -> None:
    assert validate_visibility_timeout(value) == value


def test_visibility_range_messages() -> None:
    with aws_error(
        INVALID, "Value -10 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200."
    ):
        validate_visibility_timeout(-10)
    with aws_error(
        INVALID,
        "Value -85 for parameter VisibilityTimeout is invalid. "
        "Reason: VisibilityTimeout must be an integer between 0 and 43200.",
    ):
        validate_visibility_timeout(-85, in_batch=True)


def test_visibility_counts_from_the_call_and_caps_at_twelve_hours() -> None:
    clock = ManualClock()
    received_at = clock.now()
    clock.advance(100)
    assert new_visibility_deadline(60, received_at=received_at, now=clock.now()) == received_at + 160
    assert new_visibility_deadline(0, received_at=received_at, now=clock.now()) == clock.now()
    assert new_visibility_deadline(43100, received_at=received_at, now=clock.now()) == received_at + 43200
    # AWS-recorded text (no final period).
    with aws_error(
        INVALID,
        "Value 43101 for parameter VisibilityTimeout is invalid. "
        "Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
    ):
        new_visibility_deadline(43101, received_at=received_at, now=clock.now())
