"""AWS event streams (`application/vnd.amazon.eventstream`): message framing, and operation results whose
output has an event-stream member turned into a stream of such messages.

A message is a prelude (total length, headers length, CRC32 of those 8 bytes; big-endian uint32s), the
headers (name length byte, name, type byte, value), the payload, and a CRC32 of everything before it.
botocore (botocore/eventstream.py) and the AWS SDKs read:
- events: `:message-type` event, `:event-type` the member of the event-stream union, `:content-type`;
- the initial response (awsJson only): an event of type `initial-response` carrying the output's other
  members, which botocore requires as the first message;
- exceptions: `:message-type` exception, `:exception-type` a modeled member of the union, payload its shape;
- errors: `:message-type` error, `:error-code` and `:error-message` headers, no payload.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zlib import crc32

from botocore.model import OperationModel, Shape, StructureShape

from millpond.errors import AwsError
from millpond.protocol.http import HttpResponse

__all__ = [
    "CONTENT_TYPE",
    "Message",
    "decode_messages",
    "encode_message",
    "error_message",
    "event_message",
    "exception_message",
    "stream_response",
]

CONTENT_TYPE = "application/vnd.amazon.eventstream"
HeaderValue = str | bytes | bool | int | datetime | uuid.UUID
# (shape, value) -> the payload document for the protocol (JSON text, CBOR bytes)
PayloadWriter = Callable[[Shape, Any], bytes]

_PRELUDE = struct.Struct(">II")
_UINT32 = struct.Struct(">I")
_INT64 = struct.Struct(">q")


def _header(name: str, value: HeaderValue) -> bytes:
    raw_name = name.encode("utf-8")
    head = bytes((len(raw_name),)) + raw_name
    if value is True:
        return head + b"\x00"
    if value is False:
        return head + b"\x01"
    if isinstance(value, str):
        text = value.encode("utf-8")
        return head + b"\x07" + struct.pack(">H", len(text)) + text
    if isinstance(value, bytes):
        return head + b"\x06" + struct.pack(">H", len(value)) + value
    if isinstance(value, datetime):
        return head + b"\x08" + _INT64.pack(int(value.timestamp() * 1000))
    if isinstance(value, uuid.UUID):
        return head + b"\x09" + value.bytes
    return head + b"\x05" + _INT64.pack(value)


def encode_message(headers: list[tuple[str, HeaderValue]], payload: bytes = b"") -> bytes:
    raw_headers = b"".join(_header(name, value) for name, value in headers)
    total = 12 + len(raw_headers) + len(payload) + 4
    prelude = _PRELUDE.pack(total, len(raw_headers))
    prelude += _UINT32.pack(crc32(prelude))
    body = prelude + raw_headers + payload
    return body + _UINT32.pack(crc32(body))


def event_message(event_type: str, payload: bytes, content_type: str) -> bytes:
    headers: list[tuple[str, HeaderValue]] = [
        (":event-type", event_type),
        (":content-type", content_type),
        (":message-type", "event"),
    ]
    return encode_message(headers, payload)


def exception_message(exception_type: str, payload: bytes, content_type: str) -> bytes:
    headers: list[tuple[str, HeaderValue]] = [
        (":exception-type", exception_type),
        (":content-type", content_type),
        (":message-type", "exception"),
    ]
    return encode_message(headers, payload)


def error_message(code: str, message: str) -> bytes:
    headers: list[tuple[str, HeaderValue]] = [
        (":error-code", code),
        (":error-message", message),
        (":message-type", "error"),
    ]
    return encode_message(headers)


# -- decoding (tests) --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Message:
    headers: dict[str, Any]
    payload: bytes


def _read_header(data: bytes, at: int) -> tuple[str, Any, int]:
    size = data[at]
    name = data[at + 1 : at + 1 + size].decode("utf-8")
    at += 1 + size
    kind = data[at]
    at += 1
    if kind in (0, 1):
        return name, kind == 0, at
    fixed = {2: ">b", 3: ">h", 4: ">i", 5: ">q", 8: ">q"}
    if kind in fixed:
        value = struct.unpack_from(fixed[kind], data, at)[0]
        return name, value, at + struct.calcsize(fixed[kind])
    if kind in (6, 7):
        (length,) = struct.unpack_from(">H", data, at)
        raw = data[at + 2 : at + 2 + length]
        return name, raw.decode("utf-8") if kind == 7 else raw, at + 2 + length
    if kind == 9:
        return name, uuid.UUID(bytes=data[at : at + 16]), at + 16
    raise ValueError(f"unknown header type {kind}")


def decode_messages(data: bytes) -> list[Message]:
    """Every whole message in `data`, checking both CRCs; ValueError on anything malformed."""
    messages: list[Message] = []
    at = 0
    while at < len(data):
        total, headers_length = _PRELUDE.unpack_from(data, at)
        (prelude_crc,) = _UINT32.unpack_from(data, at + 8)
        if crc32(data[at : at + 8]) != prelude_crc:
            raise ValueError("prelude checksum mismatch")
        end = at + total
        (message_crc,) = _UINT32.unpack_from(data, end - 4)
        if crc32(data[at : end - 4]) != message_crc:
            raise ValueError("message checksum mismatch")
        headers: dict[str, Any] = {}
        cursor, headers_end = at + 12, at + 12 + headers_length
        while cursor < headers_end:
            name, value, cursor = _read_header(data, cursor)
            headers[name] = value
        messages.append(Message(headers, data[headers_end : end - 4]))
        at = end
    return messages


# -- results with an event-stream member -> a streamed response --------------------------------------------


def _event(shape: StructureShape, name: str, value: Any, write: PayloadWriter, content_type: str) -> bytes:
    member = shape.members[name]
    assert isinstance(member, StructureShape)
    headers: list[tuple[str, HeaderValue]] = [(":event-type", name)]
    payload: bytes | None = None
    body: dict[str, Any] = {}
    for key, item in value.items():
        field = member.members.get(key)
        if field is None or item is None:
            continue
        if field.serialization.get("eventheader"):
            headers.append((key, item))
        elif field.serialization.get("eventpayload"):
            if field.type_name == "blob":
                payload, content_type = bytes(item), "application/octet-stream"
            elif field.type_name == "string":
                payload, content_type = item.encode("utf-8"), "text/plain"
            else:
                payload = write(field, item)
        else:
            body[key] = item
    if payload is None:
        payload = write(member, body)
    headers += [(":content-type", content_type), (":message-type", "event")]
    return encode_message(headers, payload)


def _failure(shape: StructureShape, error: AwsError, write: PayloadWriter, content_type: str) -> bytes:
    member = shape.members.get(error.code)
    if member is None or not isinstance(member, StructureShape):
        return error_message(error.code, error.message)
    key = next((name for name in member.members if name.lower() == "message"), "message")
    return exception_message(error.code, write(member, {**error.fields, key: error.message}), content_type)


async def _messages(
    operation: OperationModel,
    result: dict[str, Any],
    write: PayloadWriter,
    content_type: str,
    initial_response: bool,
) -> AsyncIterator[bytes]:
    shape = operation.output_shape
    assert isinstance(shape, StructureShape)
    name = shape.event_stream_name
    union = shape.members[name]
    assert isinstance(union, StructureShape)
    events = result[name]
    try:
        if initial_response:
            initial = {key: value for key, value in result.items() if key != name}
            yield event_message("initial-response", write(shape, initial), content_type)
        async for event in events:
            for event_name, value in event.items():
                yield _event(union, event_name, value, write, content_type)
    except AwsError as error:
        yield _failure(union, error, write, content_type)
    except Exception:
        yield error_message("InternalFailure", "millpond hit an internal error")
        raise
    finally:
        close = getattr(events, "aclose", None)
        if close is not None:
            await close()  # a client that went away stops the provider's iterator too


def stream_response(
    operation: OperationModel,
    result: dict[str, Any],
    request_id: str,
    write: PayloadWriter,
    content_type: str,
    initial_response: bool = True,
    headers: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The 200 answer whose body is the result's event stream, one message per event as it comes.

    With no event iterator in the result (a provider that has nothing to stream), the stream is empty.
    """
    shape = operation.output_shape
    assert shape is not None
    if result.get(shape.event_stream_name) is None:
        result = {**result, shape.event_stream_name: _empty()}
    response_headers = [("Content-Type", CONTENT_TYPE), ("x-amzn-RequestId", request_id), *(headers or [])]
    body = _messages(operation, result, write, content_type, initial_response)
    return HttpResponse(status, response_headers, b"", stream=body)


async def _empty() -> AsyncIterator[dict[str, Any]]:
    return
    yield {}
