"""JSON <-> provider values. Providers take and return Python values as the wire codecs produce them
(bytes for blobs, datetime for timestamps); the browser speaks JSON, so blobs travel as {"$bytes": base64}
and timestamps as {"$time": epoch seconds} on the way in, and as base64 / epoch seconds on the way out.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any


def from_json(value: Any) -> Any:
    """Decode the browser's tagged values into what providers expect."""
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return base64.b64decode(value["$bytes"])
        if set(value) == {"$text"}:
            return str(value["$text"]).encode()
        if set(value) == {"$time"}:
            return datetime.fromtimestamp(float(value["$time"]), UTC)
        return {key: from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_json(item) for item in value]
    return value


def to_json(value: Any) -> Any:
    """Make a provider's result JSON-safe: bytes become {"$bytes": ...}, datetimes epoch seconds."""
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(item) for item in value]
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def dumps(value: Any) -> bytes:
    return json.dumps(to_json(value), separators=(",", ":")).encode()
