"""AWS's front-end validation message, shared by the model-driven checks (protocol/constraints.py) and the
services that check constraints themselves (Kinesis): "2 validation errors detected: Value 'a b' at
'streamName' failed to satisfy constraint: Member must ...; Value ...". Values are shown as Java prints them.
"""

from __future__ import annotations

from typing import Any

from millpond.errors import AwsError

MAX_LISTED = 10  # AWS lists at most ten violations


def shown(value: Any) -> str:
    """A value as AWS's message quotes it (Java's toString inside single quotes)."""
    if value is None:
        return "null"
    if isinstance(value, bytes | bytearray):
        return f"'java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]'"
    if isinstance(value, list):
        return "'[" + ", ".join(str(v) for v in value) + "]'"
    if isinstance(value, dict):
        return "'{" + ", ".join(f"{k}={v}" for k, v in value.items()) + "}'"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    return f"'{value}'"


def violation(value: Any, path: str, constraint: str) -> str:
    return f"Value {shown(value)} at '{path}' failed to satisfy constraint: {constraint}"


def validation_error(violations: list[str], code: str = "ValidationException") -> AwsError:
    listed = violations[:MAX_LISTED]
    plural = "s" if len(listed) > 1 else ""
    return AwsError(code, f"{len(listed)} validation error{plural} detected: {'; '.join(listed)}", 400)
