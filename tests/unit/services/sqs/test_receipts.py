"""Receipt handles: round trip, opacity, staleness information and rejection of anything else."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from millpond.services.sqs.receipts import (
    ReceiptHandle,
    decode_for_queue,
    decode_receipt_handle,
    expired_receipt_handle,
    issue_receipt_handle,
    not_available_for_visibility_change,
)

from ._aws import aws_error

ARN = "arn:aws:sqs:us-east-1:000000000000:orders"
MESSAGE_ID = "5fea7756-0ea4-451a-a703-a558b933e274"


def test_round_trip() -> None:
    handle = issue_receipt_handle(ARN, MESSAGE_ID, 3, nonce=b"\x00" * 12)
    decoded = decode_receipt_handle(handle)
    assert decoded == ReceiptHandle(ARN, MESSAGE_ID, 3, b"\x00" * 12)


def test_looks_like_awss() -> None:
    handle = issue_receipt_handle(ARN, MESSAGE_ID, 1)
    assert handle.startswith("AQEB")
    assert len(handle) <= 1024
    base64.b64decode(handle, validate=True)
    # Opaque: neither the queue nor the message id can be read off the decoded bytes.
    raw = base64.b64decode(handle)
    assert b"orders" not in raw and MESSAGE_ID.encode() not in raw


def test_each_receive_gets_a_new_handle() -> None:
    first = issue_receipt_handle(ARN, MESSAGE_ID, 1)
    again = issue_receipt_handle(ARN, MESSAGE_ID, 1)
    second = issue_receipt_handle(ARN, MESSAGE_ID, 2)
    assert len({first, again, second}) == 3
    assert decode_receipt_handle(first).receive_count == 1
    assert decode_receipt_handle(second).receive_count == 2


def test_longest_names_fit_in_1024_characters() -> None:
    arn = "arn:aws-us-gov:sqs:us-gov-west-1:000000000000:" + "q" * 75 + ".fifo"
    handle = issue_receipt_handle(arn, MESSAGE_ID, 10**9)
    assert len(handle) <= 1024
    assert decode_receipt_handle(handle).queue_arn == arn


@pytest.mark.parametrize(
    "handle",
    [
        "INVALID",
        "InvalidReceiptHandle123",
        "invalid-receipt-id",
        "45234sdsqdZER/qsqd",
        "AQEB",
        "AQEBAAAA",
        base64.b64encode(b"\x01\x01\x01" + b"\x00" * 40).decode(),
        "a" * 2000,
        "dummy id",
    ],
)
def test_garbage_is_rejected(handle: str) -> None:
    with aws_error(
        "ReceiptHandleIsInvalid", f'The input receipt handle "{handle}" is not a valid receipt handle.'
    ):
        decode_receipt_handle(handle)


def test_tampering_is_detected() -> None:
    raw = bytearray(base64.b64decode(issue_receipt_handle(ARN, MESSAGE_ID, 1)))
    raw[20] ^= 0x01
    with aws_error("ReceiptHandleIsInvalid"):
        decode_receipt_handle(base64.b64encode(bytes(raw)).decode())


@given(st.text(max_size=300).filter(lambda text: text.strip() != ""))
def test_random_text_never_decodes(text: str) -> None:
    with aws_error("ReceiptHandleIsInvalid"):
        decode_receipt_handle(text)


def test_missing_handle() -> None:
    with aws_error(
        "MissingRequiredParameterException", "The request must contain the parameter ReceiptHandle."
    ):
        decode_receipt_handle("")
    with aws_error("MissingRequiredParameterException"):
        decode_receipt_handle(None)


def test_handle_from_another_queue_is_invalid_there() -> None:
    handle = issue_receipt_handle(ARN, MESSAGE_ID, 1)
    assert decode_for_queue(handle, ARN).message_id == MESSAGE_ID
    with aws_error(
        "ReceiptHandleIsInvalid", f'The input receipt handle "{handle}" is not a valid receipt handle.'
    ):
        decode_for_queue(handle, "arn:aws:sqs:us-east-1:000000000000:other")


def test_stale_handle_errors() -> None:
    # AWS-recorded (LocalStack snapshot test_fifo_delete_message_with_expired_receipt_handle)
    error = expired_receipt_handle("h")
    assert (error.code, error.message) == (
        "InvalidParameterValueException",
        "Value h for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.",
    )
    error = not_available_for_visibility_change("h")
    assert error.message == (
        "Value h for parameter ReceiptHandle is invalid. "
        "Reason: Message does not exist or is not available for visibility timeout change."
    )


def test_nonce_length_is_checked() -> None:
    with pytest.raises(ValueError):
        issue_receipt_handle(ARN, MESSAGE_ID, 1, nonce=b"short")
