"""Composite alarm rules parsed and evaluated over alarm states (no server)."""

from __future__ import annotations

import pytest

from millpond.services.cloudwatch.composite import parse


@pytest.mark.parametrize(
    ("rule", "states", "holds"),
    [
        ("ALARM(a)", {"a": "ALARM"}, True),
        ("ALARM(a) OR ALARM(b)", {"a": "OK", "b": "ALARM"}, True),
        ("ALARM(a) AND ALARM(b)", {"a": "OK", "b": "ALARM"}, False),
        ("NOT OK(a)", {"a": "INSUFFICIENT_DATA"}, True),
        (
            "ALARM(a) OR ALARM(b) AND ALARM(c)",
            {"a": "ALARM", "b": "OK", "c": "OK"},
            True,
        ),  # AND binds tighter
        ("(ALARM(a) OR ALARM(b)) AND ALARM(c)", {"a": "ALARM", "b": "OK", "c": "OK"}, False),
        ('INSUFFICIENT_DATA("my alarm")', {"my alarm": "INSUFFICIENT_DATA"}, True),
        ("ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:x)", {"x": "ALARM"}, True),
        ("TRUE AND NOT FALSE", {}, True),
        ("alarm(a) and not ok(b)", {"a": "ALARM", "b": "ALARM"}, True),
    ],
)
def test_rules(rule: str, states: dict[str, str], holds: bool) -> None:
    assert parse(rule).holds(states) is holds


def test_names_read() -> None:
    assert parse('ALARM(a) OR (OK("b c") AND NOT ALARM(arn:aws:cloudwatch:r:1:alarm:d))').names == {
        "a",
        "b c",
        "d",
    }


@pytest.mark.parametrize(
    "rule", ["", "ALARM(", "ALARM a", "ALARM(a) AND", "MAYBE(a)", "ALARM(a))", "ALARM()"]
)
def test_malformed_rules(rule: str) -> None:
    with pytest.raises(ValueError):
        parse(rule)
