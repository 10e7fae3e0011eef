"""Sequence numbers: AWS's 56-digit decimal form, built from a position that only ever grows.

Every record gets the next value of one counter (storage keeps it durably), so numbers increase per shard
and sort by arrival across a stream. The decimal is a 188-bit number laid out in hex digits as AWS's
"version 2" numbers appear to be (after kinesalite): `2`, the stream's creation second (9), the shard
index' low nibble (1), the position (16), `00`, the arrival second (9), the shard index (8), `2`. That
puts the familiar `49...` in front and lets a number name its shard and stream when it comes back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEQUENCE_PATTERN = re.compile(r"^(0|[1-9]\d{0,128})$")

_VERSION = 2
_TOP = _VERSION << 184  # the leading version digit (hex digit 46)
_CREATED_SHIFT = 148  # hex digits 37..45
_NIBBLE_SHIFT = 144  # hex digit 36
_POSITION_SHIFT = 80  # hex digits 20..35
_BYTE1_SHIFT = 72  # hex digits 18..19, always 00
_ARRIVAL_SHIFT = 36  # hex digits 9..17
_SHARD_SHIFT = 4  # hex digits 1..8
_MASK_9 = (1 << 36) - 1
_MASK_16 = (1 << 64) - 1
_MASK_8 = (1 << 32) - 1
MAX_POSITION = (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class SequenceParts:
    created: int  # the stream's creation time, whole seconds
    shard_index: int
    position: int  # the counter value: a record's position, or where a shard starts or ends
    arrival: int  # whole seconds


def encode(created: float, shard_index: int, position: int, arrival: float) -> str:
    """The decimal sequence number for a position in a shard of a stream created at `created`."""
    value = (
        _TOP
        | (int(created) & _MASK_9) << _CREATED_SHIFT
        | (shard_index & 0xF) << _NIBBLE_SHIFT
        | (position & _MASK_16) << _POSITION_SHIFT
        | (int(arrival) & _MASK_9) << _ARRIVAL_SHIFT
        | (shard_index & _MASK_8) << _SHARD_SHIFT
        | _VERSION
    )
    return str(value)


def decode(text: str) -> SequenceParts | None:
    """The parts of a sequence number millpond issued, or None for anything else."""
    if not SEQUENCE_PATTERN.match(text):
        return None
    value = int(text)
    if value >> 184 != _VERSION or value & 0xF != _VERSION or (value >> _BYTE1_SHIFT) & 0xFF:
        return None
    shard = (value >> _SHARD_SHIFT) & _MASK_8
    position = (value >> _POSITION_SHIFT) & _MASK_16
    if (value >> _NIBBLE_SHIFT) & 0xF != shard & 0xF or position > MAX_POSITION:
        return None
    return SequenceParts(
        created=(value >> _CREATED_SHIFT) & _MASK_9,
        shard_index=shard,
        position=position,
        arrival=(value >> _ARRIVAL_SHIFT) & _MASK_9,
    )
