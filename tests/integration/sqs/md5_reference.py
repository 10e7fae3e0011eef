"""An independent MD5OfMessageAttributes, written from AWS's documented algorithm (not millpond's code)."""

from __future__ import annotations

import hashlib


def md5_of_message_attributes(attributes: dict[str, tuple[str, str | bytes]]) -> str:
    """{name: (data type, value)}: sorted names; length-prefixed name, type, transport byte, value."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        data_type, value = attributes[name]
        for part in (name.encode(), data_type.encode()):
            digest.update(len(part).to_bytes(4, "big") + part)
        raw = value if isinstance(value, bytes) else value.encode()
        digest.update(b"\x02" if isinstance(value, bytes) else b"\x01")
        digest.update(len(raw).to_bytes(4, "big") + raw)
    return digest.hexdigest()


def test_reference_matches_aws_vectors() -> None:
    # AWS-recorded values (aws-facts §2.3).
    assert md5_of_message_attributes({"attribName1": ("String", "attribValue 1")}) == (
        "19e27d4e946b072f3f58da80d94fd778"
    )
    assert md5_of_message_attributes({"binaryAttribute": ("Binary", b"Hello binary world!")}) == (
        "31a92b15d92f8db860eda32aceb656c3"
    )
