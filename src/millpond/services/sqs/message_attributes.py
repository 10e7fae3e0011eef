"""Message attributes: validating a send's MessageAttributes, their size, and the receive-side name filter.

Input is the parsed request map `{name: {"DataType", "StringValue", "BinaryValue", ...}}`; output is a dict of
`MessageAttribute`. Texts are AWS's: "Message (user) attribute ..." for user attributes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from millpond.errors import AwsError

MAX_ATTRIBUTES = 10
MAX_NAME_BYTES = 256
MAX_TYPE_BYTES = 256
BASE_TYPES = ("String", "Number", "Binary")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
ALLOWED_CHARACTERS_TEXT = "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]"
# Any character outside that set (lone surrogates included): one regex scan instead of a Python loop per char.
_INVALID_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class MessageAttribute:
    """One message attribute as stored: exactly one of string_value (String, Number) or binary_value."""

    data_type: str
    string_value: str | None = None
    binary_value: bytes | None = None

    @property
    def base_type(self) -> str:
        return self.data_type.split(".", 1)[0]

    def size(self, name: str) -> int:
        """Bytes this attribute adds to the message size: name + data type + value."""
        value = self.binary_value if self.binary_value is not None else (self.string_value or "").encode()
        return len(name.encode("utf-8")) + len(self.data_type.encode("utf-8")) + len(value)

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"DataType": self.data_type}
        if self.binary_value is not None:
            wire["BinaryValue"] = self.binary_value
        else:
            wire["StringValue"] = self.string_value
        return wire


def first_invalid_character(text: str) -> str | None:
    """The first character outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF."""
    found = _INVALID_CHARACTER.search(text)
    return None if found is None else found.group()


def character_reference(char: str) -> str:
    """AWS names a bad character as `#xFFFF` (uppercase hex, no padding)."""
    return f"#x{ord(char):X}"


def is_valid_number(text: str) -> bool:
    """Number attributes: up to 38 significant digits, magnitude between 10^-128 and 10^+126 (SQS docs)."""
    if not _NUMBER.fullmatch(text):
        return False
    try:
        number = Decimal(text)
    except InvalidOperation:
        return False
    if number.is_zero():
        return True
    digits = "".join(map(str, number.as_tuple().digits)).strip("0")  # not normalize(): it rounds to 28 digits
    if len(digits) > 38:
        return False
    exponent = number.adjusted()
    return -128 <= exponent <= 126


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message)


def _name_char_ok(char: str) -> bool:
    # AWS accepts non-ASCII letters too ("attr.1øßä" is sent successfully, LocalStack AWS-validated test).
    return char.isalnum() or char in "_-."


def validate_attribute_name(name: str, kind: str = "(user)") -> None:
    if not name:
        raise _invalid(f"The request must contain non-empty message {kind} attribute names.")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise _invalid(f"Message {kind} attribute name must be shorter than 256 bytes.")
    if not all(_name_char_ok(char) for char in name):
        # The trailing space is part of AWS's text (as recorded by LocalStack).
        raise _invalid(
            f"Message {kind} attributes name can only contain upper and lower score characters, digits, "
            "periods, hyphens and underscores. "
        )
    lowered = name.lower()
    if lowered.startswith(("aws.", "amazon.")) or name.startswith(".") or name.endswith("."):
        raise _invalid(
            "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are "
            "reserved for internal use. Additionally, they cannot start or end with '.'."
        )
    if ".." in name:
        raise _invalid(f"Message {kind} attribute name must not have successive '.' characters.")


def _validate_data_type(name: str, data_type: str | None, has_value: bool, kind: str) -> str:
    if not data_type:
        if not has_value:
            raise _invalid(
                f"The message {kind} attribute '{name}' must contain a non-empty message attribute value."
            )
        raise _invalid(
            f"The message {kind} attribute '{name}' must contain a non-empty message attribute type."
        )
    base, dot, label = data_type.partition(".")
    if base not in BASE_TYPES or (dot and not label):
        raise _invalid(
            f"The type of message {kind} attribute '{name}' is invalid. "
            "You must use only the following supported type prefixes: Binary, Number, String."
        )
    if len(data_type.encode("utf-8")) > MAX_TYPE_BYTES:
        raise _invalid(f"Message {kind} attribute type must be shorter than 256 bytes.")
    return base


def validate_attribute(name: str, raw: Mapping[str, Any], kind: str = "(user)") -> MessageAttribute:
    """Validate one `{"DataType", "StringValue"|"BinaryValue"}` value; return it as a MessageAttribute."""
    string_value = raw.get("StringValue")
    binary_value = raw.get("BinaryValue")
    if isinstance(binary_value, str):
        binary_value = binary_value.encode("utf-8")
    has_value = string_value is not None or binary_value is not None
    base = _validate_data_type(name, raw.get("DataType"), has_value, kind)
    data_type: str = raw["DataType"]
    if raw.get("StringListValues") or raw.get("BinaryListValues"):
        raise AwsError(
            "UnsupportedOperation",
            "Message attribute list values in SendMessage operation are not supported.",
        )
    if string_value is not None and binary_value is not None:
        raise _invalid(f"Message {kind} attribute '{name}' must have a single value.")
    if base == "Binary":
        if string_value:
            raise _invalid(f"Message {kind} attribute '{name}' with type 'Binary' must use field 'Binary'.")
        if not binary_value:
            raise _invalid(
                f"Message {kind} attribute '{name}' must contain a non-empty value of type '{data_type}'."
            )
        return MessageAttribute(data_type=data_type, binary_value=bytes(binary_value))
    if binary_value:
        raise _invalid(f"Message {kind} attribute '{name}' with type '{base}' must use field 'String'.")
    if not string_value:
        raise _invalid(
            f"Message {kind} attribute '{name}' must contain a non-empty value of type '{data_type}'."
        )
    bad = first_invalid_character(string_value)
    if bad is not None:
        # Unsure of AWS's exact text here; modelled on the body's InvalidMessageContents text.
        raise _invalid(
            f"Invalid binary character '{character_reference(bad)}' was found in the message attribute "
            f"'{name}' value, the set of allowed characters is {ALLOWED_CHARACTERS_TEXT}."
        )
    if base == "Number" and not is_valid_number(string_value):
        raise _invalid(f"Can't cast the value of message {kind} attribute '{name}' to a number.")
    return MessageAttribute(data_type=data_type, string_value=string_value)


def validate_message_attributes(raw: Mapping[str, Mapping[str, Any]] | None) -> dict[str, MessageAttribute]:
    """Validate SendMessage's MessageAttributes in AWS's order: count, then each name and value."""
    if not raw:
        return {}
    if len(raw) > MAX_ATTRIBUTES:
        raise _invalid(
            f"Number of message attributes [{len(raw)}] exceeds the allowed maximum [{MAX_ATTRIBUTES}]."
        )
    validated: dict[str, MessageAttribute] = {}
    for name, value in raw.items():
        validate_attribute_name(name)
        validated[name] = validate_attribute(name, value or {})
    return validated


def attributes_size(attributes: Mapping[str, MessageAttribute]) -> int:
    return sum(value.size(name) for name, value in attributes.items())


def attribute_name_filter(requested: Iterable[str] | None) -> Callable[[str], bool]:
    """ReceiveMessage's MessageAttributeNames: exact names, `All`, `*`, `.*`, or prefixes like `Hel.*`.

    AWS-recorded: `Hel.*` returns `Hello` and `Help.Me` (the prefix is everything before `.*`); names that
    match nothing, or are illegal (`AWS.`, `..foo`), return nothing rather than an error.
    """
    exact: set[str] = set()
    prefixes: list[str] = []
    for name in requested or ():
        if name in ("All", "*", ".*"):
            return lambda _name: True
        if name.endswith(".*"):
            prefixes.append(name[:-2])
        else:
            exact.add(name)

    def matches(name: str) -> bool:
        return name in exact or any(name.startswith(prefix) for prefix in prefixes)

    return matches


def select_attributes(
    attributes: Mapping[str, MessageAttribute], requested: Iterable[str] | None
) -> dict[str, MessageAttribute]:
    """The subset ReceiveMessage returns (its MD5OfMessageAttributes covers only this subset)."""
    keep = attribute_name_filter(requested)
    return {name: value for name, value in attributes.items() if keep(name)}
