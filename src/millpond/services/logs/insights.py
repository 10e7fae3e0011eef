"""Logs Insights: the query language's common commands, parsed and run over a group's events.

Commands, joined by `|`: fields, filter, stats (count, count_distinct, sum, avg, min, max, by fields and
bin(period)), sort, limit, parse (glob with `*` or a regex with named groups), display, dedup. An event
has @timestamp, @message, @logStream, @log, @ingestionTime and @ptr, the fields of a JSON message
(flattened with dots), and for Lambda's REPORT lines @type, @requestId, @duration, @billedDuration,
@memorySize, @maxMemoryUsed and @initDuration, as Insights discovers them. `QuerySyntaxError` carries the
message StartQuery answers a malformed query with.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from millpond.services.logs.insights_expressions import (
    Expr,
    ExpressionParser,
    QuerySyntaxError,
    Row,
    Tokens,
    as_number,
    field_name,
    literal,
    regex,
)

DEFAULT_LIMIT = 10_000
_REPORT = re.compile(
    r"^REPORT RequestId: (?P<requestId>\S+)\tDuration: (?P<duration>[\d.]+) ms\tBilled Duration: "
    r"(?P<billedDuration>\d+) ms\tMemory Size: (?P<memorySize>\d+) MB\t"
    r"Max Memory Used: (?P<maxMemoryUsed>\d+) MB"
    r"(?:\tInit Duration: (?P<initDuration>[\d.]+) ms)?"
)
_PERIODS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def timestamp_text(ms: float) -> str:
    stamp = datetime.fromtimestamp(ms / 1000, UTC)
    return stamp.strftime("%Y-%m-%d %H:%M:%S.") + f"{stamp.microsecond // 1000:03d}"


def event_fields(event: Row) -> Row:
    """What a query sees of one event (event: timestamp, ingestion, message, stream, group, ptr)."""
    row: Row = {
        "@timestamp": event["timestamp"],
        "@ingestionTime": event["ingestion"],
        "@message": event["message"],
        "@logStream": event["stream"],
        "@log": event["group"],
        "@ptr": event["ptr"],
    }
    message = event["message"]
    if message.startswith("{"):
        try:
            document = json.loads(message)
        except ValueError:
            document = None
        if isinstance(document, dict):
            _flatten(document, "", row)
    elif message.startswith("REPORT RequestId:") and (found := _REPORT.match(message)):
        row["@type"] = "REPORT"
        row.update({f"@{k}": float(v) if k != "requestId" else v for k, v in found.groupdict().items() if v})
    return row


def _flatten(document: Any, prefix: str, into: Row) -> None:
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, name + ".", into)
        elif isinstance(value, list):
            into[name] = json.dumps(value)
        else:
            into[name] = value


# -- parsing ---------------------------------------------------------------------------------------------


@dataclass
class Aggregate:
    function: str
    argument: Expr | None  # None: count(*)
    alias: str


@dataclass
class Query:
    stages: list[Callable[[list[Row]], list[Row]]] = field(default_factory=list)
    shown: list[str] | None = None  # the fields each result row carries, in order
    limit: int | None = None
    stats: bool = False


def _alias(tokens: Tokens, default: str) -> str:
    if tokens.word("as"):
        return field_name(tokens.take()[1])
    return default


def _source(tokens: Tokens, start: int) -> str:
    """The query text of tokens start..now, as written: a field's name where no alias is given."""
    if start >= tokens.at:
        return ""
    return tokens.text[tokens.spans[start][0] : tokens.spans[tokens.at - 1][1]]


