"""MD5OfMessageBody / MD5OfMessageAttributes / MD5OfMessageSystemAttributes against known AWS values."""

from __future__ import annotations

import hashlib
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from millpond.services.sqs.md5 import (
    attributes_digest_input,
    md5_of_attributes,
    md5_of_body,
    md5_of_system_attributes,
)
from millpond.services.sqs.message_attributes import MessageAttribute


def string(value: str, data_type: str = "String") -> MessageAttribute:
    return MessageAttribute(data_type=data_type, string_value=value)


def binary(value: bytes, data_type: str = "Binary") -> MessageAttribute:
    return MessageAttribute(data_type=data_type, binary_value=value)


def reference_md5(attributes: dict[str, MessageAttribute]) -> str:
    """An independent transcription of the AWS SDK for Java's MessageMD5ChecksumHandler."""
    out = io.BytesIO()

    def put(data: bytes) -> None:
        out.write(len(data).to_bytes(4, "big"))
        out.write(data)

    for name in sorted(attributes):
        value = attributes[name]
        put(name.encode())
        put(value.data_type.encode())
        if value.string_value is not None:
            out.write(b"\x01")
            put(value.string_value.encode())
        else:
            assert value.binary_value is not None
            out.write(b"\x02")
            put(value.binary_value)
    return hashlib.md5(out.getvalue()).hexdigest()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("msg", "6e2baaf3b97dbeef01c0043275f9a0e7"),  # AWS-recorded (LocalStack snapshot)
        ("test", "098f6bcd4621d373cade4e832627b4f6"),
        ("message-body-1", "19c9e282d65f9733bc6b35d50062c7ee"),  # AWS-recorded
        ("g1-m1", "fc4286b824b39ddf3606c9f27ff664bd"),  # AWS-recorded
    ],
)
def test_md5_of_body(body: str, expected: str) -> None:
    assert md5_of_body(body) == expected


KENOBI = {"General": string("Kenobi"), "Hello": string("There"), "Help.Me": string("Me")}
SDK_VECTORS = {
    "attribName1": string("attribValue 1"),
    "binaryAttribute": binary(b"Hello binary world!"),
    "customNumberTypeAttrib": string("4563442423554324324264524243.32543234", "Number.float"),
}


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        # AWS SDK test vectors (aws-facts 2.3)
        ({"attribName1": SDK_VECTORS["attribName1"]}, "19e27d4e946b072f3f58da80d94fd778"),
        ({"binaryAttribute": SDK_VECTORS["binaryAttribute"]}, "31a92b15d92f8db860eda32aceb656c3"),
        (
            {"customNumberTypeAttrib": SDK_VECTORS["customNumberTypeAttrib"]},
            "9fe1b90bbd9965bdf77bac517c7d2495",
        ),
        (SDK_VECTORS, "c932db14a896c663f83c260297d594ff"),
        # AWS-recorded receive results (LocalStack snapshots): full set and filtered subsets
        (KENOBI, "4c360f3fdafd970e05fae2f149d997f5"),
        ({"General": KENOBI["General"], "Hello": KENOBI["Hello"]}, "fca026605781cb4126a1e9044df24232"),
        ({"Hello": KENOBI["Hello"]}, "a311262e065454b75da111d535b8dacd"),
        ({"Hello": KENOBI["Hello"], "Help.Me": KENOBI["Help.Me"]}, "83fee93c1bcd8b9a5a923ffacdc636c7"),
        ({"Foo": string("Bar")}, "ae7155c6026991b6d54b11589678bf9c"),
        (
            {"attr1": binary(b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01")},
            "8cbe4db156db8a94db8b801b7addb984",
        ),
    ],
)
def test_md5_of_attributes_known_values(attributes: dict[str, MessageAttribute], expected: str) -> None:
    assert md5_of_attributes(attributes) == expected


def test_insertion_order_does_not_matter() -> None:
    reversed_order = dict(reversed(list(KENOBI.items())))
    assert md5_of_attributes(reversed_order) == md5_of_attributes(KENOBI)


def test_no_attributes_means_no_digest() -> None:
    assert md5_of_attributes({}) is None
    assert md5_of_attributes(None) is None
    assert md5_of_system_attributes({}) is None


def test_digest_input_layout() -> None:
    data = attributes_digest_input({"a": string("bc")})
    assert data == b"\x00\x00\x00\x01a" + b"\x00\x00\x00\x06String" + b"\x01" + b"\x00\x00\x00\x02bc"
    data = attributes_digest_input({"b": binary(b"\x00\xff", "Binary.jpeg")})
    assert (
        data == b"\x00\x00\x00\x01b" + b"\x00\x00\x00\x0bBinary.jpeg" + b"\x02" + b"\x00\x00\x00\x02\x00\xff"
    )


def test_md5_of_system_attributes() -> None:
    assert (
        md5_of_system_attributes({"AWSTraceHeader": string("some-trace-id")})
        == "fdce4f2818803f2f73becc09a54792c0"
    )
    assert (
        md5_of_system_attributes({"AWSTraceHeader": string("some-value")})
        == "a3263a0cbc09023ccd431feb61438309"
    )


ATTRIBUTE_NAMES = st.text(st.sampled_from("abcXYZ019_-.é"), min_size=1, max_size=12)
ATTRIBUTE_VALUES = st.one_of(
    st.builds(
        string, st.text(min_size=1), st.sampled_from(["String", "Number", "String.custom", "Number.int"])
    ),
    st.builds(binary, st.binary(min_size=1), st.sampled_from(["Binary", "Binary.png"])),
)


@given(st.dictionaries(ATTRIBUTE_NAMES, ATTRIBUTE_VALUES, min_size=1, max_size=10))
def test_matches_independent_implementation(attributes: dict[str, MessageAttribute]) -> None:
    assert md5_of_attributes(attributes) == reference_md5(attributes)
