"""Hypothesis strategies that generate an operation's input or output from its botocore shape, plus the
glue every codec round-trip test needs (botocore request dict -> HttpRequest, HttpResponse -> botocore
response dict, normalizing parsed values for comparison).

Values are what a botocore client takes and gives: bytes for blobs, aware UTC datetimes for timestamps.
Wire constraints are honoured per member location: URI labels are non-empty and '/'-free (greedy labels
may hold '/'), headers are printable ASCII without edge whitespace and carry whole-second timestamps,
query-string lists are non-empty, statusCode members are 2xx. Event-stream members are never generated
(callers skip those operations); streaming blobs are generated as bytes and read back by `normalize`.
"""

from __future__ import annotations

import io
import re
import string
import warnings
from collections.abc import Collection
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from botocore.response import StreamingBody
from hypothesis import strategies as st

from millpond.protocol.http import HttpRequest, HttpResponse

__all__ = [
    "input_strategy",
    "normalize",
    "output_strategy",
    "params_strategy",
    "to_http_request",
    "to_response_dict",
]

XML_PROTOCOLS = frozenset({"query", "ec2", "rest-xml"})
MAX_TEXT = 12
MAX_ITEMS = 3
MAX_BLOB = 16
_INT_BOUNDS = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}
_HEADER_CHARS = "".join(chr(c) for c in range(0x21, 0x7F))
_TOKEN_CHARS = string.ascii_lowercase + string.digits + "-"
# A pattern made of one character class repeated, e.g. ^[a-zA-Z0-9_.-]+$ or [\w+=,.@-]*
_TRIVIAL_PATTERN = re.compile(r"^\^?(\[[^\[\]]+\])[*+]\$?$|^\^?(\[[^\[\]]+\])\{\d+,\d*\}\$?$")


def _text_alphabet(protocol: str) -> st.SearchStrategy[str]:
    if protocol in XML_PROTOCOLS:
        # XML 1.0 cannot carry control characters, and parsers turn \r into \n.
        return st.characters(
            codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff"
        )
    return st.characters(codec="utf-8", exclude_categories=("Cs",))


def _bounds(shape: Shape, default_max: int) -> tuple[int, int]:
    low = int(shape.metadata.get("min", 0))
    high = shape.metadata.get("max")
    cap = max(low, default_max)
    return low, cap if high is None else max(low, min(int(high), cap))


