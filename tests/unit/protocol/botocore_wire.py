"""Helpers for round-trip tests against botocore's own client serializer and response parsers.

`to_http_request` turns a botocore request dict into the HttpRequest our codecs read (through the same
prepare steps botocore's endpoint uses), `parse_response` hands our HttpResponse to botocore's parser as
its endpoint would, and `wire_value` predicts what survives a trip over the wire (what the protocol
drops or rounds), so that parsed values can be compared with the generated ones.
"""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from botocore.parsers import create_parser
from botocore.response import StreamingBody
from botocore.utils import parse_to_aware_datetime

from millpond.protocol.http import HttpRequest, HttpResponse

ENDPOINT = "http://localhost:4566"


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


def to_http_request(request_dict: dict[str, Any]) -> HttpRequest:
    prepare_request_dict(request_dict, endpoint_url=ENDPOINT)
    prepared = create_request_object(request_dict).prepare()
    url = urlsplit(prepared.url)
    body = prepared.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes):
        body = body.read()
    headers: dict[str, str] = {}
    for name, value in prepared.headers.items():
        text = value.decode("utf-8") if isinstance(value, bytes) else value
        headers[name.lower()] = text.strip()
    return HttpRequest(prepared.method, url.path or "/", url.query, headers, body)


def parse_response(protocol: str, operation: OperationModel, response: HttpResponse) -> dict[str, Any]:
    """What a botocore client returns for this response, modeled error fields included."""
    headers = HeadersDict()
    for name, value in response.headers:
        headers[name] = value
    body: Any = response.body
    if operation.has_streaming_output and response.status < 300:
        body = StreamingBody(io.BytesIO(response.body), len(response.body))
    raw = {
        "status_code": response.status,
        "headers": headers,
        "body": body,
        "context": {"operation_name": operation.name},
    }
    parser = create_parser(protocol)
    parsed: dict[str, Any] = parser.parse(raw, operation.output_shape)
    code = parsed.get("Error", {}).get("Code")
    if code is not None:
        error_shape = operation.service_model.shape_for_error_code(code)
        if error_shape is not None:
            raw["body"] = response.body
            parsed.update(parser.parse(raw, error_shape))
    return parsed


def canon(value: Any) -> Any:
    """Deep copy in which NaN equals NaN and StreamingBody payloads are read."""
    if isinstance(value, dict):
        return {key: canon(item) for key, item in value.items()}
    if isinstance(value, list):
        return [canon(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return "<NaN>"
    if isinstance(value, StreamingBody):
        return value.read()
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


def timestamp(value: Any, precision: str = "micro") -> datetime:
    when = parse_to_aware_datetime(value).astimezone(UTC)
    if precision == "second":
        return when.replace(microsecond=0)
    return when


def wire_value(shape: Shape, value: Any, protocol: str) -> Any:
    """`value` as it reads back after the trip, or ABSENT when the protocol does not carry it.

    protocol "query-in" is the form encoding (empty structures and maps vanish); "xml" the query
    response; "json" a JSON body.
    """
    if value is None:
        return ABSENT
    if isinstance(shape, StructureShape):
        if shape.is_document_type:
            return value
        out = {}
        for name, item in value.items():
            member = shape.members[name]
            converted = wire_value(member, item, protocol)
            if converted is not ABSENT:
                out[name] = converted
        if protocol == "query-in" and not out:
            return ABSENT
        return out
    if isinstance(shape, ListShape):
        items = [wire_value(shape.member, item, protocol) for item in value]
        if protocol == "query-in":
            kept = [item for item in items if item is not ABSENT]
            if not value:
                return []
            return kept or ABSENT
        if protocol == "xml" and shape.serialization.get("flattened") and not items:
            return ABSENT
        return items
    if isinstance(shape, MapShape):
        converted_map = {key: wire_value(shape.value, item, protocol) for key, item in value.items()}
        if protocol == "query-in":
            # The key is still sent when its value is not, and reads back as None.
            converted_map = {key: None if item is ABSENT else item for key, item in converted_map.items()}
        else:
            converted_map = {key: item for key, item in converted_map.items() if item is not ABSENT}
        if not converted_map and (protocol == "query-in" or shape.serialization.get("flattened")):
            return ABSENT
        return converted_map
    kind = shape.type_name
    if kind == "blob":
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if kind == "timestamp":
        return timestamp(value)
    if kind in ("float", "double"):
        return float(value)
    return value
