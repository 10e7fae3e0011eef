"""MessageAttributes validation, size and the ReceiveMessage name filter."""

from __future__ import annotations

from typing import Any

import pytest

from millpond.services.sqs.message_attributes import (
    MessageAttribute,
    attribute_name_filter,
    attributes_size,
    is_valid_number,
    select_attributes,
    validate_message_attributes,
)

from ._aws import aws_error

INVALID = "InvalidParameterValueException"


def one(name: str, **value: Any) -> dict[str, dict[str, Any]]:
    return {name: value}


def test_valid_attributes_are_typed() -> None:
    validated = validate_message_attributes(
        {
            "s": {"DataType": "String", "StringValue": "v"},
            "n": {"DataType": "Number.float", "StringValue": "-1.5e3"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
            "attr.1øßä": {"DataType": "String", "StringValue": "Valida"},  # AWS accepts non-ASCII letters
        }
    )
    assert validated["s"] == MessageAttribute("String", string_value="v")
    assert validated["n"].base_type == "Number"
    assert validated["b"] == MessageAttribute("Binary", binary_value=b"\x00\x01")
    assert validated["b"].to_wire() == {"DataType": "Binary", "BinaryValue": b"\x00\x01"}


def test_no_attributes() -> None:
    assert validate_message_attributes(None) == {}
    assert validate_message_attributes({}) == {}


def test_more_than_ten_attributes() -> None:
    attributes = {f"attrib{i}": {"DataType": "String", "StringValue": "World"} for i in range(1, 12)}
    with aws_error(INVALID, "Number of message attributes [11] exceeds the allowed maximum [10]."):
        validate_message_attributes(attributes)


def test_empty_string_value_is_awss_text() -> None:
    # AWS-recorded (LocalStack snapshot, validated test)
    with aws_error(
        INVALID, "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'."
    ):
        validate_message_attributes(one("ErrorDetails", DataType="String", StringValue=""))


def test_invalid_type_is_awss_text() -> None:
    # AWS-recorded (real SQS through the Ballerina connector's tests)
    with aws_error(
        INVALID,
        "The type of message (user) attribute 'invalidAttribute' is invalid. "
        "You must use only the following supported type prefixes: Binary, Number, String.",
    ):
        validate_message_attributes(one("invalidAttribute", DataType="InvalidType", StringValue="value"))


@pytest.mark.parametrize("data_type", ["Invalid", "string", "String.", "Strin"])
def test_type_must_be_a_base_type_with_optional_label(data_type: str) -> None:
    with aws_error(INVALID):
        validate_message_attributes(one("a", DataType=data_type, StringValue="v"))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "The request must contain non-empty message (user) attribute names."),
        ("L" * 257, "Message (user) attribute name must be shorter than 256 bytes."),
        (
            "Invalid-!-attr",
            "Message (user) attributes name can only contain upper and lower score characters, "
            "digits, periods, "
            "hyphens and underscores. ",
        ),
        ("Invalid-§-attr", None),
        ("with space", None),
        ("Invalid..Name", "Message (user) attribute name must not have successive '.' characters."),
    ],
)
def test_invalid_names(name: str, message: str | None) -> None:
    with aws_error(INVALID, message):
        validate_message_attributes(one(name, DataType="String", StringValue="Valid"))


@pytest.mark.parametrize("name", ["aWs.-Invalid-attr", "AMAZON.x", ".-Invalid-attr", "Invalid."])
def test_reserved_prefixes_and_edge_dots(name: str) -> None:
    with aws_error(
        INVALID,
        "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These "
        "strings are reserved "
        "for internal use. Additionally, they cannot start or end with '.'.",
    ):
        validate_message_attributes(one(name, DataType="String", StringValue="Valid"))


def test_name_of_256_bytes_is_allowed() -> None:
    validate_message_attributes(one("L" * 256, DataType="String", StringValue="v"))


def test_type_longer_than_256_bytes() -> None:
    with aws_error(INVALID, "Message (user) attribute type must be shorter than 256 bytes."):
        validate_message_attributes(one("a", DataType="Number." + "L" * 256, StringValue="1"))