class _Builder:
    def __init__(self, protocol: str, greedy_labels: Collection[str], max_depth: int) -> None:
        self.protocol = protocol
        self.greedy = frozenset(greedy_labels)
        self.max_depth = max_depth
        self.alphabet = _text_alphabet(protocol)

    def top(self, shape: StructureShape | None) -> st.SearchStrategy[dict[str, Any]]:
        if shape is None:
            return st.just({})
        return self.structure(shape, 0, top=True)

    def member(self, name: str, shape: Shape, depth: int, location: str | None) -> st.SearchStrategy[Any]:
        if location == "uri":
            return self.uri_label(shape, shape.serialization.get("name", name) in self.greedy)
        if location == "header":
            return self.header(shape)
        if location == "headers":
            assert isinstance(shape, MapShape)
            return st.dictionaries(
                st.text(_TOKEN_CHARS, min_size=1, max_size=8).map("x-".__add__),
                self.header(shape.value),
                max_size=MAX_ITEMS,
            )
        if location == "querystring":
            return self.querystring(shape, depth)
        if location == "statusCode":
            return st.sampled_from([200, 201, 202])
        if shape.serialization.get("hostLabel"):
            return st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=MAX_TEXT)
        return self.value(shape, depth)

    def value(self, shape: Shape, depth: int) -> st.SearchStrategy[Any]:
        kind = shape.type_name
        if kind == "structure":
            assert isinstance(shape, StructureShape)
            return self.structure(shape, depth)
        if kind == "list":
            assert isinstance(shape, ListShape)
            low, high = _bounds(shape, MAX_ITEMS if depth < self.max_depth else 0)
            if high == 0:
                return st.just([])
            return st.lists(self.value(shape.member, depth + 1), min_size=low, max_size=high)
        if kind == "map":
            assert isinstance(shape, MapShape)
            low, high = _bounds(shape, MAX_ITEMS if depth < self.max_depth else 0)
            if high == 0:
                return st.just({})
            keys = self.string(shape.key)
            return st.dictionaries(keys, self.value(shape.value, depth + 1), min_size=low, max_size=high)
        if kind == "string":
            if shape.serialization.get("jsonvalue"):
                return _json_object()
            return self.string(shape)
        if kind in _INT_BOUNDS:
            low, high = _INT_BOUNDS[kind]
            meta = shape.metadata
            return st.integers(int(meta.get("min", low)), int(meta.get("max", high)))
        if kind in ("float", "double"):
            meta = shape.metadata
            return st.floats(
                meta.get("min"),
                meta.get("max"),
                allow_nan=False,
                allow_infinity=False,
                width=32 if kind == "float" else 64,
            )
        if kind == "boolean":
            return st.booleans()
        if kind == "blob":
            low, high = _bounds(shape, MAX_BLOB)
            return st.binary(min_size=low, max_size=high)
        if kind == "timestamp":
            return _timestamps(millis=True)
        raise NotImplementedError(f"no strategy for {shape.name} ({kind})")

    def structure(self, shape: StructureShape, depth: int, top: bool = False) -> st.SearchStrategy[Any]:
        if shape.is_document_type:
            return _document()
        members = {
            name: member
            for name, member in shape.members.items()
            if not member.serialization.get("eventstream")
        }

        def build(name: str, member: Shape) -> st.SearchStrategy[Any]:
            location = member.serialization.get("location") if top else None
            return self.member(name, member, depth + 1, location)

        if shape.is_tagged_union:
            return st.one_of([build(n, m).map(lambda v, n=n: {n: v}) for n, m in members.items()])
        required = set(shape.required_members)
        mandatory = {n: build(n, m) for n, m in members.items() if n in required}
        optional = (
            {}
            if depth > self.max_depth
            else {n: build(n, m) for n, m in members.items() if n not in required}
        )
        return st.fixed_dictionaries(mandatory, optional=optional)

    def string(self, shape: Shape) -> st.SearchStrategy[str]:
        enum = shape.metadata.get("enum")
        if enum:
            return st.sampled_from(enum)
        low, high = _bounds(shape, MAX_TEXT)
        alphabet: st.SearchStrategy[str] = self.alphabet
        chars = _pattern_chars(shape.metadata.get("pattern"))
        if chars:
            alphabet = st.sampled_from(chars)
        return st.text(alphabet, min_size=low, max_size=high)

    def uri_label(self, shape: Shape, greedy: bool) -> st.SearchStrategy[Any]:
        if shape.type_name != "string":
            return self.header(shape)
        low, high = _bounds(shape, MAX_TEXT)
        alphabet = self.alphabet.filter(lambda c: c != "/")
        segment = st.text(alphabet, min_size=max(1, low), max_size=max(1, high)).filter(
            lambda s: s not in (".", "..")
        )
        if shape.metadata.get("enum"):
            return st.sampled_from(shape.metadata["enum"])
        if greedy:
            return st.lists(segment, min_size=1, max_size=3).map("/".join)
        return segment

    def header(self, shape: Shape) -> st.SearchStrategy[Any]:
        kind = shape.type_name
        if kind == "string":
            if shape.serialization.get("jsonvalue"):
                return _json_object()
            if shape.metadata.get("enum"):
                return st.sampled_from(shape.metadata["enum"])
            low, high = _bounds(shape, MAX_TEXT)
            return _header_text(max(1, low), max(1, high), _HEADER_CHARS)
        if kind == "timestamp":
            return _timestamps(millis=False)
        if kind == "list":
            assert isinstance(shape, ListShape)
            # botocore joins list headers with ","; items must not contain one.
            item = _header_text(1, MAX_TEXT, _HEADER_CHARS.replace(",", "").replace('"', ""))
            return st.lists(item, min_size=1, max_size=MAX_ITEMS)
        return self.value(shape, self.max_depth)

    def querystring(self, shape: Shape, depth: int) -> st.SearchStrategy[Any]:
        if isinstance(shape, ListShape):
            return st.lists(self.value(shape.member, depth), min_size=1, max_size=MAX_ITEMS)
        if isinstance(shape, MapShape):
            keys = st.text(_TOKEN_CHARS, min_size=1, max_size=8).map("q-".__add__)
            return st.dictionaries(keys, self.querystring(shape.value, depth), max_size=MAX_ITEMS)
        return self.value(shape, depth)


