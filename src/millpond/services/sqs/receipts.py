"""Receipt handles: what ReceiveMessage hands out and DeleteMessage/ChangeMessageVisibility take back.

A handle embeds the queue ARN, the message id and the receive count that issued it (a new handle per receive,
so an older handle is recognisably stale), plus a random nonce. It is scrambled with a keystream derived from
the nonce, guarded by a checksum, and base64-encoded with AWS's `AQEB` prefix, so it reads as opaque as AWS's.
Anything that does not decode is ReceiptHandleIsInvalid.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
from dataclasses import dataclass

from millpond.errors import AwsError

_MAGIC = b"\x01\x01\x01"  # base64 "AQEB", how AWS's handles begin
_NONCE_BYTES = 12
_CHECKSUM_BYTES = 4
MAX_RECEIPT_HANDLE_LENGTH = 1024


def _keystream(nonce: bytes, length: int) -> bytes:
    return hashlib.shake_256(b"millpond-receipt-handle" + nonce).digest(length)


def _xor(data: bytes, key: bytes) -> bytes:
    """`data` XOR `key` (same length), as one big-integer operation rather than a loop per byte."""
    return (int.from_bytes(data) ^ int.from_bytes(key)).to_bytes(len(data))


def _checksum(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()[:_CHECKSUM_BYTES]


def _pack_fields(*fields: str) -> bytes:
    out = bytearray()
    for field in fields:
        data = field.encode("utf-8")
        out += struct.pack(">H", len(data)) + data
    return bytes(out)


def _unpack_fields(data: bytes, count: int) -> list[str]:
    fields: list[str] = []
    offset = 0
    for _ in range(count):
        (length,) = struct.unpack_from(">H", data, offset)
        offset += 2
        if offset + length > len(data):
            raise ValueError("truncated field")
        fields.append(data[offset : offset + length].decode("utf-8"))
        offset += length
    if offset != len(data):
        raise ValueError("trailing bytes")
    return fields


@dataclass(frozen=True, slots=True)
class ReceiptHandle:
    """What a handle says: which queue and message, and which receive (count) issued it."""

    queue_arn: str
    message_id: str
    receive_count: int
    nonce: bytes

    def encode(self) -> str:
        body = _pack_fields(self.queue_arn, self.message_id, str(self.receive_count))
        scrambled = _xor(body, _keystream(self.nonce, len(body)))
        payload = _MAGIC + self.nonce + scrambled
        return base64.b64encode(payload + _checksum(payload)).decode("ascii")


def issue_receipt_handle(
    queue_arn: str, message_id: str, receive_count: int, *, nonce: bytes | None = None
) -> str:
    """A fresh handle for one receive of a message (pass `nonce` for deterministic tests)."""
    if nonce is None:
        nonce = os.urandom(_NONCE_BYTES)
    if len(nonce) != _NONCE_BYTES:
        raise ValueError(f"nonce must be {_NONCE_BYTES} bytes")
    return ReceiptHandle(queue_arn, message_id, receive_count, nonce).encode()


def invalid_receipt_handle(handle: str) -> AwsError:
    return AwsError(
        "ReceiptHandleIsInvalid", f'The input receipt handle "{handle}" is not a valid receipt handle.'
    )


def decode_receipt_handle(handle: str | None) -> ReceiptHandle:
    """Read a handle back; ReceiptHandleIsInvalid for anything this server did not issue."""
    if not handle or not handle.strip():
        raise AwsError(
            "MissingRequiredParameterException", "The request must contain the parameter ReceiptHandle."
        )
    if len(handle) > MAX_RECEIPT_HANDLE_LENGTH:
        raise invalid_receipt_handle(handle)
    try:
        raw = base64.b64decode(handle, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_receipt_handle(handle) from None
    minimum = len(_MAGIC) + _NONCE_BYTES + _CHECKSUM_BYTES
    payload, checksum = raw[:-_CHECKSUM_BYTES], raw[-_CHECKSUM_BYTES:]
    if len(raw) <= minimum or not raw.startswith(_MAGIC) or _checksum(payload) != checksum:
        raise invalid_receipt_handle(handle)
    nonce = payload[len(_MAGIC) : len(_MAGIC) + _NONCE_BYTES]
    scrambled = payload[len(_MAGIC) + _NONCE_BYTES :]
    body = _xor(scrambled, _keystream(nonce, len(scrambled)))
    try:
        queue_arn, message_id, count = _unpack_fields(body, 3)
        receive_count = int(count)
    except (ValueError, struct.error, UnicodeDecodeError):
        raise invalid_receipt_handle(handle) from None
    return ReceiptHandle(queue_arn, message_id, receive_count, nonce)


def decode_for_queue(handle: str | None, queue_arn: str) -> ReceiptHandle:
    """Decode a handle sent to a given queue; a handle issued by another queue is not valid there."""
    decoded = decode_receipt_handle(handle)
    if decoded.queue_arn != queue_arn:
        raise invalid_receipt_handle(handle or "")
    return decoded


def expired_receipt_handle(handle: str) -> AwsError:
    """FIFO DeleteMessage with a handle whose visibility timeout has passed (AWS-recorded)."""
    return AwsError(
        "InvalidParameterValueException",
        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.",
    )


def not_available_for_visibility_change(handle: str) -> AwsError:
    """ChangeMessageVisibility with a stale handle or on a deleted message."""
    return AwsError(
        "InvalidParameterValueException",
        f"Value {handle} for parameter ReceiptHandle is invalid. "
        "Reason: Message does not exist or is not available for visibility timeout change.",
    )
