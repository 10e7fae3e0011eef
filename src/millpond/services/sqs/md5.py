"""The MD5 digests SQS returns for a message body and for its (system) attributes.

SDKs for Java, Kotlin, .NET and others recompute these and fail the call on a mismatch, so they must be exact.
The attribute digest follows AWS's encoding: attributes sorted by name; per attribute the 4-byte big-endian
length and UTF-8 bytes of the name, the same for the data type, one transport byte (1 for a string value,
which String and Number types use, 2 for a binary value), then the length-prefixed value bytes.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from typing import Protocol

STRING_TRANSPORT = 1
BINARY_TRANSPORT = 2


class AttributeValue(Protocol):
    """What the digest reads from an attribute (messages.MessageAttribute satisfies it)."""

    @property
    def data_type(self) -> str: ...

    @property
    def string_value(self) -> str | None: ...

    @property
    def binary_value(self) -> bytes | None: ...


def md5_of_body(body: str) -> str:
    """Lowercase hex MD5 of the UTF-8 body."""
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def attributes_digest_input(attributes: Mapping[str, AttributeValue]) -> bytes:
    """The exact byte string AWS hashes for MD5OfMessageAttributes (exposed for tests and debugging)."""
    buffer = bytearray()
    # Sorted by code point, which for names limited to letters, digits, '_', '-' and '.' is byte order too.
    for name in sorted(attributes):
        value = attributes[name]
        buffer += _length_prefixed(name.encode("utf-8"))
        buffer += _length_prefixed(value.data_type.encode("utf-8"))
        if value.string_value is not None:
            buffer.append(STRING_TRANSPORT)
            buffer += _length_prefixed(value.string_value.encode("utf-8"))
        elif value.binary_value is not None:
            buffer.append(BINARY_TRANSPORT)
            buffer += _length_prefixed(bytes(value.binary_value))
    return bytes(buffer)


def md5_of_attributes(attributes: Mapping[str, AttributeValue] | None) -> str | None:
    """MD5OfMessageAttributes; None when there are no attributes (AWS then omits the field)."""
    if not attributes:
        return None
    return hashlib.md5(attributes_digest_input(attributes)).hexdigest()


def md5_of_system_attributes(attributes: Mapping[str, AttributeValue] | None) -> str | None:
    """MD5OfMessageSystemAttributes (only AWSTraceHeader today): the same encoding as user attributes."""
    return md5_of_attributes(attributes)
