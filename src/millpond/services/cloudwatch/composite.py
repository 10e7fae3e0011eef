"""Composite alarm rules: ALARM(x), OK(x), INSUFFICIENT_DATA(x), TRUE, FALSE, joined with AND, OR and NOT
and parentheses (NOT binds tightest, then AND, then OR). An alarm is named by name or ARN, quoted or not.

`parse(rule)` gives the alarm names it reads and a predicate over {alarm name: state}; a malformed rule
raises ValueError with what is wrong, which PutCompositeAlarm answers as AWS's ValidationError.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MAX_RULE = 10_240
_TOKEN = re.compile(r'\s*(?:(?P<paren>[()])|(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<word>[^\s()"]+))')
STATE_FUNCTIONS = ("ALARM", "OK", "INSUFFICIENT_DATA")

Predicate = Callable[[Mapping[str, str]], bool]


@dataclass(frozen=True)
class Rule:
    names: frozenset[str]
    holds: Predicate


def _alarm_name(reference: str) -> str:
    # An ARN names the alarm after its last ':alarm:' part.
    return (
        reference.split(":alarm:", 1)[1]
        if reference.startswith("arn:") and ":alarm:" in reference
        else reference
    )


def parse(text: str) -> Rule:
    if not text.strip():
        raise ValueError("AlarmRule must not be empty")
    if len(text) > MAX_RULE:
        raise ValueError(f"AlarmRule must be at most {MAX_RULE} characters")
    tokens: list[str] = []
    position = 0
    while position < len(text.rstrip()):
        found = _TOKEN.match(text, position)
        if found is None:
            raise ValueError(f"Unexpected character at position {position}")
        tokens.append(found.group(found.lastgroup or ""))
        position = found.end()
    names: set[str] = set()
    at = 0

    def peek() -> str:
        return tokens[at] if at < len(tokens) else ""

    def take() -> str:
        nonlocal at
        token = peek()
        if not token:
            raise ValueError("Unexpected end of the alarm rule")
        at += 1
        return token

    def disjunction() -> Predicate:
        left = conjunction()
        while peek().upper() == "OR":
            take()
            right = conjunction()
            left = (lambda a, b: lambda states: a(states) or b(states))(left, right)
        return left

    def conjunction() -> Predicate:
        left = negation()
        while peek().upper() == "AND":
            take()
            right = negation()
            left = (lambda a, b: lambda states: a(states) and b(states))(left, right)
        return left

    def negation() -> Predicate:
        if peek().upper() == "NOT":
            take()
            inner = negation()
            return lambda states: not inner(states)
        return atom()

    def atom() -> Predicate:
        token = take()
        upper = token.upper()
        if token == "(":
            inner = disjunction()
            if take() != ")":
                raise ValueError("Expected ')'")
            return inner
        if upper in ("TRUE", "FALSE"):
            value = upper == "TRUE"
            return lambda states: value
        if upper in STATE_FUNCTIONS:
            if take() != "(":
                raise ValueError(f"Expected '(' after {upper}")
            reference = take()
            if reference in ("(", ")"):
                raise ValueError(f"{upper} needs an alarm name or ARN")
            name = _alarm_name(reference[1:-1] if reference.startswith('"') else reference)
            if take() != ")":
                raise ValueError(f"Expected ')' after the alarm in {upper}(...)")
            names.add(name)
            return lambda states: states.get(name) == upper
        raise ValueError(f"Unexpected token {token!r}")

    predicate = disjunction()
    if at != len(tokens):
        raise ValueError(f"Unexpected token {tokens[at]!r}")
    return Rule(frozenset(names), predicate)
