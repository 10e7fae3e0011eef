"""Queue names, URLs and ARNs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from millpond.errors import AwsError
from millpond.services.sqs import names
from millpond.services.sqs.names import (
    FIFO_NAME_MESSAGE,
    STANDARD_NAME_MESSAGE,
    QueueAddress,
    parse_arn,
    parse_queue_url,
    queue_arn,
    queue_type_for_create,
    queue_url,
    validate_queue_name,
)

from ._aws import aws_error

NAME_CHARS = st.sampled_from("abcXYZ019_-")


@pytest.mark.parametrize("name", ["q", "orders", "Orders_2-b", "a" * 80])
def test_valid_standard_names(name: str) -> None:
    validate_queue_name(name, fifo=False)


@pytest.mark.parametrize("name", ["a" * 81, "in.fo", "invalid/name", "ééwwà)", "with space", "x.fifo"])
def test_invalid_standard_names(name: str) -> None:
    with aws_error("InvalidParameterValueException", STANDARD_NAME_MESSAGE):
        validate_queue_name(name, fifo=False)


def test_standard_name_message_is_awss() -> None:
    # AWS-recorded (real SQS, eu-north-1): the text has no final period.
    assert (
        STANDARD_NAME_MESSAGE
        == "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
    )


@pytest.mark.parametrize("name", ["q.fifo", "a" * 75 + ".fifo", "Orders-1_x.fifo"])
def test_valid_fifo_names(name: str) -> None:
    validate_queue_name(name, fifo=True)


@pytest.mark.parametrize("name", ["a" * 76 + ".fifo", ".fifo", "in.fo.fifo", "q", "q.FIFO"])
def test_invalid_fifo_names(name: str) -> None:
    # The .fifo suffix counts toward the 80 characters.
    with aws_error("InvalidParameterValueException", FIFO_NAME_MESSAGE):
        validate_queue_name(name, fifo=True)


def test_missing_and_empty_queue_name() -> None:
    with aws_error(
        "InvalidParameterValueException",
        "Value for parameter QueueName is invalid. Reason: Must specify a queue name.",
    ):
        queue_type_for_create(None, None)
    with aws_error("InvalidParameterValueException", "Queue name cannot be empty."):
        queue_type_for_create("", None)


def test_queue_type_for_create() -> None:
    assert queue_type_for_create("orders", None) is False
    assert queue_type_for_create("orders.fifo", "true") is True
    assert queue_type_for_create("orders.fifo", "TRUE") is True


@pytest.mark.parametrize(
    ("name", "fifo_attribute"),
    [("orders", "false"), ("orders.fifo", "false"), ("orders", "tru")],
)
def test_fifo_queue_attribute_mismatch_is_unknown_attribute(name: str, fifo_attribute: str) -> None:
    # aws/aws-sdk-php#1331: FifoQueue=false on a standard queue is rejected by AWS.
    with aws_error("InvalidAttributeName", "Unknown Attribute FifoQueue."):
        queue_type_for_create(name, fifo_attribute)


@pytest.mark.parametrize("name", ["orders", "orders.ifo"])
def test_fifo_queue_true_without_fifo_suffix_is_an_invalid_fifo_name(name: str) -> None:
    # AWS-recorded: FifoQueue=true on a name without .fifo is InvalidParameterValue, not an unknown attribute.
    with aws_error("InvalidParameterValueException", FIFO_NAME_MESSAGE):
        queue_type_for_create(name, "true")


def test_fifo_name_without_fifo_attribute_is_a_bad_standard_name() -> None:
    with aws_error("InvalidParameterValueException", STANDARD_NAME_MESSAGE):
        queue_type_for_create("example.fifo", None)


def test_fifo_name_too_long_with_fifo_attribute() -> None:
    with aws_error("InvalidParameterValueException", FIFO_NAME_MESSAGE):
        queue_type_for_create("a" * 76 + ".fifo", "true")


def test_queue_url() -> None:
    assert (
        queue_url("http://localhost:4566", "000000000000", "orders")
        == "http://localhost:4566/000000000000/orders"
    )
    assert (
        queue_url("http://localhost:4566/", "000000000000", "q.fifo")
        == "http://localhost:4566/000000000000/q.fifo"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://sqs.us-east-1.amazonaws.com/123456789012/q",
            QueueAddress("123456789012", "q", "us-east-1"),
        ),
        ("https://queue.amazonaws.com/123456789012/q", QueueAddress("123456789012", "q", "us-east-1")),
        (
            "https://eu-west-1.queue.amazonaws.com/123456789012/q",
            QueueAddress("123456789012", "q", "eu-west-1"),
        ),
        ("http://localhost:4566/000000000000/orders", QueueAddress("000000000000", "orders")),
        ("http://127.0.0.1:4566/000000000000/orders/", QueueAddress("000000000000", "orders")),
        (
            "http://sqs.eu-central-1.localhost.localstack.cloud:4566/000000000000/q.fifo",
            QueueAddress("000000000000", "q.fifo", "eu-central-1"),
        ),
        (
            "http://localhost:4566/queue/us-west-2/000000000000/q",
            QueueAddress("000000000000", "q", "us-west-2"),
        ),
        ("/000000000000/q", QueueAddress("000000000000", "q")),
        ("http://localhost:4566/000000000000/q?Action=SendMessage", QueueAddress("000000000000", "q")),
    ],
)
def test_parse_queue_url_forms(url: str, expected: QueueAddress) -> None:
    assert parse_queue_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "ftp://localhost/000000000000/q",
        "http://whatever-incorrect-queue-address",
        "orders?x",
        "http://localhost:4566/",
        "http://localhost:4566/000000000000",
        "http://localhost:4566/12345/q",
        "http://localhost:4566/a/000000000000/q",
        "/000000000000",
        "http://[::1/000000000000/q",
    ],
)
def test_parse_queue_url_rejects_other_text(url: str) -> None:
    # AWS-recorded: a QueueUrl that is not one is an unknown queue (400 NonExistentQueue), not InvalidAddress.
    with aws_error("QueueDoesNotExist", "The specified queue does not exist."):
        parse_queue_url(url)


@pytest.mark.parametrize("name", ["orders", "orders.fifo", "a-b_c", "x" * 80])
def test_parse_queue_url_takes_a_bare_queue_name(name: str) -> None:
    # AWS accepts a queue name wherever a QueueUrl goes; the caller's account owns it.
    assert parse_queue_url(name) == QueueAddress(account_id=None, name=name)


def test_parse_queue_url_missing() -> None:
    with aws_error("MissingRequiredParameterException", "The request must contain the parameter QueueUrl."):
        parse_queue_url("")


@given(
    account=st.from_regex(r"\d{12}", fullmatch=True),
    name=st.text(NAME_CHARS, min_size=1, max_size=75),
    fifo=st.booleans(),
    endpoint=st.sampled_from(
        [
            "http://localhost:4566",
            "https://sqs.us-east-1.amazonaws.com",
            "http://sqs.x.localhost.localstack.cloud",
        ]
    ),
)
def test_url_round_trip(account: str, name: str, fifo: bool, endpoint: str) -> None:
    full_name = name + ".fifo" if fifo else name
    address = parse_queue_url(queue_url(endpoint, account, full_name))
    assert (address.account_id, address.name) == (account, full_name)


@given(st.text(max_size=120))
def test_any_text_parses_or_is_an_unknown_queue(text: str) -> None:
    try:
        parse_queue_url(text)
    except AwsError as error:
        assert error.code in ("QueueDoesNotExist", "MissingRequiredParameterException")


def test_queue_arn() -> None:
    assert queue_arn("us-east-1", "000000000000", "orders") == "arn:aws:sqs:us-east-1:000000000000:orders"
    assert queue_arn("cn-north-1", "000000000000", "q").startswith("arn:aws-cn:sqs:")
    assert queue_arn("us-gov-west-1", "000000000000", "q").startswith("arn:aws-us-gov:sqs:")


def test_parse_arn() -> None:
    arn = parse_arn("arn:aws:sqs:us-east-1:000000000000:orders.fifo")
    assert arn == names.Arn("aws", "sqs", "us-east-1", "000000000000", "orders.fifo")
    assert parse_arn("dummy") is None
    assert parse_arn("arn:aws:sqs:us-east-1:000000000000:") is None
    assert parse_arn("urn:aws:sqs:us-east-1:000000000000:q") is None
