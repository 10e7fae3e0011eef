"""Metric math: a small parser and evaluator for GetMetricData expressions.

Supported: numbers, query ids, + - * / ^ with unary minus and parentheses, arrays `[m1, m2]`, METRICS(),
and the functions SUM, AVG, MIN, MAX (of one series: a single value; of an array: a series, point by point),
ABS, CEIL, FLOOR and FILL(x, value | REPEAT | LINEAR). Series are {timestamp: value}; a series-series
operation keeps the timestamps both have, as AWS does.
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

Series = dict[int, float]
Value = Union[float, Series, list[Series]]  # noqa: UP007 (a runtime alias)

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(.))")
_BINARY: dict[str, tuple[int, Callable[[float, float], float]]] = {
    "+": (1, operator.add),
    "-": (1, operator.sub),
    "*": (2, operator.mul),
    "/": (2, operator.truediv),
    "^": (3, operator.pow),
}


class MathError(ValueError):
    """An expression that does not parse or evaluate; the message says why."""


@dataclass(frozen=True, slots=True)
class Context:
    series: dict[str, Series]  # query id -> its values
    metric_ids: tuple[str, ...]  # the MetricStat queries, for METRICS()
    grid: tuple[int, ...]  # every period start of the requested range


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            break
        position = match.end()
        token = match.group(1) or match.group(2) or match.group(3)
        if token and not token.isspace():
            tokens.append(token)
    return tokens


def references(text: str) -> set[str]:
    """The identifiers an expression names (query ids and function names alike)."""
    return {t for t in tokenize(text) if t[0].isalpha() or t[0] == "_"}


class _Parser:
    def __init__(self, text: str, context: Context) -> None:
        self.tokens = tokenize(text)
        self.position = 0
        self.context = context

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise MathError(f"Syntax error: expected {expected or 'a value'}, got {token or 'the end'}")
        self.position += 1
        return token

    def parse(self) -> Value:
        value = self.expression(0)
        if self.peek() is not None:
            raise MathError(f"Syntax error: unexpected {self.peek()}")
        return value

    def expression(self, minimum: int) -> Value:
        left = self.unary()
        while (token := self.peek()) in _BINARY and _BINARY[token][0] >= minimum:
            precedence, function = _BINARY[self.take()]
            # ^ is right-associative; the others left-associative.
            right = self.expression(precedence if token == "^" else precedence + 1)
            left = combine(left, right, function)
        return left

    def unary(self) -> Value:
        if self.peek() == "-":
            self.take()
            return combine(-1.0, self.unary(), operator.mul)
        if self.peek() == "+":
            self.take()
        return self.atom()

    def atom(self) -> Value:
        token = self.take()
        if token == "(":
            value = self.expression(0)
            self.take(")")
            return value
        if token == "[":
            items: list[Series] = []
            while self.peek() != "]":
                item = self.expression(0)
                items.extend(item if isinstance(item, list) else [as_series(item, self.context)])
                if self.peek() == ",":
                    self.take()
            self.take("]")
            return items
        if token[0].isdigit() or token[0] == ".":
            return float(token)
        if self.peek() == "(":
            return self.call(token.upper())
        if token in self.context.series:
            return dict(self.context.series[token])
        raise MathError(f"Unknown metric or expression id: {token}")

    def call(self, name: str) -> Value:
        self.take("(")
        args: list[Value | str] = []
        while self.peek() != ")":
            if name == "FILL" and len(args) == 1 and (self.peek() or "").upper() in ("REPEAT", "LINEAR"):
                args.append(self.take().upper())
            else:
                args.append(self.expression(0))
            if self.peek() == ",":
                self.take()
        self.take(")")
        return apply(name, args, self.context)


def as_series(value: Value, context: Context) -> Series:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        raise MathError("Expected a single time series, got an array")
    return dict.fromkeys(context.grid, value)


def combine(left: Value, right: Value, function: Callable[[float, float], float]) -> Value:
    def safe(a: float, b: float) -> float:
        try:
            return function(a, b)
        except (ZeroDivisionError, OverflowError, ValueError):
            return math.nan

    if isinstance(left, list):
        return [combine(item, right, function) for item in left]  # type: ignore[misc]
    if isinstance(right, list):
        return [combine(left, item, function) for item in right]  # type: ignore[misc]
    if isinstance(left, dict) and isinstance(right, dict):
        return _finite({t: safe(v, right[t]) for t, v in left.items() if t in right})
    if isinstance(left, dict):
        return _finite({t: safe(v, float(right)) for t, v in left.items()})  # type: ignore[arg-type]
    if isinstance(right, dict):
        return _finite({t: safe(float(left), v) for t, v in right.items()})
    return safe(float(left), float(right))


def _finite(series: Series) -> Series:
    return {t: v for t, v in series.items() if math.isfinite(v)}


_REDUCERS: dict[str, Callable[[list[float]], float]] = {
    "SUM": sum,
    "AVG": lambda values: sum(values) / len(values),
    "MIN": min,
    "MAX": max,
}
_POINTWISE: dict[str, Callable[[float], float]] = {"ABS": abs, "CEIL": math.ceil, "FLOOR": math.floor}


def apply(name: str, args: list[Value | str], context: Context) -> Value:
    if name == "METRICS":
        wanted = str(args[0]) if args else ""
        return [dict(context.series[i]) for i in context.metric_ids if wanted in i]
    if not args:
        raise MathError(f"Function {name} needs arguments")
    first = args[0]
    if isinstance(first, str):
        raise MathError(f"Unexpected {first}")
    if name in _REDUCERS:
        reducer = _REDUCERS[name]
        if isinstance(first, list):
            timestamps = sorted({t for s in first for t in s})
            return {t: reducer([s[t] for s in first if t in s]) for t in timestamps}
        if isinstance(first, dict):
            return reducer(list(first.values())) if first else math.nan
        return first
    if name in _POINTWISE:
        function = _POINTWISE[name]
        return combine(first, 0.0, lambda a, _b: float(function(a)))
    if name == "FILL":
        if len(args) != 2:
            raise MathError("FILL takes two arguments")
        if isinstance(first, list):
            return [fill(s, args[1], context) for s in first]
        return fill(as_series(first, context), args[1], context)
    raise MathError(f"Unsupported function: {name}")


def fill(series: Series, how: Value | str, context: Context) -> Series:
    if how == "REPEAT":
        filled: Series = {}
        last: float | None = None
        for t in context.grid:
            last = series.get(t, last)
            if last is not None:
                filled[t] = last
        return filled
    if how == "LINEAR":
        known = sorted(series.items())
        filled = dict(series)
        for (t0, v0), (t1, v1) in itertools.pairwise(known):
            for t in context.grid:
                if t0 < t < t1:
                    filled[t] = v0 + (v1 - v0) * (t - t0) / (t1 - t0)
        return dict(sorted(filled.items()))
    if isinstance(how, float | int):
        return {t: series.get(t, float(how)) for t in context.grid}
    raise MathError("FILL takes a number, REPEAT or LINEAR")


def evaluate(text: str, context: Context) -> Series:
    """The series an expression yields (a single value is repeated over the grid)."""
    value = _Parser(text, context).parse()
    if isinstance(value, list):
        raise MathError("The expression must return a single time series")
    if isinstance(value, dict):
        return dict(sorted(value.items()))
    if not math.isfinite(value):
        return {}
    named = references(text) & context.series.keys()
    timestamps = sorted({t for name in named for t in context.series[name]}) or list(context.grid)
    return dict.fromkeys(timestamps, value)
