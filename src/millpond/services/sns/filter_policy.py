"""SNS subscription filter policies: AWS's grammar, checked when set and matched at publish time.

A policy is a JSON object: each key names a message attribute (FilterPolicyScope MessageAttributes) or a
body property (scope MessageBody, where objects nest), and holds a list of conditions of which one must
match; every key must match (`"$or": [policy, ...]` matches when one of its policies does). A condition is
a literal (string, number, true/false/null) or an operator object: prefix, suffix, anything-but (values,
or prefix/suffix), numeric (comparisons, ranges), exists, cidr, equals-ignore-case, wildcard.
Pure functions: no I/O, no clock.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from typing import Any

MAX_KEYS = 5  # attribute names (leaf keys) per policy
MAX_COMBINATIONS = 150  # product of the value counts, summed over the $or branches
MAX_NUMBER = 1_000_000_000
NUMERIC_OPS = ("<", "<=", "=", ">", ">=")
OPERATORS = (
    "prefix",
    "suffix",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
    "equals-ignore-case",
    "wildcard",
)
_ABSENT = object()


class FilterPolicyError(ValueError):
    """The policy breaks the grammar; str() is AWS's reason, after "Invalid parameter: FilterPolicy: "."""


# ------------------------------------------------------------------------------------------- validating


def parse(text: str, scope: str = "MessageAttributes") -> dict[str, Any]:
    """The policy as a dict, or FilterPolicyError with AWS's reason."""
    try:
        policy = json.loads(text)
    except RecursionError:
        raise FilterPolicyError("failed to parse JSON. Nesting too deep") from None
    except (ValueError, TypeError) as error:
        raise FilterPolicyError(f"failed to parse JSON. {error}") from None
    if not isinstance(policy, dict):
        raise FilterPolicyError("Filter policy must be a JSON object")
    if not policy:
        return policy
    keys, combinations = _check(policy, scope, nested=False)
    if keys > MAX_KEYS:
        raise FilterPolicyError(f"Filter policy can not have more than {MAX_KEYS} keys")
    if combinations > MAX_COMBINATIONS:
        raise FilterPolicyError("Filter policy is too complex")
    return policy


def _check(policy: dict[str, Any], scope: str, nested: bool) -> tuple[int, int]:
    """(leaf keys, value combinations) of `policy`, after checking every condition."""
    keys, combinations = 0, 1
    for key, value in policy.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2 or not all(isinstance(p, dict) for p in value):
                raise FilterPolicyError('"$or" must be an array of at least two objects')
            branches = [_check(branch, scope, nested) for branch in value]
            keys += max(k for k, _ in branches)
            combinations *= sum(c for _, c in branches)
        elif isinstance(value, dict):
            if scope != "MessageBody":
                raise FilterPolicyError(
                    "Filter policy scope MessageAttributes does not support nested filter policy"
                )
            if not value:
                raise FilterPolicyError(f'Key "{key}" must be an object or an array')
            sub_keys, sub_combinations = _check(value, scope, nested=True)
            keys += sub_keys
            combinations *= sub_combinations
        elif isinstance(value, list):
            if not value:
                raise FilterPolicyError("Empty arrays are not allowed")
            for condition in value:
                _check_condition(condition)
            keys += 1
            combinations *= len(value)
        else:
            raise FilterPolicyError(f'"{key}" must be an object or an array')
    return keys, combinations


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_condition(condition: Any) -> None:
    if condition is None or isinstance(condition, str | bool):
        return
    if _number(condition):
        if abs(condition) > MAX_NUMBER:
            raise FilterPolicyError("Numeric values must be within -1.0E9 and 1.0E9")
        return
    if not isinstance(condition, dict):
        raise FilterPolicyError("Match value must be String, number, true, false, or null")
    if len(condition) != 1:
        raise FilterPolicyError("Only one key allowed in match expression")
    ((operator, operand),) = condition.items()
    if operator not in OPERATORS:
        raise FilterPolicyError(f"Unrecognized match type {operator}")
    if operator in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
        if not isinstance(operand, str):
            raise FilterPolicyError(f"{operator} match pattern must be a string")
        if operator == "wildcard" and "**" in operand:
            raise FilterPolicyError("Consecutive wildcard characters at pos 1")
    elif operator == "exists":
        if not isinstance(operand, bool):
            raise FilterPolicyError("exists match pattern must be either true or false.")
    elif operator == "cidr":
        if not isinstance(operand, str):
            raise FilterPolicyError("Malformed CIDR, one '/' required")
        try:
            ipaddress.ip_network(operand, strict=False)
        except ValueError:
            raise FilterPolicyError(f"Nonstandard IP address: {operand}") from None
    elif operator == "numeric":
        _check_numeric(operand)
    else:
        _check_anything_but(operand)


def _check_numeric(operand: Any) -> None:
    if not isinstance(operand, list) or not operand or len(operand) % 2:
        raise FilterPolicyError("Value of numeric must be an array.")
    pairs = list(zip(operand[::2], operand[1::2], strict=True))
    if len(pairs) > 2:
        raise FilterPolicyError("Too many elements in numeric expression")
    for op, value in pairs:
        if op not in NUMERIC_OPS:
            raise FilterPolicyError(f"Unrecognized numeric range operator: {op}")
        if not _number(value):
            raise FilterPolicyError(f"Value of {op} must be numeric")
        if abs(value) > MAX_NUMBER:
            raise FilterPolicyError("Numeric values must be within -1.0E9 and 1.0E9")
    if len(pairs) == 2:
        (low_op, low), (high_op, high) = pairs
        if low_op not in (">", ">=") or high_op not in ("<", "<="):
            raise FilterPolicyError("Bad numeric range operator")
        if low >= high:
            raise FilterPolicyError("Bottom must be less than top")
    elif pairs[0][0] == "=" and len(operand) != 2:
        raise FilterPolicyError("Bad numeric range operator")


