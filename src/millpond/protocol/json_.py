"""awsJson 1.0/1.1 (SQS, Kinesis, Logs, CloudWatch-JSON): requests routed by X-Amz-Target, JSON bodies.

ShapeReader and ShapeWriter walk a decoded document along a botocore shape; the CBOR codecs reuse them
and override only the leaf types (blobs, timestamps, floats) whose wire form differs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

from millpond.errors import AwsError
from millpond.protocol import eventstream
from millpond.protocol.errors import resolve
from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.protocol.shapes import b64decode, b64encode, format_timestamp, parse_timestamp, timestamp_format

__all__ = [
    "BadValue",
    "ShapeReader",
    "ShapeWriter",
    "content_type",
    "error_parts",
    "parse_request",
    "serialization_error",
    "serialize_error",
    "serialize_response",
]

_JAVA_TYPES = {"integer": "Integer", "long": "Long", "short": "Short", "byte": "Byte"}
_JAVA_TYPES |= {"float": "Float", "double": "Double", "boolean": "Boolean", "string": "String"}


Handler = Callable[[Shape, Any], Any]


def _as_is(shape: Shape, value: Any) -> Any:
    return value


class BadValue(ValueError):
    """A value of the wrong type; the codec answers SerializationException with this message."""


def _kind(value: Any) -> str:
    # How AWS's Jackson-based parser names the JSON token it did not expect.
    if isinstance(value, bool):
        return "class java.lang.Boolean"
    if isinstance(value, int | float):
        return "class java.math.BigDecimal"
    return "class java.lang.String"


def _container_error(value: Any) -> BadValue | None:
    if isinstance(value, list):
        return BadValue("Start of list found where not expected")
    if isinstance(value, dict):
        return BadValue("Start of structure or map found where not expected.")
    return None


class ShapeReader:
    """Decoded request document -> params (bytes for blobs, aware datetimes for timestamps)."""

    def __init__(self, *, string_timestamps: bool = True) -> None:
        self.string_timestamps = string_timestamps
        self._handlers: dict[str, Handler] = {
            "structure": self.structure,
            "list": self.list,
            "map": self.map,
            "string": self.string,
            "integer": self.integer,
            "long": self.integer,
            "short": self.integer,
            "byte": self.integer,
            "float": self.float,
            "double": self.float,
            "boolean": self.boolean,
            "timestamp": self.timestamp,
            "blob": self.blob,
        }
        # structure shape -> {wire name: (member name, member shape, handler)}
        self._plans: dict[Shape, dict[str, tuple[str, Shape, Handler]]] = {}

    def read(self, shape: Shape, value: Any) -> Any:
        return self._handlers.get(shape.type_name, _as_is)(shape, value)

    def structure(self, shape: Shape, value: Any) -> Any:
        plan = self._plans.get(shape)
        if plan is None:
            assert isinstance(shape, StructureShape)
            if shape.is_document_type:
                return value
            handlers = self._handlers
            plan = self._plans[shape] = {
                member.serialization.get("name", name): (name, member, handlers.get(member.type_name, _as_is))
                for name, member in shape.members.items()
            }
        if type(value) is not dict:
            if isinstance(value, list):
                raise BadValue("Start of list found where not expected")
            raise BadValue("Expected null")
        out: dict[str, Any] = {}
        for key, item in value.items():
            entry = plan.get(key)
            if entry is None or item is None:
                continue
            name, member, handler = entry
            out[name] = handler(member, item)
        return out

    def list(self, shape: Any, value: Any) -> Any:
        if type(value) is not list:
            if isinstance(value, dict):
                raise BadValue("Start of structure or map found where not expected.")
            raise BadValue("Expected list or null")
        member = shape.member
        handler = self._handlers.get(member.type_name, _as_is)
        return [None if item is None else handler(member, item) for item in value]

    def map(self, shape: Any, value: Any) -> Any:
        if type(value) is not dict:
            if isinstance(value, list):
                raise BadValue("Start of list found where not expected")
            raise BadValue("Expected map or null")
        member = shape.value
        handler = self._handlers.get(member.type_name, _as_is)
        return {key: handler(member, item) for key, item in value.items() if item is not None}

    def string(self, shape: Shape, value: Any) -> Any:
        if type(value) is str:
            return value
        raise _container_error(value) or BadValue(f"{_kind(value)} can not be converted to an String")

    def integer(self, shape: Shape, value: Any) -> Any:
        if type(value) is int:
            return value
        if type(value) is float and math.isfinite(value):
            # AWS truncates fractional numbers sent for integer members.
            return math.floor(value)
        java = _JAVA_TYPES.get(shape.type_name, "Integer")
        raise _container_error(value) or BadValue(f"{_kind(value)} can not be converted to an {java}")

    def float(self, shape: Shape, value: Any) -> Any:
        if type(value) is float or type(value) is int:
            return float(value)
        if value in ("NaN", "Infinity", "-Infinity"):
            return float(value)
        java = _JAVA_TYPES[shape.type_name]
        raise _container_error(value) or BadValue(f"{_kind(value)} can not be converted to an {java}")

    def boolean(self, shape: Shape, value: Any) -> Any:
        if type(value) is bool:
            return value
        if isinstance(value, str):
            raise BadValue(f"'{value.upper()}' can not be converted to an Boolean")
        raise _container_error(value) or BadValue(f"{_kind(value)} can not be converted to an Boolean")

    def timestamp(self, shape: Shape, value: Any) -> Any:
        if isinstance(value, str) and not self.string_timestamps:
            # awsJson timestamps are epoch seconds; AWS rejects a string (its parser's own words, seen live).
            raise BadValue("STRING_VALUE can not be converted to milliseconds since epoch")
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _container_error(value) or BadValue(f"{_kind(value)} can not be converted to a Timestamp")
        try:
            return parse_timestamp(value)
        except ValueError:
            raise BadValue(f"'{value}' can not be converted to a Timestamp") from None

    def blob(self, shape: Shape, value: Any) -> Any:
        if not isinstance(value, str):
            raise _container_error(value) or BadValue(f"{_kind(value)} can not be converted to a Blob")
        try:
            return b64decode(value)
        except ValueError:
            raise BadValue(f"'{value:.60}' can not be converted to a Blob: invalid Base64") from None


class ShapeWriter:
    """Provider result -> document for the wire; members not in the shape and None values are dropped."""

    timestamp_format = "unixTimestamp"

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {
            "structure": self.structure,
            "list": self.list,
            "map": self.map,
            "float": self.float,
            "double": self.float,
            "timestamp": self.timestamp,
            "blob": self.blob,
            "integer": self.integer,
            "long": self.integer,
            "short": self.integer,
            "byte": self.integer,
        }
        # structure shape -> {member name: (wire name, member shape, handler or None for as-is)}
        self._plans: dict[Shape, dict[str, tuple[str, Shape, Handler | None]]] = {}

    def write(self, shape: Shape, value: Any) -> Any:
        handler = self._handlers.get(shape.type_name)
        return value if handler is None else handler(shape, value)

    def structure(self, shape: Shape, value: Any) -> Any:
        plan = self._plans.get(shape)
        if plan is None:
            assert isinstance(shape, StructureShape)
            if shape.is_document_type:
                return value
            plan = self._plans[shape] = {
                name: (member.serialization.get("name", name), member, self._handlers.get(member.type_name))
                for name, member in shape.members.items()
            }
        out: dict[str, Any] = {}
        for name, item in value.items():
            entry = plan.get(name)
            if entry is None or item is None:
                continue
            wire, member, handler = entry
            out[wire] = item if handler is None else handler(member, item)
        return out

    def list(self, shape: Any, value: Any) -> Any:
        member = shape.member
        handler = self._handlers.get(member.type_name)
        if handler is None:
            return value if type(value) is list else list(value)
        return [None if item is None else handler(member, item) for item in value]

    def map(self, shape: Any, value: Any) -> Any:
        member = shape.value
        handler = self._handlers.get(member.type_name)
        if handler is None:
            return {key: item for key, item in value.items() if item is not None}
        return {key: handler(member, item) for key, item in value.items() if item is not None}

    def integer(self, shape: Shape, value: Any) -> Any:
        return value if type(value) is int else int(value)

    def float(self, shape: Shape, value: Any) -> Any:
        number = float(value)
        if math.isfinite(number):
            return number
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")

    def timestamp(self, shape: Shape, value: Any) -> Any:
        when = value if isinstance(value, datetime) else parse_timestamp(value)
        return format_timestamp(when, timestamp_format(shape, self.timestamp_format))

    def blob(self, shape: Shape, value: Any) -> Any:
        return b64encode(value.encode("utf-8") if isinstance(value, str) else bytes(value))


_READER = ShapeReader(string_timestamps=False)
_WRITER = ShapeWriter()
# json.dumps(..., separators=...) builds a new encoder per call; these are built once.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":")).encode
_COMPACT_JSON_ANY = json.JSONEncoder(separators=(",", ":"), default=str).encode


def serialization_error(message: str) -> AwsError:
    return AwsError("SerializationException", message, 400)


def parse_request(operation: OperationModel, request: HttpRequest, labels: dict[str, str]) -> dict[str, Any]:
    body = request.body
    if not body or body.isspace():
        document: Any = {}
    else:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise serialization_error(f"Unable to parse the request body as JSON: {exc}") from None
    shape = operation.input_shape
    if shape is None:
        return {}
    try:
        params: dict[str, Any] = _READER.structure(shape, document)
    except BadValue as exc:
        raise serialization_error(str(exc)) from None
    except RecursionError:
        raise serialization_error("The request body is nested too deeply") from None
    return params


_CONTENT_TYPES: dict[ServiceModel, str] = {}
# Kinesis answers an operation without output with an empty body, not `{}` (AWS-recorded), and words its
# SerializationException under `Message` (AWS-recorded).
_EMPTY_BODY_SERVICES = frozenset({"kinesis"})
_CAPITAL_MESSAGE_ERRORS = frozenset({("kinesis", "SerializationException")})


def content_type(service: ServiceModel) -> str:
    found = _CONTENT_TYPES.get(service)
    if found is None:
        found = _CONTENT_TYPES[service] = (
            f"application/x-amz-json-{service.metadata.get('jsonVersion', '1.0')}"
        )
    return found


def _event_payload(shape: Shape, value: Any) -> bytes:
    return _COMPACT_JSON(_WRITER.write(shape, value)).encode("utf-8")


def serialize_response(operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
    if operation.has_event_stream_output:
        # Each event's payload is the JSON of its shape, under `:content-type: application/json`.
        return eventstream.stream_response(operation, result, request_id, _event_payload, "application/json")
    shape = operation.output_shape
    headers = [("Content-Type", content_type(operation.service_model)), ("x-amzn-RequestId", request_id)]
    if shape is None and operation.service_model.service_name in _EMPTY_BODY_SERVICES:
        return HttpResponse(200, headers, b"")
    document = {} if shape is None or not result else _WRITER.structure(shape, result)
    return HttpResponse(200, headers, _COMPACT_JSON(document).encode("utf-8"))


def error_parts(
    service: ServiceModel, error: AwsError, writer: ShapeWriter
) -> tuple[dict[str, Any], int, list[tuple[str, str]]]:
    """The error body (`__type`, message, modeled fields), its status, and the query-error header if any."""
    wire = resolve(service, error)
    message_key = wire.message_key
    if (service.service_name, wire.code) in _CAPITAL_MESSAGE_ERRORS:
        message_key = "Message"
    body: dict[str, Any] = {"__type": wire.code, message_key: wire.message}
    if wire.fields:
        shape = wire.shape
        known = {k: v for k, v in wire.fields.items() if shape is not None and k in shape.members}
        body.update((k, v) for k, v in wire.fields.items() if k not in known)
        if shape is not None and known:
            body.update(writer.structure(shape, known))
    headers: list[tuple[str, str]] = []
    if service.is_query_compatible:
        fault = "Sender" if wire.sender_fault else "Receiver"
        headers.append(("x-amzn-query-error", f"{wire.query_code};{fault}"))
    return body, wire.status, headers


def serialize_error(service: ServiceModel, error: AwsError, request_id: str) -> HttpResponse:
    body, status, extra = error_parts(service, error, _WRITER)
    headers = [("Content-Type", content_type(service)), ("x-amzn-RequestId", request_id), *extra]
    return HttpResponse(status, headers, _COMPACT_JSON_ANY(body).encode("utf-8"))
