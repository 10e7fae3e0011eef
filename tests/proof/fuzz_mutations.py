"""How the fuzzer breaks a request: on its parameters (before serialization) or on the wire (after).

Parameter mutations walk the generated parameters alongside their botocore shape and change one member:
an extreme but valid value (limits, empty, unicode, huge), a value of the wrong type, or a required
member removed. Body mutations change the serialized request: garbage, truncation, an oversized body, an
unknown member, a top-level value of the wrong kind, an XML body, a wrong content type, no or bad
signatures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import cbor2
from botocore.model import ListShape, MapShape, Shape, StructureShape
from hypothesis import strategies as st

Draw = Callable[[st.SearchStrategy[Any]], Any]

PARAM_MUTATIONS = ("extreme", "wrong_type", "missing_required")
BODY_MUTATIONS = (
    "garbage",
    "truncated",
    "oversized",
    "unknown_member",
    "wrong_kind",
    "xml_body",
    "wrong_content_type",
    "no_auth",
    "bad_signature",
)
OVERSIZED = 2 * 1024 * 1024 + 1

_WRONG: list[Any] = [[], {}, "text", 123, -1.5, True, None, [[{"a": 1}]], "9" * 400, {"a": {"b": []}}]
_STRINGS = [
    "",
    " ",
    "\x00",
    "\u00e9\u4e2d\U0001f600" * 300,
    "a" * 256,
    "a" * 1025,
    "a" * 262145,
    "../..%00<x>&",
]
_INTEGERS = [0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, -(2**63)]
_FLOATS = [0.0, -0.0, 1e308, -1e308, 5e-324, 3.4e38]
_TIMES = [
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, tzinfo=UTC),
    datetime(2000, 2, 29, tzinfo=UTC),
]


def _slots(value: Any, shape: Shape | None, out: list[tuple[Any, Any, Shape | None, bool]]) -> None:
    """(container, key, member shape, required) for every member present in `value`, depth first."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        required = set(shape.required_members)
        for key, item in value.items():
            member = shape.members.get(key)
            out.append((value, key, member, key in required))
            _slots(item, member, out)
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value):
            out.append((value, index, shape.member, False))
            _slots(item, shape.member, out)
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        for key, item in value.items():
            out.append((value, key, shape.value, False))
            _slots(item, shape.value, out)


def _extreme(shape: Shape | None, current: Any, draw: Draw) -> Any:
    kind = shape.type_name if shape is not None else "string"
    if kind == "string":
        enum = shape.metadata.get("enum") if shape is not None else None
        return draw(st.sampled_from(_STRINGS + ([e.lower() for e in enum] if enum else [])))
    if kind in ("integer", "long", "short", "byte"):
        return draw(st.sampled_from(_INTEGERS))
    if kind in ("float", "double"):
        return draw(st.sampled_from(_FLOATS))
    if kind == "blob":
        return draw(st.sampled_from([b"", b"\x00" * 1024, bytes(range(256)) * 4096]))
    if kind == "timestamp":
        return draw(st.sampled_from(_TIMES))
    if kind == "list":
        return draw(st.sampled_from([[], [current[0]] * 1000 if current else [None] * 1000]))
    if kind == "map":
        first = next(iter(current.values()), "v") if current else "v"
        return draw(st.sampled_from([{}, {f"k{i}": first for i in range(1000)}]))
    if kind == "boolean":
        return not current
    return current


def mutate_params(
    params: dict[str, Any], shape: StructureShape | None, mutation: str, draw: Draw
) -> dict[str, Any]:
    slots: list[tuple[Any, Any, Shape | None, bool]] = []
    _slots(params, shape, slots)
    if mutation == "missing_required":
        slots = [slot for slot in slots if slot[3]]
    if not slots:
        return params
    container, key, member, _ = draw(st.sampled_from(slots))
    if mutation == "missing_required":
        del container[key]
    elif mutation == "extreme":
        container[key] = _extreme(member, container[key], draw)
    else:
        container[key] = draw(st.sampled_from(_WRONG))
    return params


def _with_unknown(body: bytes, headers: dict[str, str]) -> bytes:
    content_type = headers.get("content-type", "")
    try:
        if "cbor" in content_type:
            decoded = cbor2.loads(body) if body else {}
            if isinstance(decoded, dict):
                decoded["UnknownMemberZ"] = {"x": 1}
            return bytes(cbor2.dumps(decoded))
        if "form-urlencoded" in content_type:
            return body + b"&UnknownMemberZ.1.Name=x"
        decoded = json.loads(body) if body else {}
        if isinstance(decoded, dict):
            decoded["UnknownMemberZ"] = [1, {"y": None}]
        return json.dumps(decoded).encode()
    except ValueError:
        return body + b"Z"


def mutate_body(
    body: bytes, headers: dict[str, str], mutation: str, draw: Draw, signing: str
) -> tuple[bytes, dict[str, str], str | None]:
    """The serialized request broken as `mutation` says; the signing name (None: do not sign)."""
    sign: str | None = signing
    if mutation == "garbage":
        body = draw(st.binary(min_size=1, max_size=300))
    elif mutation == "truncated":
        body = body[: draw(st.integers(0, max(0, len(body) - 1)))]
    elif mutation == "oversized":
        body = body + b" " * OVERSIZED if body[:1] in (b"{", b"") else body + b"&Pad=" + b"x" * OVERSIZED
    elif mutation == "unknown_member":
        body = _with_unknown(body, headers)
    elif mutation == "wrong_kind":
        body = draw(st.sampled_from([b"[]", b'"x"', b"null", b"1", b"{{", b"\xa0", b"\x9f\xff"]))
    elif mutation == "xml_body":
        body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Request><A>&a;</A><B>'
        headers = {**headers, "content-type": "text/xml"}
    elif mutation == "wrong_content_type":
        headers = {
            **headers,
            "content-type": draw(
                st.sampled_from(
                    [
                        "text/plain",
                        "application/xml",
                        "application/x-amz-json-1.1",
                        "application/cbor",
                        "image/png",
                    ]
                )
            ),
        }
    elif mutation == "no_auth":
        sign = None
    elif mutation == "bad_signature":
        sign = None
        headers = {
            **headers,
            "authorization": draw(
                st.sampled_from(
                    [
                        "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/" + signing + "/aws4_request, "
                        "SignedHeaders=host;x-amz-date, Signature=00",
                        "AWS4-HMAC-SHA256 Credential=///, SignedHeaders=, Signature=",
                        "AWS4-HMAC-SHA256",
                        "Basic dGVzdDp0ZXN0",
                        "AWS test:c2ln",
                        "AWS4-HMAC-SHA256 Credential=\u00e9/x/y/z/aws4_request".encode().decode("latin-1"),
                    ]
                )
            ),
            "x-amz-date": draw(st.sampled_from(["20250101T000000Z", "garbage", "", "99999999T999999Z"])),
        }
    return body, headers, sign