def _check_anything_but(operand: Any) -> None:
    if isinstance(operand, dict):
        if len(operand) != 1 or next(iter(operand)) not in ("prefix", "suffix", "equals-ignore-case"):
            raise FilterPolicyError("Unsupported anything-but pattern")
        (inner,) = operand.values()
        if not isinstance(inner, str) or (not inner and next(iter(operand)) != "equals-ignore-case"):
            raise FilterPolicyError("Null prefix/suffix not allowed")
        return
    values = operand if isinstance(operand, list) else [operand]
    if not values:
        raise FilterPolicyError("Empty arrays are not allowed")
    for value in values:
        if not (isinstance(value, str) or _number(value)):
            raise FilterPolicyError("Inside anything but list, start|null|boolean is not supported.")


# --------------------------------------------------------------------------------------------- matching


def attributes_document(attributes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Message attributes ({Name: {DataType, StringValue|BinaryValue}}) as the values policies see.

    Number attributes are numbers, String.Array ones the array they hold; Binary attributes are invisible
    to filter policies, as on AWS.
    """
    document: dict[str, Any] = {}
    for name, attribute in attributes.items():
        data_type = str(attribute.get("DataType", ""))
        value = attribute.get("StringValue")
        if data_type.startswith("Binary") or value is None:
            continue
        if data_type.startswith("Number"):
            try:
                document[name] = float(value)
            except ValueError:
                continue
        elif data_type == "String.Array":
            try:
                parsed = json.loads(value)
            except (ValueError, RecursionError):
                continue
            document[name] = parsed if isinstance(parsed, list) else value
        else:
            document[name] = value
    return document


def matches_attributes(policy: dict[str, Any], attributes: dict[str, dict[str, Any]]) -> bool:
    return matches(policy, attributes_document(attributes))


def matches_body(policy: dict[str, Any], body: str) -> bool:
    """A MessageBody-scope policy against the message: a body that is not a JSON object never matches."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(document, dict) and matches(policy, document)


def matches(policy: dict[str, Any], document: dict[str, Any]) -> bool:
    """Whether every key of `policy` matches `document` (an empty policy matches everything)."""
    for key, value in policy.items():
        if key == "$or":
            if not any(matches(branch, document) for branch in value):
                return False
        elif isinstance(value, dict):
            inner = document.get(key)
            candidates = [d for d in inner if isinstance(d, dict)] if isinstance(inner, list) else [inner]
            if not any(matches(value, c if isinstance(c, dict) else {}) for c in candidates):
                return False
        elif not _matches_key(value, document.get(key, _ABSENT)):
            return False
    return True


def _matches_key(conditions: list[Any], found: Any) -> bool:
    values = found if isinstance(found, list) else [found]
    for condition in conditions:
        if isinstance(condition, dict) and "exists" in condition:
            present = found is not _ABSENT
            if condition["exists"] == present:
                return True
            continue
        if found is _ABSENT:
            continue
        if any(_matches_value(condition, value) for value in values):
            return True
    return False


def _matches_value(condition: Any, value: Any) -> bool:
    if not isinstance(condition, dict):
        return _equal(condition, value)
    ((operator, operand),) = condition.items()
    if operator == "numeric":
        return _number(value) and _in_range(operand, float(value))
    if operator == "anything-but":
        return _anything_but(operand, value)
    if operator == "cidr":
        return isinstance(value, str) and _in_network(operand, value)
    if not isinstance(value, str):
        return False
    if operator == "prefix":
        return value.startswith(operand)
    if operator == "suffix":
        return value.endswith(operand)
    if operator == "equals-ignore-case":
        return value.casefold() == str(operand).casefold()
    return _wildcard(operand).fullmatch(value) is not None


def _equal(condition: Any, value: Any) -> bool:
    if _number(condition):
        return _number(value) and math.isclose(float(condition), float(value), abs_tol=1e-9)
    if isinstance(condition, bool) or condition is None:
        return value is condition
    return isinstance(value, str) and value == condition


def _in_range(operand: list[Any], value: float) -> bool:
    for op, bound in zip(operand[::2], operand[1::2], strict=True):
        bound = float(bound)
        ok = {
            "<": value < bound,
            "<=": value <= bound,
            "=": math.isclose(value, bound, abs_tol=1e-9),
            ">": value > bound,
            ">=": value >= bound,
        }[op]
        if not ok:
            return False
    return True


def _anything_but(operand: Any, value: Any) -> bool:
    if isinstance(operand, dict):
        ((kind, text),) = operand.items()
        if not isinstance(value, str):
            return False
        if kind == "prefix":
            return not value.startswith(text)
        if kind == "suffix":
            return not value.endswith(text)
        return value.casefold() != text.casefold()
    excluded = operand if isinstance(operand, list) else [operand]
    return not any(_equal(item, value) for item in excluded)


def _in_network(cidr: str, value: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


_WILDCARDS: dict[str, re.Pattern[str]] = {}


def _wildcard(pattern: str) -> re.Pattern[str]:
    compiled = _WILDCARDS.get(pattern)
    if compiled is None:
        compiled = re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)
        if len(_WILDCARDS) < 1024:
            _WILDCARDS[pattern] = compiled
    return compiled
