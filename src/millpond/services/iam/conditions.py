"""IAM condition operators: String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress, Arn*, Null.

`condition_matches(operator, key, policy_values, context)` evaluates one key of one operator block with the
IfExists suffix and the ForAnyValue/ForAllValues set qualifiers. Context keys are matched case-insensitively
(the caller lower-cases them). Rules from the IAM User Guide ("IAM JSON policy elements: Condition
operators" and "Single-valued vs. multivalued context keys"): a missing key makes a positive operator false
and a negated one (StringNotEquals, ArnNotLike, ...) true; IfExists makes a missing key true; ForAllValues
is true for a missing or empty key, ForAnyValue false.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache

from millpond.services.iam.policy_document import split_operator

Context = Mapping[str, Sequence[str]]


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _wildcard(pattern, ignore_case).match(value) is not None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare(
    parse: Callable[[str], object | None], test: Callable[[object, object], bool]
) -> Callable[[str, str], bool]:
    def compare(value: str, policy: str) -> bool:
        left, right = parse(value), parse(policy)
        return left is not None and right is not None and test(left, right)

    return compare


def _ip(value: str, policy: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(policy, strict=False)
    except ValueError:
        return False


def _arn(value: str, policy: str) -> bool:
    # Each of the six colon-separated parts is matched on its own, with * and ? wildcards.
    values, patterns = value.split(":", 5), policy.split(":", 5)
    if len(values) != 6 or len(patterns) != 6:
        return wildcard_match(policy, value)
    return all(wildcard_match(p, v) for p, v in zip(patterns, values, strict=True))


def _binary(value: str, policy: str) -> bool:
    try:
        return base64.b64decode(value) == base64.b64decode(policy)
    except ValueError:
        return value == policy


_lt: Callable[[object, object], bool] = lambda a, b: a < b  # type: ignore[operator]  # noqa: E731
_le: Callable[[object, object], bool] = lambda a, b: a <= b  # type: ignore[operator]  # noqa: E731
_gt: Callable[[object, object], bool] = lambda a, b: a > b  # type: ignore[operator]  # noqa: E731
_ge: Callable[[object, object], bool] = lambda a, b: a >= b  # type: ignore[operator]  # noqa: E731
_eq: Callable[[object, object], bool] = lambda a, b: a == b  # noqa: E731

# base operator -> (positive test of one request value against one policy value, negated?)
OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (lambda v, p: v == p, False),
    "StringNotEquals": (lambda v, p: v == p, True),
    "StringEqualsIgnoreCase": (lambda v, p: v.lower() == p.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda v, p: v.lower() == p.lower(), True),
    "StringLike": (lambda v, p: wildcard_match(p, v), False),
    "StringNotLike": (lambda v, p: wildcard_match(p, v), True),
    "NumericEquals": (_compare(_number, _eq), False),
    "NumericNotEquals": (_compare(_number, _eq), True),
    "NumericLessThan": (_compare(_number, _lt), False),
    "NumericLessThanEquals": (_compare(_number, _le), False),
    "NumericGreaterThan": (_compare(_number, _gt), False),
    "NumericGreaterThanEquals": (_compare(_number, _ge), False),
    "DateEquals": (_compare(_date, _eq), False),
    "DateNotEquals": (_compare(_date, _eq), True),
    "DateLessThan": (_compare(_date, _lt), False),
    "DateLessThanEquals": (_compare(_date, _le), False),
    "DateGreaterThan": (_compare(_date, _gt), False),
    "DateGreaterThanEquals": (_compare(_date, _ge), False),
    "Bool": (lambda v, p: v.lower() == p.lower(), False),
    "BinaryEquals": (_binary, False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    "ArnEquals": (_arn, False),
    "ArnLike": (_arn, False),
    "ArnNotEquals": (_arn, True),
    "ArnNotLike": (_arn, True),
}


def text(value: object) -> str:
    """Policy values as IAM compares them: JSON true/false as "true"/"false", numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def condition_matches(operator: str, key: str, policy_values: Sequence[str], context: Context) -> bool:
    qualifier, base, if_exists = split_operator(operator)
    present = key.lower() in context
    values = list(context.get(key.lower(), ()))
    if base == "Null":
        # "true": the key must be absent; "false": present.
        return any((p.lower() == "true") != present for p in policy_values)
    test, negated = OPERATORS[base]

    def one(value: str) -> bool:
        hit = any(test(value, p) for p in policy_values)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in values)
    if qualifier == "ForAnyValue":
        return any(one(v) for v in values)
    if not present:
        return if_exists or negated
    return all(one(v) for v in values) if negated else any(one(v) for v in values)
