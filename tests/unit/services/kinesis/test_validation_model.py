"""The validation table against botocore's Kinesis model: same bounds, patterns, enums and required members,
so AWS's ValidationException answers cannot drift from the model millpond serves."""

from __future__ import annotations

import pytest
from botocore.model import Shape
from botocore.session import get_session

from millpond.services.kinesis.validation import RULES, Rule

MODEL = get_session().get_service_model("kinesis")


def _expected(shape: Shape) -> dict[str, object]:
    meta = shape.metadata
    found: dict[str, object] = {}
    if shape.type_name in ("string", "list", "map", "blob"):
        found["min_len"], found["max_len"] = meta.get("min"), meta.get("max")
    elif shape.type_name in ("integer", "long"):
        found["min_value"], found["max_value"] = meta.get("min"), meta.get("max")
    if "pattern" in meta:
        found["pattern"] = meta["pattern"]
    if meta.get("enum") or getattr(shape, "enum", None):
        found["enum"] = tuple(getattr(shape, "enum", None) or meta["enum"])
    return found


def _actual(rule: Rule, kind: str) -> dict[str, object]:
    found: dict[str, object] = {}
    if kind in ("string", "list", "map", "blob"):
        found["min_len"], found["max_len"] = rule.min_len, rule.max_len
    elif kind in ("integer", "long"):
        found["min_value"], found["max_value"] = rule.min_value, rule.max_value
    if rule.pattern is not None:
        found["pattern"] = rule.pattern
    if rule.enum is not None:
        found["enum"] = rule.enum
    return found


@pytest.mark.parametrize("operation", sorted(RULES))
def test_rules_match_the_model(operation: str) -> None:
    shape = MODEL.operation_model(operation).input_shape
    assert shape is not None
    required = set(shape.required_members)
    for name, rule in RULES[operation].items():
        member = shape.members[name]
        assert rule.required == (name in required), f"{operation}.{name} required"
        if member.type_name == "blob":
            continue  # blob sizes follow the stream's record size, checked when writing
        if member.type_name == "structure":
            continue
        assert _actual(rule, member.type_name) == _expected(member), f"{operation}.{name}"
