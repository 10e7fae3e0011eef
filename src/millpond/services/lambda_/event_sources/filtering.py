"""Event filtering: FilterCriteria patterns, matched against each record before batching, as AWS documents.

A pattern is a JSON object whose leaves are arrays of conditions: exact values (strings, numbers, null),
{"prefix"}, {"suffix"}, {"equals-ignore-case"}, {"anything-but": value | [values] | {"prefix"}},
{"numeric": [">", 0, "<=", 5]}, {"exists": true|false}, and {"$or": [pattern, ...]}. Several filters are ORed;
the keys of one pattern are ANDed. For SQS the record's `body` is matched as JSON when it parses as a JSON
object (else only plain-string conditions on the whole body apply); for Kinesis the same holds for `data`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from millpond.errors import AwsError

_OPERATORS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr"}
)
_NUMERIC_OPS = frozenset({"<", "<=", "=", ">", ">="})
MAX_FILTERS = 5  # AWS's default quota of filters per event source mapping
_MISSING = object()


def invalid_pattern() -> AwsError:
    return AwsError("InvalidParameterValueException", "Invalid filter pattern definition.")


def parse_filters(criteria: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The patterns of a FilterCriteria, checked; raises the error AWS gives for a bad one."""
    if not criteria:
        return []
    filters = criteria.get("Filters") or []
    if len(filters) > MAX_FILTERS:
        raise AwsError(
            "InvalidParameterValueException",
            f"The number of filters must be less than or equal to {MAX_FILTERS}.",  # [unsure] AWS's words
        )
    patterns = []
    for item in filters:
        raw = item.get("Pattern")
        try:
            pattern = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            pattern = None
        if not isinstance(pattern, dict) or not pattern:
            raise invalid_pattern()
        _check_pattern(pattern)
        patterns.append(pattern)
    return patterns


def _check_pattern(pattern: dict[str, Any]) -> None:
    for key, value in pattern.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2 or not all(isinstance(p, dict) for p in value):
                raise invalid_pattern()
            for alternative in value:
                _check_pattern(alternative)
        elif isinstance(value, dict):
            if not value:
                raise invalid_pattern()
            _check_pattern(value)
        elif isinstance(value, list):
            if not value:
                raise invalid_pattern()
            for condition in value:
                _check_condition(condition)
        else:
            raise invalid_pattern()


def _check_condition(condition: Any) -> None:
    if condition is None or isinstance(condition, str | int | float | bool):
        return
    if not isinstance(condition, dict) or len(condition) != 1:
        raise invalid_pattern()
    operator, operand = next(iter(condition.items()))
    if operator not in _OPERATORS:
        raise invalid_pattern()
    if operator == "numeric":
        if not isinstance(operand, list) or len(operand) not in (2, 4):
            raise invalid_pattern()
        for index in range(0, len(operand), 2):
            if operand[index] not in _NUMERIC_OPS or not isinstance(operand[index + 1], int | float):
                raise invalid_pattern()
    elif operator == "exists":
        if not isinstance(operand, bool):
            raise invalid_pattern()
    elif operator in ("prefix", "suffix", "equals-ignore-case") and not isinstance(operand, str):
        raise invalid_pattern()


# -- matching ---------------------------------------------------------------------------------------------


def matches_any(patterns: Sequence[dict[str, Any]], event: dict[str, Any]) -> bool:
    """True when there are no patterns or any of them matches the event (filters are ORed)."""
    return not patterns or any(matches(pattern, event) for pattern in patterns)


def matches(pattern: dict[str, Any], event: Any) -> bool:
    for key, expected in pattern.items():
        if key == "$or":
            if not any(matches(alternative, event) for alternative in expected):
                return False
            continue
        actual = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(expected, dict):
            if not isinstance(actual, dict) or not matches(expected, actual):
                return False
        elif not _leaf_matches(expected, actual):
            return False
    return True


def _leaf_matches(conditions: list[Any], actual: Any) -> bool:
    # An array value matches when any of its elements matches (AWS flattens arrays).
    values = actual if isinstance(actual, list) else [actual]
    for condition in conditions:
        if isinstance(condition, dict) and "exists" in condition:
            present = actual is not _MISSING
            if present == condition["exists"]:
                return True
            continue
        if any(value is not _MISSING and _condition_matches(condition, value) for value in values):
            return True
    return False


def _condition_matches(condition: Any, value: Any) -> bool:
    if not isinstance(condition, dict):
        if isinstance(condition, bool) or isinstance(value, bool):
            return condition is value
        if isinstance(condition, int | float) and isinstance(value, int | float):
            return float(condition) == float(value)
        return bool(condition == value)
    operator, operand = next(iter(condition.items()))
    if operator == "prefix":
        return isinstance(value, str) and value.startswith(operand)
    if operator == "suffix":
        return isinstance(value, str) and value.endswith(operand)
    if operator == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == operand.lower()
    if operator == "numeric":
        return _numeric(operand, value)
    if operator == "anything-but":
        return _anything_but(operand, value)
    return False


def _numeric(operand: list[Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    for index in range(0, len(operand), 2):
        op, bound = operand[index], float(operand[index + 1])
        ok = {
            "<": value < bound,
            "<=": value <= bound,
            "=": value == bound,
            ">": value > bound,
            ">=": value >= bound,
        }[op]
        if not ok:
            return False
    return True


def _anything_but(operand: Any, value: Any) -> bool:
    if isinstance(operand, dict):
        if "prefix" in operand:
            return isinstance(value, str) and not value.startswith(operand["prefix"])
        if "suffix" in operand:
            return isinstance(value, str) and not value.endswith(operand["suffix"])
        if "equals-ignore-case" in operand:
            wanted = operand["equals-ignore-case"]
            options = wanted if isinstance(wanted, list) else [wanted]
            return isinstance(value, str) and value.lower() not in [str(o).lower() for o in options]
        return True
    options = operand if isinstance(operand, list) else [operand]
    return not any(_condition_matches(option, value) for option in options)


# -- what is matched --------------------------------------------------------------------------------------


def filterable(record: dict[str, Any], payload_key: str, payload: str | None) -> dict[str, Any]:
    """The record as patterns see it: metadata as is, and the payload parsed when it is a JSON object.

    A payload that is not JSON stays a plain string, so only plain-string conditions on it can match.
    """
    view = dict(record)
    if payload is not None:
        try:
            parsed = json.loads(payload)
        except ValueError:
            parsed = payload
        view[payload_key] = parsed if isinstance(parsed, dict) else payload
    return view