def parse(text: str) -> Query:
    query = Query()
    for command in _split_commands(text):
        tokens = Tokens(command)
        kind, word = tokens.take()
        word = word.lower()
        if kind != "name":
            raise QuerySyntaxError(f"expected a command but found {word!r}")
        if word in ("fields", "display"):
            expressions: list[tuple[str, Expr]] = []
            while True:
                start = tokens.at
                expr = ExpressionParser(tokens).value() if tokens.peek()[0] != "end" else None
                if expr is None:
                    raise QuerySyntaxError(f"{word} needs at least one field")
                expressions.append((_alias(tokens, _source(tokens, start)), expr))
                if not tokens.symbol(","):
                    break
            query.stages.append(_project(expressions))
            query.shown = (
                [name for name, _ in expressions]
                if word == "display" or query.shown is None
                else [*query.shown, *[n for n, _ in expressions if n not in query.shown]]
            )
        elif word == "filter":
            predicate = ExpressionParser(tokens).expression()
            query.stages.append(partial(_filter, predicate))
        elif word == "stats":
            query.stages.append(_stats(tokens, query))
        elif word == "sort":
            keys: list[tuple[Expr, bool]] = []
            while True:
                expr = ExpressionParser(tokens).value()
                descending = tokens.word("desc")
                if not descending:
                    tokens.word("asc")
                keys.append((expr, descending))
                if not tokens.symbol(","):
                    break
            query.stages.append(partial(_sort, keys=keys))
        elif word == "limit":
            kind, number = tokens.take()
            if kind != "num" or not number.isdigit() or not 0 < int(number) <= DEFAULT_LIMIT:
                raise QuerySyntaxError(f"limit takes a number from 1 to {DEFAULT_LIMIT}")
            query.limit = int(number)
        elif word == "parse":
            query.stages.append(_parse_command(tokens, query))
        elif word == "dedup":
            names = [field_name(tokens.take()[1])]
            while tokens.symbol(","):
                names.append(field_name(tokens.take()[1]))
            query.stages.append(partial(_dedup, names=names))
        else:
            raise QuerySyntaxError(f"unknown command {word!r}")
        if not tokens.done():
            raise QuerySyntaxError(f"unexpected symbol found {tokens.peek()[1]!r} in {word}")
    return query


def _split_commands(text: str) -> list[str]:
    commands, current, quote = [], "", ""
    for char in text:
        if quote:
            quote = "" if char == quote and not current.endswith("\\") else quote
        elif char in "'\"`" or (char == "/" and _regex_may_start(current)):
            quote = char
        if char == "|" and not quote:
            commands.append(current)
            current = ""
        else:
            current += char
    commands.append(current)
    found = [c.strip() for c in commands]
    if not any(found):
        raise QuerySyntaxError("the query is empty")
    if not all(found):
        raise QuerySyntaxError("expected a command after |")
    return found


def _regex_may_start(before: str) -> bool:
    """A `/` opens a regex after like, =~, or the field of a parse command (elsewhere it divides)."""
    text = before.rstrip()
    return text.endswith(("like", "=~")) or bool(re.search(r"(^|\s)parse(\s+\S+)?$", text))


def _project(expressions: list[tuple[str, Expr]]) -> Callable[[list[Row]], list[Row]]:
    def project(rows: list[Row]) -> list[Row]:
        return [{**row, **{name: expr(row) for name, expr in expressions}} for row in rows]

    return project


def _filter(predicate: Expr, rows: list[Row]) -> list[Row]:
    return [row for row in rows if predicate(row)]


def _sort_key(value: Any) -> tuple[int, Any]:
    number = as_number(value)
    if number is not None:
        return (1, number)
    return (0, "") if value is None else (2, str(value))


def _sort(rows: list[Row], keys: list[tuple[Expr, bool]]) -> list[Row]:
    for expr, descending in reversed(keys):
        rows = sorted(rows, key=lambda row, e=expr: _sort_key(e(row)), reverse=descending)  # type: ignore[misc]
    return rows


def _dedup(rows: list[Row], names: list[str]) -> list[Row]:
    seen, kept = set(), []
    for row in rows:
        key = tuple(str(row.get(n)) for n in names)
        if key not in seen and all(row.get(n) is not None for n in names):
            seen.add(key)
            kept.append(row)
    return kept


def _parse_command(tokens: Tokens, query: Query) -> Callable[[list[Row]], list[Row]]:
    kind, source = tokens.take()
    source_field = "@message" if kind != "name" else field_name(source)
    if kind == "name":
        kind, source = tokens.take()
    if kind == "regex":
        pattern = regex(source)
        names = list(pattern.groupindex)
    elif kind == "str":
        glob = literal(kind, source)
        pattern = re.compile("(.*?)".join(re.escape(part) for part in glob.split("*")) + "$", re.S)
        if not tokens.word("as"):
            raise QuerySyntaxError("parse with a glob needs `as` and the field names")
        names = [field_name(tokens.take()[1])]
        while tokens.symbol(","):
            names.append(field_name(tokens.take()[1]))
        if len(names) != pattern.groups:
            raise QuerySyntaxError("parse: the glob's * count and the field names differ")
    else:
        raise QuerySyntaxError("parse needs a glob string or a /regex/")
    query.shown = [*(query.shown or []), *[n for n in names if n not in (query.shown or [])]]

    def run(rows: list[Row]) -> list[Row]:
        parsed = []
        for row in rows:
            found = pattern.search(str(row.get(source_field) or "")) if kind == "regex" else None
            if kind != "regex":
                found = pattern.match(str(row.get(source_field) or ""))
            values = {}
            if found:
                groups = (
                    found.groupdict() if kind == "regex" else dict(zip(names, found.groups(), strict=True))
                )
                values = {n: v.strip() if isinstance(v, str) else v for n, v in groups.items()}
            parsed.append({**row, **values})
        return parsed

    return run


