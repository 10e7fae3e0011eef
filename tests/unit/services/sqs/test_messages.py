"""Message body, size, per-message delay, system attributes and SendMessage's validation order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from millpond.errors import AwsError
from millpond.services.sqs.fifo import content_deduplication_id
from millpond.services.sqs.message_attributes import MessageAttribute
from millpond.services.sqs.messages import (
    QueueSendRules,
    check_message_size,
    message_size,
    validate_body,
    validate_delay_seconds,
    validate_send,
    validate_system_attributes,
)

from ._aws import aws_error

INVALID = "InvalidParameterValueException"
STANDARD = QueueSendRules()
FIFO = QueueSendRules(fifo=True)
FIFO_CBD = QueueSendRules(fifo=True, content_based_deduplication=True)
ALLOWED = "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]"


@pytest.mark.parametrize("body", [None, ""])
def test_missing_body(body: str | None) -> None:
    # AWS-recorded: an empty body is reported as a missing parameter.
    with aws_error(
        "MissingRequiredParameterException", "The request must contain the parameter MessageBody."
    ):
        validate_body(body)


@pytest.mark.parametrize(
    ("char", "reference"),
    [
        ("\x00", "#x0"),
        ("\x08", "#x8"),
        ("\x13", "#x13"),
        ("\uffff", "#xFFFF"),
        ("\ufffe", "#xFFFE"),
        ("\ud800", "#xD800"),
    ],
)
def test_invalid_body_characters(char: str, reference: str) -> None:
    # AWS-recorded in production: "Invalid binary character '#xFFFF' was found in the message body, ..."
    with aws_error(
        "InvalidMessageContents",
        f"Invalid binary character '{reference}' was found in the message body, the set of "
        "allowed characters "
        f"is {ALLOWED}.",
    ):
        validate_body(f"ok-{char}-ok")


@pytest.mark.parametrize(
    "body", ["\t\n\r", " ~", "\ud7ff\ue000\ufffd", "\U00010000\U0010ffff", '{"json": "é"}']
)
def test_valid_body_characters(body: str) -> None:
    assert validate_body(body) == body


@given(st.text(min_size=1))
def test_body_rule_matches_the_documented_ranges(body: str) -> None:
    allowed = all(
        ord(c) in (0x9, 0xA, 0xD)
        or 0x20 <= ord(c) <= 0xD7FF
        or 0xE000 <= ord(c) <= 0xFFFD
        or ord(c) >= 0x10000
        for c in body
    )
    try:
        validate_body(body)
        accepted = True
    except Exception:
        accepted = False
    assert accepted is allowed


def test_size_counts_utf8_body_and_attributes() -> None:
    attributes = {
        "attrib1": MessageAttribute("String", "a" * 256),
        "attrib2": MessageAttribute("String", "a" * 256),
    }
    assert message_size("a" * 513, attributes) == 513 + 2 * (7 + 6 + 256)
    assert message_size("é", {}) == 2


def test_size_limit() -> None:
    check_message_size(1024, 1024)
    # AWS-recorded: the limit in the message is the queue's MaximumMessageSize.
    with aws_error(
        INVALID, "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."
    ):
        check_message_size(1025, 1024)
    with aws_error(
        INVALID, "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."
    ):
        check_message_size(1_048_577, 1_048_576)


def test_delay_seconds_on_standard_queues() -> None:
    assert validate_delay_seconds(None, fifo_queue=False) is None
    assert validate_delay_seconds(0, fifo_queue=False) == 0
    assert validate_delay_seconds(900, fifo_queue=False) == 900
    for value in (-1, 901, 1000):
        # AWS-recorded (real SQS, Ballerina connector tests)
        with aws_error(
            INVALID,
            f"Value {value} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be "
            ">= 0 and <= 900.",
        ):
            validate_delay_seconds(value, fifo_queue=False)


def test_delay_seconds_on_fifo_queues() -> None:
    assert validate_delay_seconds(0, fifo_queue=True) is None  # AWS-validated: 0 is accepted
    # AWS-recorded (LocalStack snapshot); "include" is AWS's grammar.
    with aws_error(
        INVALID,
        "Value 2 for parameter DelaySeconds is invalid. "
        "Reason: The request include parameter that is not valid for this queue type.",
    ):
        validate_delay_seconds(2, fifo_queue=True)


def test_system_attributes() -> None:
    validated = validate_system_attributes(
        {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-a"}}
    )
    assert validated == {"AWSTraceHeader": MessageAttribute("String", "Root=1-a")}
    assert validate_system_attributes(None) == {}
    with aws_error(INVALID, "Message system attribute name 'Hello' is invalid."):
        validate_system_attributes({"Hello": {"DataType": "String", "StringValue": "World"}})
    with aws_error(
        INVALID,
        "The message system attribute 'AWSTraceHeader' is reserved for AWS X-Ray trace header. "
        "The type must be 'String'.",
    ):
        validate_system_attributes({"AWSTraceHeader": {"DataType": "Binary", "BinaryValue": b"x"}})
    with aws_error(
        INVALID, "Message system attribute 'AWSTraceHeader' must contain a non-empty value of type 'String'."
    ):
        validate_system_attributes({"AWSTraceHeader": {"DataType": "String", "StringValue": ""}})


def test_validate_send_standard() -> None:
    message = validate_send(
        STANDARD,
        body="Test Message",
        message_attributes={"Hello": {"DataType": "String", "StringValue": "World"}},
        message_system_attributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "some-trace-id"}},
    )
    assert message.delay_seconds == 0
    assert message.size == len("Test Message") + 5 + 6 + 5
    assert message.md5_of_body == "d1d4180b7e411c4be86b00fb2ee103eb"
    assert message.md5_of_message_attributes == "7db7fb1ba7f41366a8ea5eb18220b26d"
    assert message.md5_of_message_system_attributes == "fdce4f2818803f2f73becc09a54792c0"
    assert message.message_group_id is None and message.message_deduplication_id is None


def test_validate_send_uses_queue_delay_unless_given() -> None:
    queue = QueueSendRules(delay_seconds=5)
    assert validate_send(queue, body="x").delay_seconds == 5
    assert validate_send(queue, body="x", delay_seconds=0).delay_seconds == 0
    fifo_queue = QueueSendRules(fifo=True, content_based_deduplication=True, delay_seconds=7)
    assert validate_send(fifo_queue, body="x", message_group_id="g", delay_seconds=0).delay_seconds == 7


def test_validate_send_fifo_content_based_deduplication() -> None:
    message = validate_send(FIFO_CBD, body="foobar", message_group_id="1")
    assert message.message_deduplication_id == content_deduplication_id("foobar")
    assert (
        validate_send(
            FIFO_CBD, body="x", message_group_id="1", message_deduplication_id="d"
        ).message_deduplication_id
        == "d"
    )


def test_validate_send_order() -> None:
    # An empty body wins over everything else.
    with aws_error("MissingRequiredParameterException"):
        validate_send(FIFO, body="", delay_seconds=5)
    # Then FIFO parameters, then the per-message delay.
    with aws_error(
        "MissingRequiredParameterException", "The request must contain the parameter MessageGroupId."
    ):
        validate_send(FIFO, body="x", delay_seconds=5)
    with aws_error(
        INVALID,
        "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter "
        "that is not valid for this queue type.",
    ):
        validate_send(FIFO, body="x", delay_seconds=5, message_group_id="g", message_deduplication_id="d")
    # Attributes are checked before the size.
    with aws_error(INVALID, "Can't cast the value of message (user) attribute 'n' to a number."):
        validate_send(
            QueueSendRules(maximum_message_size=1024),
            body="a" * 2000,
            message_attributes={"n": {"DataType": "Number", "StringValue": "x"}},
        )


def test_validate_send_size_includes_attributes() -> None:
    queue = QueueSendRules(maximum_message_size=1024)
    attributes = {f"attrib{i}": {"DataType": "String", "StringValue": "a" * 256} for i in (1, 2)}
    with aws_error(
        INVALID, "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."
    ):
        validate_send(queue, body="a" * 513, message_attributes=attributes)
    # System attributes do not count.
    validate_send(
        queue,
        body="a" * 1024,
        message_system_attributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "t" * 100}},
    )


def test_validate_send_batch_entry_missing_group() -> None:
    with aws_error(INVALID, "The request must contain the parameter MessageGroupId."):
        validate_send(FIFO, body="x", in_batch=True)


ATTRIBUTE_VALUE = st.fixed_dictionaries(
    {},
    optional={
        "DataType": st.one_of(
            st.sampled_from(["String", "Number", "Binary", "Number.x"]), st.text(max_size=10)
        ),
        "StringValue": st.text(max_size=20),
        "BinaryValue": st.binary(max_size=20),
    },
)


@given(
    body=st.one_of(st.none(), st.text(max_size=50)),
    attributes=st.dictionaries(st.text(max_size=12), ATTRIBUTE_VALUE, max_size=12),
    delay=st.one_of(st.none(), st.integers(-5, 1000)),
    group=st.one_of(st.none(), st.text(max_size=5)),
    fifo=st.booleans(),
)
def test_any_send_is_accepted_or_an_aws_error(
    body: str | None,
    attributes: dict[str, dict[str, object]],
    delay: int | None,
    group: str | None,
    fifo: bool,
) -> None:
    try:
        message = validate_send(
            QueueSendRules(fifo=fifo, content_based_deduplication=True),
            body=body,
            delay_seconds=delay,
            message_attributes=attributes,
            message_group_id=group,
        )
    except AwsError:
        return
    assert message.size <= 1_048_576
