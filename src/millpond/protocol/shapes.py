"""Value conversions every codec shares, driven by botocore shapes: timestamps, blobs and scalars.

Parsers raise ValueError on bad input; each codec turns that into the AWS error its protocol answers with.
"""

from __future__ import annotations

import base64
import binascii
import math
from datetime import UTC, datetime, timedelta
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

from botocore.model import Shape

__all__ = [
    "b64decode",
    "b64encode",
    "epoch_millis",
    "format_scalar",
    "format_timestamp",
    "from_epoch_millis",
    "parse_scalar",
    "parse_timestamp",
    "timestamp_format",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_timestamp(value: Any) -> datetime:
    """An aware UTC datetime from epoch seconds (int, float or numeric str), ISO 8601 or RFC 822."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, bool):
        raise ValueError(f"Invalid timestamp {value!r}")
    if isinstance(value, int | float):
        return _from_epoch(value)
    if not isinstance(value, str):
        raise ValueError(f"Invalid timestamp {value!r}")
    text = value.strip()
    try:
        return _from_epoch(float(text))
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"Invalid timestamp {value!r}") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _from_epoch(seconds: float) -> datetime:
    if not math.isfinite(seconds):
        raise ValueError(f"Invalid timestamp {seconds!r}")
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError) as exc:
        raise ValueError(f"Timestamp out of range: {seconds!r}") from exc


def epoch_millis(value: datetime) -> int:
    """Whole milliseconds since the epoch (sub-millisecond digits dropped)."""
    delta = (value if value.tzinfo is not None else value.replace(tzinfo=UTC)) - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_epoch_millis(millis: int | float) -> datetime:
    if not math.isfinite(millis):
        raise ValueError(f"Invalid timestamp {millis!r}")
    try:
        return _EPOCH + timedelta(milliseconds=millis)
    except OverflowError as exc:
        raise ValueError(f"Timestamp out of range: {millis!r}") from exc


def format_timestamp(value: datetime, fmt: str) -> int | float | str:
    """`value` as `fmt` ('unixTimestamp', 'iso8601' or 'rfc822', any case) writes it.

    unixTimestamp gives int seconds, or float seconds when there is a fraction (what botocore's parsers
    accept); iso8601 keeps milliseconds (or microseconds) only when present.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    lowered = fmt.lower()
    if lowered == "unixtimestamp":
        delta = value - _EPOCH
        whole = delta.days * 86400 + delta.seconds
        if delta.microseconds:
            return (whole * 10**6 + delta.microseconds) / 10**6
        return whole
    if lowered == "iso8601":
        utc = value.astimezone(UTC)
        text = utc.strftime("%Y-%m-%dT%H:%M:%S")
        micros = utc.microsecond
        if micros % 1000 == 0 and micros:
            text += f".{micros // 1000:03d}"
        elif micros:
            text += f".{micros:06d}"
        return text + "Z"
    if lowered == "rfc822":
        delta = value - _EPOCH
        return formatdate(delta.days * 86400 + delta.seconds, usegmt=True)
    raise ValueError(f"Unknown timestamp format {fmt!r}")


def timestamp_format(shape: Shape, default: str) -> str:
    """The shape's own `timestampFormat` trait, else the protocol/location default."""
    fmt: str = shape.serialization.get("timestampFormat") or default
    return fmt


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str | bytes) -> bytes:
    """Strict base64 (standard alphabet, padding required); ValueError otherwise."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"Invalid base64: {text!r:.60}") from exc


_TRUE_FALSE = {"true": True, "false": False}


def parse_scalar(shape: Shape, text: str) -> Any:
    """A scalar member from its text form (query parameters, headers, URI labels, query strings);
    timestamps are accepted in every form parse_timestamp knows."""
    kind = shape.type_name
    if kind == "string":
        return text
    if kind in ("integer", "long", "short", "byte"):
        try:
            return int(text)
        except ValueError as exc:
            raise ValueError(f"Invalid integer {text!r}") from exc
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError as exc:
            raise ValueError(f"Invalid number {text!r}") from exc
    if kind == "boolean":
        flag = _TRUE_FALSE.get(text.lower())
        if flag is None:
            raise ValueError(f"Invalid boolean {text!r}")
        return flag
    if kind == "timestamp":
        return parse_timestamp(text)
    if kind == "blob":
        return b64decode(text)
    raise ValueError(f"Not a scalar shape: {shape.name} ({kind})")


def format_scalar(shape: Shape, value: Any, ts_default: str = "iso8601") -> str:
    """The text form of a scalar member; timestamps use the shape's format, else `ts_default`."""
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return str(format_timestamp(parse_timestamp(value), timestamp_format(shape, ts_default)))
    if kind == "blob":
        return b64encode(value.encode("utf-8") if isinstance(value, str) else value)
    if kind in ("float", "double"):
        number = float(value)
        if math.isfinite(number):
            return repr(number)
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    return str(value)