def _bin(period_text: str) -> Expr:
    found = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)", period_text)
    if found is None:
        raise QuerySyntaxError(f"bin needs a period such as 5m, not {period_text!r}")
    period_ms = float(found.group(1)) * _PERIODS[found.group(2)] * 1000
    return lambda row: timestamp_text(math.floor(row["@timestamp"] / period_ms) * period_ms)


def _stats(tokens: Tokens, query: Query) -> Callable[[list[Row]], list[Row]]:
    aggregates: list[Aggregate] = []
    while True:
        start = tokens.at
        kind, name = tokens.take()
        function = name.lower()
        if kind != "name" or function not in ("count", "count_distinct", "sum", "avg", "min", "max"):
            raise QuerySyntaxError(f"stats needs an aggregate function, not {name!r}")
        tokens.expect("(")
        argument = None if tokens.symbol("*") else ExpressionParser(tokens).expression()
        tokens.expect(")")
        if argument is None and function != "count":
            raise QuerySyntaxError(f"{function}(*) is not allowed")
        aggregates.append(Aggregate(function, argument, _alias(tokens, _source(tokens, start))))
        if not tokens.symbol(","):
            break
    groups: list[tuple[str, Expr]] = []
    if tokens.word("by"):
        while True:
            start = tokens.at
            if tokens.peek()[1].lower() == "bin" and tokens.peek(1) == ("op", "("):
                tokens.take()
                tokens.expect("(")
                expr = _bin(tokens.take()[1])
                tokens.expect(")")
            else:
                expr = ExpressionParser(tokens).value()
            groups.append((_alias(tokens, _source(tokens, start)), expr))
            if not tokens.symbol(","):
                break
    query.stats = True
    query.shown = [name for name, _ in groups] + [a.alias for a in aggregates]

    def run(rows: list[Row]) -> list[Row]:
        buckets: dict[tuple[str, ...], tuple[Row, list[Row]]] = {}
        for row in rows:
            values = {name: expr(row) for name, expr in groups}
            if any(v is None for v in values.values()):
                continue
            key = tuple(str(values[name]) for name, _ in groups)
            buckets.setdefault(key, (values, []))[1].append(row)
        if not groups and not buckets:
            buckets[()] = ({}, [])
        result = []
        for _, (values, members) in sorted(buckets.items()):
            out = dict(values)
            for aggregate in aggregates:
                out[aggregate.alias] = _aggregate(aggregate, members)
            result.append(out)
        return result

    return run


def _aggregate(aggregate: Aggregate, rows: Iterable[Row]) -> Any:
    if aggregate.argument is None:
        return len(list(rows))
    values = [aggregate.argument(row) for row in rows]
    present = [v for v in values if v is not None]
    if aggregate.function == "count":
        return len(present)
    if aggregate.function == "count_distinct":
        return len({str(v) for v in present})
    numbers = [n for n in map(as_number, present) if n is not None]
    if not numbers:
        return None
    if aggregate.function == "sum":
        return sum(numbers)
    if aggregate.function == "avg":
        return sum(numbers) / len(numbers)
    return min(numbers) if aggregate.function == "min" else max(numbers)


def cell_text(value: Any, name: str) -> str:
    if name in ("@timestamp", "@ingestionTime") and isinstance(value, int | float):
        return timestamp_text(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def run(query: Query, events: list[Row]) -> list[list[dict[str, str]]]:
    """The result rows of `query` over `events` (already in the query's time range)."""
    rows = [event_fields(e) for e in events]
    # Newest first unless the query sorts (sorting is stable, so a sort on another field keeps this order).
    rows.sort(key=lambda row: (row["@timestamp"], row["@ptr"]), reverse=True)
    for stage in query.stages:
        rows = stage(rows)
    rows = rows[: query.limit or DEFAULT_LIMIT]
    shown = query.shown or ["@timestamp", "@message"]
    results = []
    for row in rows:
        cells = [{"field": n, "value": cell_text(row[n], n)} for n in shown if row.get(n) is not None]
        if not query.stats:
            cells.append({"field": "@ptr", "value": str(row["@ptr"])})
        results.append(cells)
    return results
