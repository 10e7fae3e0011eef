"""The expression layer of Logs Insights queries: tokens, literals, comparisons, functions, and the
boolean expressions `filter` and `fields` take (and, or, not, like /regex/, in [...], =, <, ...)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

Row = dict[str, Any]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<regex>/(?:[^/\\]|\\.)+/[a-z]*)"
    r"|(?P<num>\d+(?:\.\d+)?(?:ms|s|m|h|d|w)?)|(?P<name>`[^`]+`|@?[A-Za-z_][\w.@-]*)"
    r"|(?P<op>=~|!=|<=|>=|==|[=<>(),\[\]*+\-/%!]))"
)


class QuerySyntaxError(ValueError):
    pass


class Tokens:
    def __init__(self, text: str) -> None:
        self.items: list[tuple[str, str]] = []
        self.spans: list[tuple[int, int]] = []
        self.text = text = text.rstrip()
        position = 0
        while position < len(text):
            found = _TOKEN.match(text, position)
            if found is None or found.end() == position:
                raise QuerySyntaxError(f"unexpected symbol found {text[position:].strip()[:20]!r}")
            kind = found.lastgroup or ""
            self.items.append((kind, found.group(kind)))
            self.spans.append(found.span(kind))
            position = found.end()
        self.at = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.at + offset
        return self.items[index] if index < len(self.items) else ("end", "")

    def take(self) -> tuple[str, str]:
        item = self.peek()
        self.at += 1
        return item

    def word(self, *words: str) -> bool:
        kind, text = self.peek()
        if kind == "name" and text.lower() in words:
            self.at += 1
            return True
        return False

    def symbol(self, *symbols: str) -> bool:
        kind, text = self.peek()
        if kind == "op" and text in symbols:
            self.at += 1
            return True
        return False

    def expect(self, symbol: str) -> None:
        if not self.symbol(symbol):
            raise QuerySyntaxError(f"expected {symbol!r} but found {self.peek()[1] or 'end of query'!r}")

    def done(self) -> bool:
        return self.at >= len(self.items)


Expr = Callable[[Row], Any]


def field_name(text: str) -> str:
    return text[1:-1] if text.startswith("`") else text


def literal(kind: str, text: str) -> Any:
    if kind == "str":
        return bytes(text[1:-1], "utf-8").decode("unicode_escape")
    if kind == "num":
        return float(text) if text.replace(".", "", 1).isdigit() else text
    raise QuerySyntaxError(f"unexpected {text!r}")


def regex(text: str) -> re.Pattern[str]:
    body, _, flags = text[1:].rpartition("/")
    body = re.sub(
        r"\(\?<(?![=!])", "(?P<", body
    )  # Insights names groups as (?<name>...), Python (?P<name>...)
    try:
        return re.compile(body, re.IGNORECASE if "i" in flags else 0)
    except re.error as error:
        raise QuerySyntaxError(f"invalid regular expression {text}: {error}") from None


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None:
        return op == "!=" and right is not None
    a, b = as_number(left), as_number(right)
    if a is None or b is None:
        a, b = str(left), str(right)  # type: ignore[assignment]
    if op in ("=", "=="):
        return a == b
    if op == "!=":
        return a != b
    if a is None or b is None:
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


class ExpressionParser:
    def __init__(self, tokens: Tokens) -> None:
        self.t = tokens

    def expression(self) -> Expr:
        left = self.conjunction()
        while self.t.word("or"):
            right = self.conjunction()
            left = (lambda a, b: lambda row: bool(a(row)) or bool(b(row)))(left, right)
        return left

    def conjunction(self) -> Expr:
        left = self.negation()
        while self.t.word("and"):
            right = self.negation()
            left = (lambda a, b: lambda row: bool(a(row)) and bool(b(row)))(left, right)
        return left

    def negation(self) -> Expr:
        if self.t.word("not") or self.t.symbol("!"):
            inner = self.negation()
            return lambda row: not inner(row)
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.value()
        negate = self.t.word("not")
        if self.t.word("like") or self.t.symbol("=~"):
            kind, text = self.t.take()
            if kind == "regex":
                pattern = regex(text)
                test: Expr = lambda row: left(row) is not None and bool(pattern.search(str(left(row))))  # noqa: E731
            elif kind == "str":
                needle = literal(kind, text)
                test = lambda row: left(row) is not None and needle in str(left(row))  # noqa: E731
            else:
                raise QuerySyntaxError(f"like needs a string or /regex/, not {text!r}")
            return (lambda row: not test(row)) if negate else test
        if self.t.word("in"):
            self.t.expect("[")
            options = [self.value()]
            while self.t.symbol(","):
                options.append(self.value())
            self.t.expect("]")
            test = lambda row: any(_compare("=", left(row), o(row)) for o in options)  # noqa: E731
            return (lambda row: not test(row)) if negate else test
        if negate:
            raise QuerySyntaxError("expected like or in after not")
        kind, op = self.t.peek()
        if kind == "op" and op in ("=", "==", "!=", "<", "<=", ">", ">="):
            self.t.take()
            right = self.value()
            return lambda row: _compare(op, left(row), right(row))
        return left

    def value(self) -> Expr:
        kind, text = self.t.take()
        if kind == "op" and text == "(":
            inner = self.expression()
            self.t.expect(")")
            return inner
        if kind == "op" and text == "-" and self.t.peek()[0] == "num":
            number = -float(self.t.take()[1])
            return lambda row: number
        if kind == "name" and self.t.peek() == ("op", "("):
            return self.function(text.lower())
        if kind == "name":
            name = field_name(text)
            return lambda row: row.get(name)
        constant = literal(kind, text)
        return lambda row: constant

    def function(self, name: str) -> Expr:
        self.t.expect("(")
        args: list[Expr] = []
        if not self.t.symbol(")"):
            args.append(self.expression())
            while self.t.symbol(","):
                args.append(self.expression())
            self.t.expect(")")
        functions: dict[str, Callable[[list[Any]], Any]] = {
            "ispresent": lambda a: a[0] is not None,
            "isempty": lambda a: a[0] is None or a[0] == "",
            "tolower": lambda a: None if a[0] is None else str(a[0]).lower(),
            "toupper": lambda a: None if a[0] is None else str(a[0]).upper(),
            "strlen": lambda a: None if a[0] is None else len(str(a[0])),
            "concat": lambda a: "".join("" if v is None else str(v) for v in a),
            "abs": lambda a: None if as_number(a[0]) is None else abs(as_number(a[0]) or 0),
            "floor": lambda a: None if as_number(a[0]) is None else math.floor(as_number(a[0]) or 0),
            "ceil": lambda a: None if as_number(a[0]) is None else math.ceil(as_number(a[0]) or 0),
        }
        if name not in functions:
            raise QuerySyntaxError(f"unknown function {name}")
        call = functions[name]
        return lambda row: call([a(row) for a in args])
