"""Shard iterators: opaque tokens naming a stream, a shard and a position, valid for 5 minutes.

A token carries the stream's internal id and name, the shard index, the position to read after, an
optional earliest arrival time (AT_TIMESTAMP) and the time it was issued on the injected clock. A keyed
checksum makes a forged or mangled token fail as AWS's "Invalid ShardIterator." rather than read garbage.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from millpond.errors import AwsError

LIFETIME_SECONDS = 300
_VERSION = 1
_KEY = b"millpond kinesis shard iterator"
_HEADER = struct.Struct(
    ">BqqIqq"
)  # version, issued ms, stream pk, shard index, after position, min arrival ms
_MAC_SIZE = 12


@dataclass(frozen=True, slots=True)
class ShardIterator:
    stream_pk: int
    stream_name: str
    shard_index: int
    after: int  # read records whose position is greater than this
    min_arrival: float  # and whose arrival is at least this (AT_TIMESTAMP); 0 for none
    issued_at: float


def _mac(body: bytes) -> bytes:
    return hashlib.blake2b(body, key=_KEY, digest_size=_MAC_SIZE).digest()


def encode(iterator: ShardIterator) -> str:
    body = _HEADER.pack(
        _VERSION,
        round(iterator.issued_at * 1000),
        iterator.stream_pk,
        iterator.shard_index,
        iterator.after,
        round(iterator.min_arrival * 1000),
    ) + iterator.stream_name.encode("utf-8")
    return base64.b64encode(body + _mac(body)).decode("ascii")


def invalid() -> AwsError:
    return AwsError("InvalidArgumentException", "Invalid ShardIterator.")


def decode(token: str) -> ShardIterator:
    """The iterator a token encodes, or InvalidArgumentException "Invalid ShardIterator."."""
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        raise invalid() from None
    if len(raw) < _HEADER.size + _MAC_SIZE + 1:
        raise invalid()
    body, mac = raw[:-_MAC_SIZE], raw[-_MAC_SIZE:]
    if _mac(body) != mac:
        raise invalid()
    version, issued_ms, stream_pk, shard_index, after, min_arrival_ms = _HEADER.unpack_from(body)
    if version != _VERSION:
        raise invalid()
    try:
        name = body[_HEADER.size :].decode("utf-8")
    except UnicodeDecodeError:
        raise invalid() from None
    return ShardIterator(stream_pk, name, shard_index, after, min_arrival_ms / 1000, issued_ms / 1000)


def _java_date(epoch: float) -> str:
    # AWS formats these times as Java's Date.toString() does: "Thu Jan 22 01:22:02 UTC 2015".
    return datetime.fromtimestamp(epoch, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def check_fresh(iterator: ShardIterator, now: float) -> None:
    """ExpiredIteratorException once more than 5 minutes have passed since the iterator was issued."""
    if (now - iterator.issued_at) * 1000 > LIFETIME_SECONDS * 1000:
        raise AwsError(
            "ExpiredIteratorException",
            f"Iterator expired. The iterator was created at time {_java_date(iterator.issued_at)} while "
            f"right now it is {_java_date(now)} which is further in the future than the tolerated delay of "
            f"{LIFETIME_SECONDS * 1000} milliseconds.",
        )
