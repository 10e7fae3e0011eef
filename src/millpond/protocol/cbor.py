"""Kinesis' CBOR (AWS SDK for Java v1/v2, KCL): awsJson routing by X-Amz-Target, bodies in CBOR.

Content-Type `application/x-amz-cbor-1.1`; blobs are CBOR byte strings; timestamps are epoch
milliseconds under tag 1 both ways (Java SDK SdkCborGenerator writes `tag(1) + toEpochMilli()`, and
reads timestamps back with `new Date(getLongValue())`). Errors are a CBOR map with `__type` and `message`.
CborReader and CborWriter also serve smithy-rpc-v2-cbor (rpcv2_cbor.py), where tag 1 holds epoch seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import cbor2
from botocore.model import OperationModel, ServiceModel, Shape

from millpond.errors import AwsError
from millpond.protocol import eventstream
from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.protocol.json_ import BadValue, ShapeReader, ShapeWriter, error_parts, serialization_error
from millpond.protocol.shapes import (
    b64decode,
    epoch_millis,
    format_timestamp,
    from_epoch_millis,
    parse_timestamp,
)

__all__ = [
    "CONTENT_TYPE",
    "CborReader",
    "CborWriter",
    "decode_document",
    "error_body",
    "parse_request",
    "read_params",
    "serialize_error",
    "serialize_response",
    "write_result",
]

CONTENT_TYPE = "application/x-amz-cbor-1.1"
# Fractional epoch values at least this large are milliseconds (as seconds: past the year 5000).
_MILLIS_THRESHOLD = 100_000_000_000


@dataclass(frozen=True, slots=True)
class EpochTag:
    """A tag-1 (epoch date/time) value as sent, before the codec decides its unit."""

    value: Any


def _epoch_tag(value: Any, immutable: bool) -> EpochTag:
    return EpochTag(value)


_DECODERS = {1: _epoch_tag}


def decode_document(body: bytes) -> Any:
    """The CBOR data item in `body` ({} when empty); SerializationException when it is not CBOR."""
    if not body:
        return {}
    try:
        return cbor2.loads(body, semantic_decoders=_DECODERS)
    except (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise serialization_error(f"Unable to parse the request body as CBOR: {exc}") from None


class CborReader(ShapeReader):
    """Decoded CBOR -> params. `millis`: Kinesis' epoch milliseconds, else RFC 8949 epoch seconds."""

    def __init__(self, millis: bool) -> None:
        super().__init__()
        self.millis = millis

    def map(self, shape: Any, value: Any) -> Any:
        if type(value) is dict and not all(type(key) is str for key in value):
            raise BadValue("Map keys must be strings")
        return super().map(shape, value)

    def blob(self, shape: Shape, value: Any) -> Any:
        if type(value) is bytes:
            return value
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value)
        if isinstance(value, str):
            try:
                return b64decode(value)
            except ValueError:
                raise BadValue(f"'{value:.60}' can not be converted to a Blob: invalid Base64") from None
        return super().blob(shape, value)

    def timestamp(self, shape: Shape, value: Any) -> Any:
        if isinstance(value, EpochTag):
            value = value.value
        if isinstance(value, datetime):
            return parse_timestamp(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise BadValue(f"'{value}' can not be converted to a Timestamp")
            # The Java SDK always sends whole milliseconds; a float is RFC 8949 seconds unless huge.
            if self.millis and (type(value) is int or abs(value) >= _MILLIS_THRESHOLD):
                try:
                    return from_epoch_millis(value)
                except ValueError:
                    raise BadValue(f"'{value}' can not be converted to a Timestamp") from None
        return super().timestamp(shape, value)


class CborWriter(ShapeWriter):
    """Provider result -> CBOR-ready document: bytes stay bytes, timestamps become tag 1."""

    def __init__(self, millis: bool) -> None:
        super().__init__()
        self.millis = millis

    def float(self, shape: Shape, value: Any) -> Any:
        return value if type(value) is float else float(value)

    def blob(self, shape: Shape, value: Any) -> Any:
        if type(value) is bytes:
            return value
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)

    def timestamp(self, shape: Shape, value: Any) -> Any:
        when = value if isinstance(value, datetime) else parse_timestamp(value)
        if self.millis:
            return cbor2.CBORTag(1, epoch_millis(when))
        return cbor2.CBORTag(1, format_timestamp(when, "unixTimestamp"))


_READER = CborReader(millis=True)
_WRITER = CborWriter(millis=True)


def _fallback(encoder: cbor2.CBOREncoder, value: Any) -> None:
    encoder.encode(str(value))


def error_body(body: dict[str, Any]) -> bytes:
    """An error map in CBOR; extra fields of types CBOR lacks are sent as text."""
    return cbor2.dumps(body, default=_fallback, timezone=UTC)


def read_params(reader: CborReader, operation: OperationModel, body: bytes) -> dict[str, Any]:
    document = decode_document(body)
    shape = operation.input_shape
    if shape is None:
        return {}
    try:
        params: dict[str, Any] = reader.structure(shape, document)
    except BadValue as exc:
        raise serialization_error(str(exc)) from None
    except RecursionError:
        raise serialization_error("The request body is nested too deeply") from None
    return params


def write_result(writer: CborWriter, operation: OperationModel, result: dict[str, Any]) -> bytes:
    shape = operation.output_shape
    document = {} if shape is None or not result else writer.structure(shape, result)
    return cbor2.dumps(document)


def parse_request(operation: OperationModel, request: HttpRequest, labels: dict[str, str]) -> dict[str, Any]:
    return read_params(_READER, operation, request.body)


def _event_payload(shape: Shape, value: Any) -> bytes:
    return cbor2.dumps(_WRITER.write(shape, value))


def serialize_response(operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
    if operation.has_event_stream_output:
        # The Java SDK reads event payloads with its own (CBOR) parser, whatever `:content-type` says.
        return eventstream.stream_response(operation, result, request_id, _event_payload, CONTENT_TYPE)
    headers = [("Content-Type", CONTENT_TYPE), ("x-amzn-RequestId", request_id)]
    return HttpResponse(200, headers, write_result(_WRITER, operation, result))


def serialize_error(service: ServiceModel, error: AwsError, request_id: str) -> HttpResponse:
    body, status, extra = error_parts(service, error, _WRITER)
    headers = [("Content-Type", CONTENT_TYPE), ("x-amzn-RequestId", request_id), *extra]
    return HttpResponse(status, headers, error_body(body))
