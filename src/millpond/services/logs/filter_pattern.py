"""CloudWatch Logs filter patterns: terms, "phrases", ?any, -exclusions, { $.json } and [space, delimited].

`compile_pattern(text)` returns a predicate over an event's message, or raises ValueError for a pattern
AWS would reject ("Invalid filter pattern"). `field_value(pattern, message, selector)` reads the value a
metric filter's `$.json.path` or `$named_field` selector picks out of a message the pattern matched.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from typing import Any

Matcher = Callable[[str], bool]

_JSON_TOKEN = re.compile(
    r"\s*(?:(?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\))|(?P<sel>\$[\w.\[\]*-]*)|(?P<str>\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<word>[^\s()&|=<>!]+))"
)


def compile_pattern(text: str | None) -> Matcher:
    pattern = (text or "").strip()
    if not pattern:
        return lambda message: True
    if pattern.startswith("{"):
        if not pattern.endswith("}"):
            raise ValueError("unbalanced braces")
        return _json_matcher(pattern[1:-1])
    if pattern.startswith("["):
        if not pattern.endswith("]"):
            raise ValueError("unbalanced brackets")
        return _delimited_matcher(pattern[1:-1])
    return _term_matcher(pattern)


# ------------------------------------------------------------------------------------------------- terms


def _term_matcher(pattern: str) -> Matcher:
    try:
        words = shlex.split(pattern)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    required = [w for w in words if not w.startswith(("?", "-")) or len(w) == 1]
    optional = [w[1:].strip('"') for w in words if w.startswith("?") and len(w) > 1]
    excluded = [w[1:].strip('"') for w in words if w.startswith("-") and len(w) > 1]

    def match(message: str) -> bool:
        if any(word not in message for word in required):
            return False
        if optional and not any(word in message for word in optional):
            return False
        return not any(word in message for word in excluded)

    return match


# -------------------------------------------------------------------------------------------------- JSON


def _select(document: Any, selector: str) -> list[Any]:
    parts = [p for p in re.split(r"\.|(?=\[)", selector[1:]) if p]
    current = [document]
    for part in parts:
        following: list[Any] = []
        for item in current:
            if part.startswith("["):
                index = part[1:-1]
                if isinstance(item, list):
                    following.extend(item if index == "*" else item[int(index) : int(index) + 1])
            elif isinstance(item, dict) and part in item:
                following.append(item[part])
        current = following
    return current


def _compare(value: Any, op: str, expected: str) -> bool:
    if expected.startswith('"'):
        expected = json.loads(expected)
    if op in ("<", ">", "<=", ">=") or (not isinstance(value, str) and _is_number(expected)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not _is_number(expected):
            return False
        number = float(expected)
        return {
            "<": value < number,
            ">": value > number,
            "<=": value <= number,
            ">=": value >= number,
            "=": value == number,
            "!=": value != number,
        }[op]
    if expected in ("NULL", "null") and not isinstance(value, str):
        equal = value is None
    elif expected in ("true", "false") and isinstance(value, bool):
        equal = value == (expected == "true")
    elif expected == "EXISTS":
        equal = True
    else:
        text = value if isinstance(value, str) else json.dumps(value)
        regex = "^" + ".*".join(re.escape(piece) for piece in expected.split("*")) + "$"
        equal = re.match(regex, text, re.DOTALL) is not None
    return equal if op == "=" else not equal


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _json_matcher(body: str) -> Matcher:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(body):
        found = _JSON_TOKEN.match(body, position)
        if found is None or found.end() == position:
            if body[position:].strip():
                raise ValueError(f"unexpected {body[position:]!r}")
            break
        kind = found.lastgroup or ""
        tokens.append((kind, found.group(kind)))
        position = found.end()
    index = 0

    def peek() -> str:
        return tokens[index][1] if index < len(tokens) else ""

    def take() -> tuple[str, str]:
        nonlocal index
        if index >= len(tokens):
            raise ValueError("incomplete filter pattern")
        index += 1
        return tokens[index - 1]

    def expression() -> Callable[[Any], bool]:
        left = conjunction()
        while peek() == "||":
            take()
            right = conjunction()
            left = (lambda a, b: lambda doc: a(doc) or b(doc))(left, right)
        return left

    def conjunction() -> Callable[[Any], bool]:
        left = term()
        while peek() == "&&":
            take()
            right = term()
            left = (lambda a, b: lambda doc: a(doc) and b(doc))(left, right)
        return left

    def term() -> Callable[[Any], bool]:
        kind, text = take()
        if text == "(":
            inner = expression()
            if take()[1] != ")":
                raise ValueError("unbalanced parentheses")
            return inner
        if kind != "sel":
            raise ValueError(f"expected a $.selector, got {text!r}")
        op = take()[1]
        if op not in ("=", "!=", "<", ">", "<=", ">="):
            if op in ("IS", "NOT"):
                raise ValueError("unsupported operator")
            raise ValueError(f"expected a comparison after {text}")
        expected = take()[1]
        if expected == "EXISTS" or (op == "NOT" and expected == "EXISTS"):
            return lambda doc: bool(_select(doc, text))
        return lambda doc: any(_compare(v, op, expected) for v in _select(doc, text))

    predicate = expression()
    if index != len(tokens):
        raise ValueError(f"unexpected {tokens[index][1]!r}")

    def match(message: str) -> bool:
        try:
            document = json.loads(message)
        except ValueError:
            return False
        return predicate(document)

    return match


# -------------------------------------------------------------------------------------- space-delimited


def _delimited_matcher(body: str) -> Matcher:
    fields = [f.strip() for f in body.split(",")] if body.strip() else []
    conditions: list[tuple[int, str, str] | None] = []
    ellipsis_at: int | None = None
    for position, spec in enumerate(fields):
        if spec == "...":
            ellipsis_at = position
            conditions.append(None)
            continue
        found = re.match(r"^(\w+)\s*(!=|<=|>=|=|<|>)\s*(.+)$", spec)
        conditions.append((position, found.group(2), found.group(3).strip()) if found else None)

    def match(message: str) -> bool:
        words = _words(message)
        if ellipsis_at is None and len(words) != len(fields):
            return False
        for position, condition in enumerate(conditions):
            if condition is None:
                continue
            if ellipsis_at is not None and position > ellipsis_at:
                index = len(words) - (len(fields) - position)
            else:
                index = position
            if not 0 <= index < len(words):
                return False
            _, op, expected = condition
            value: Any = float(words[index]) if _is_number(words[index]) else words[index]
            if not _compare(value, op, expected):
                return False
        return True

    return match


# ------------------------------------------------------------------------------------ selected values


def _words(message: str) -> list[str]:
    words = re.findall(r'"[^"]*"|\[[^\]]*\]|\S+', message)
    return [w[1:-1] if w[:1] in '"[' else w for w in words]


def delimited_fields(pattern: str | None) -> list[str]:
    """The field names of a space-delimited pattern (`[ip, user, ..., status=404, size]`), in order."""
    text = (pattern or "").strip()
    if not (text.startswith("[") and text.endswith("]")):
        return []
    names = []
    for spec in text[1:-1].split(","):
        found = re.match(r"^\s*(\w+|\.\.\.)", spec)
        names.append(found.group(1) if found else "")
    return names


def field_value(pattern: str | None, message: str, selector: str) -> Any:
    """The value `selector` names in `message` ($.a.b of a JSON event, $name of a delimited one); None if
    the message has none."""
    if selector.startswith("$."):
        try:
            document = json.loads(message)
        except ValueError:
            return None
        found = _select(document, selector)
        return found[0] if found else None
    fields = delimited_fields(pattern)
    name = selector[1:]
    if name not in fields:
        return None
    words, position = _words(message), fields.index(name)
    if "..." in fields and position > fields.index("..."):
        position = len(words) - (len(fields) - position)
    return words[position] if 0 <= position < len(words) else None