@cache
def _pattern_chars(pattern: str | None) -> str:
    """The ASCII characters a trivial pattern (one character class, repeated) allows; '' otherwise."""
    match = _TRIVIAL_PATTERN.match(pattern) if pattern else None
    if match is None:
        return ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            char_class = re.compile(match.group(1) or match.group(2))
        except re.error:
            return ""
    return "".join(c for c in map(chr, range(0x20, 0x7F)) if char_class.fullmatch(c))


def _header_text(low: int, high: int, chars: str) -> st.SearchStrategy[str]:
    inner = st.text(chars + " ", min_size=low, max_size=high)
    return inner.map(str.strip).filter(lambda s: len(s) >= low)


def _timestamps(millis: bool) -> st.SearchStrategy[datetime]:
    stamps = st.datetimes(datetime(1971, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))
    if millis:
        return stamps.map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000, fold=0))
    return stamps.map(lambda d: d.replace(microsecond=0, fold=0))


_SCALARS = (
    st.booleans()
    | st.integers(-(2**31), 2**31)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=MAX_TEXT)
)


def _json_object() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=6), _SCALARS, max_size=3)


def _document() -> st.SearchStrategy[Any]:
    return st.recursive(
        _SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
        max_leaves=6,
    )


def params_strategy(
    shape: StructureShape | None,
    protocol: str,
    *,
    greedy_labels: Collection[str] = (),
    max_depth: int = 3,
) -> st.SearchStrategy[dict[str, Any]]:
    """Parameters (or a result) for `shape` as a botocore client passes (or returns) them."""
    return _Builder(protocol, greedy_labels, max_depth).top(shape)


def input_strategy(operation: OperationModel, protocol: str) -> st.SearchStrategy[dict[str, Any]]:
    greedy = re.findall(r"\{([^}]+)\+\}", operation.http.get("requestUri", ""))
    return params_strategy(operation.input_shape, protocol, greedy_labels=greedy)


def output_strategy(operation: OperationModel, protocol: str) -> st.SearchStrategy[dict[str, Any]]:
    return params_strategy(operation.output_shape, protocol)


def to_http_request(request_dict: dict[str, Any], endpoint_url: str = "http://localhost:4566") -> HttpRequest:
    """A botocore serializer's request dict as the HttpRequest the server receives (botocore's own
    endpoint steps: prepare_request_dict, then AWSRequest.prepare)."""
    prepare_request_dict(request_dict, endpoint_url)
    prepared = create_request_object(request_dict).prepare()
    parts = urlsplit(prepared.url)
    body = prepared.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes | bytearray):
        body = body.read()
    headers = {
        key.lower(): (value.decode("utf-8") if isinstance(value, bytes) else value).strip()
        for key, value in prepared.headers.items()
    }
    return HttpRequest(prepared.method, parts.path or "/", parts.query, headers, bytes(body))


def to_response_dict(response: HttpResponse, operation: OperationModel | None = None) -> dict[str, Any]:
    """Our HttpResponse as the dict botocore's parsers take (streaming output wrapped in StreamingBody)."""
    headers = HeadersDict()
    for key, value in response.headers:
        headers[key] = value
    body: Any = response.body
    if operation is not None and operation.has_streaming_output and response.status < 300:
        body = StreamingBody(io.BytesIO(response.body), len(response.body))
    return {"status_code": response.status, "headers": headers, "body": body, "context": {}}


def normalize(value: Any, drop_empty: bool = False) -> Any:
    """A parsed (or generated) value in comparable form: datetimes in UTC, streams read, no
    ResponseMetadata; with `drop_empty`, empty lists and maps removed (XML cannot tell them from absent)."""
    if isinstance(value, dict) and "ResponseMetadata" in value:
        value = {key: item for key, item in value.items() if key != "ResponseMetadata"}
    return _normalize(value, drop_empty)


def _normalize(value: Any, drop_empty: bool) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = _normalize(item, drop_empty)
            if drop_empty and isinstance(item, list | dict) and not item:
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [_normalize(item, drop_empty) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, StreamingBody):
        return value.read()
    if isinstance(value, bytearray):
        return bytes(value)
    return value