def test_missing_value_and_type() -> None:
    with aws_error(
        INVALID, "The message (user) attribute 'Hello' must contain a non-empty message attribute value."
    ):
        validate_message_attributes({"Hello": {}})
    with aws_error(
        INVALID, "The message (user) attribute 'Hello' must contain a non-empty message attribute type."
    ):
        validate_message_attributes(one("Hello", StringValue="x"))


def test_value_field_must_match_type() -> None:
    with aws_error(INVALID, "Message (user) attribute 'a' with type 'Binary' must use field 'Binary'."):
        validate_message_attributes(one("a", DataType="Binary", StringValue="x"))
    with aws_error(INVALID, "Message (user) attribute 'a' with type 'Number' must use field 'String'."):
        validate_message_attributes(one("a", DataType="Number", BinaryValue=b"1"))
    with aws_error(INVALID, "Message (user) attribute 'a' must contain a non-empty value of type 'Binary'."):
        validate_message_attributes(one("a", DataType="Binary"))
    with aws_error(
        INVALID, "Message (user) attribute 'a' must contain a non-empty value of type 'String.x'."
    ):
        validate_message_attributes(one("a", DataType="String.x"))
    with aws_error(INVALID, "Message (user) attribute 'a' must have a single value."):
        validate_message_attributes(one("a", DataType="String", StringValue="x", BinaryValue=b"y"))


def test_list_values_are_not_supported() -> None:
    with aws_error(
        "UnsupportedOperation", "Message attribute list values in SendMessage operation are not supported."
    ):
        validate_message_attributes(one("a", DataType="String", StringListValues=["x"]))


def test_number_must_parse() -> None:
    with aws_error(INVALID, "Can't cast the value of message (user) attribute 'Hello' to a number."):
        validate_message_attributes(one("Hello", DataType="Number", StringValue="world"))


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("0", True),
        ("-12", True),
        ("1614717034367", True),
        ("4563442423554324324264524243.32543234", True),  # 37 digits
        ("1" * 38, True),
        ("1" * 39, False),
        ("1e126", True),
        ("1e127", False),
        ("1e-128", True),
        ("1e-129", False),
        (".5", True),
        ("5.", True),
        ("abc", False),
        ("1,5", False),
        ("", False),
        ("NaN", False),
    ],
)
def test_number_format(text: str, valid: bool) -> None:
    assert is_valid_number(text) is valid


def test_string_value_characters() -> None:
    with aws_error(
        INVALID,
        "Invalid binary character '#x8' was found in the message attribute 'attr1' value, the set of allowed "
        "characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].",
    ):
        validate_message_attributes(
            one("attr1", DataType="String", StringValue=f"Invalid-{chr(8)},{chr(11)}")
        )


def test_size_counts_name_type_and_value_bytes() -> None:
    attributes = {
        "Yolo": MessageAttribute("Number.customtype", string_value="12345678901234567890"),
        "é": MessageAttribute("Binary", binary_value=b"\x00" * 3),
    }
    assert attributes_size(attributes) == (4 + 17 + 20) + (2 + 6 + 3)


ATTRS = {
    "General": MessageAttribute("String", "Kenobi"),
    "Hello": MessageAttribute("String", "There"),
    "Help.Me": MessageAttribute("String", "Me"),
}


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        # AWS-recorded (LocalStack snapshot test_receive_message_message_attribute_names_filters)
        (None, []),
        ([], []),
        (["All"], ["General", "Hello", "Help.Me"]),
        (["*"], ["General", "Hello", "Help.Me"]),
        ([".*"], ["General", "Hello", "Help.Me"]),
        (["Foo", "Help"], []),
        (["Hello", "General"], ["General", "Hello"]),
        (["Foo", "Hello"], ["Hello"]),
        (["Hel.*"], ["Hello", "Help.Me"]),
        (["AWS."], []),
        (["..foo"], []),
    ],
)
def test_receive_filter(requested: list[str] | None, expected: list[str]) -> None:
    assert sorted(select_attributes(ATTRS, requested)) == expected


def test_filter_function() -> None:
    keep = attribute_name_filter(["a.*", "exact"])
    assert keep("a.b") and keep("exact") and not keep("b") and not keep("exactly")
