"""Logs Insights queries parsed and run over plain event rows (no server)."""

from __future__ import annotations

import json

import pytest

from millpond.services.logs import insights
from millpond.services.logs.metric_filters import (
    MetricFilter,
    checked_pattern,
    datapoints,
    parse_transformations,
)


def events(*messages: str, start: int = 1_700_000_000_000) -> list[dict[str, object]]:
    return [
        {
            "timestamp": start + i * 1000,
            "ingestion": start,
            "message": m,
            "stream": "s",
            "group": "g",
            "ptr": f"p{i}",
        }
        for i, m in enumerate(messages)
    ]


def table(text: str, rows: list[dict[str, object]]) -> list[dict[str, str]]:
    return [
        {c["field"]: c["value"] for c in row if c["field"] != "@ptr"}
        for row in insights.run(insights.parse(text), rows)
    ]


def test_default_fields_newest_first() -> None:
    assert table("limit 2", events("a", "b", "c")) == [
        {"@timestamp": "2023-11-14 22:13:22.000", "@message": "c"},
        {"@timestamp": "2023-11-14 22:13:21.000", "@message": "b"},
    ]


def test_filters_with_and_or_not_in_and_regex() -> None:
    rows = events(*(json.dumps({"n": n, "kind": k}) for n, k in [(1, "a"), (5, "b"), (9, "a"), (12, "c")]))
    assert [
        r["n"] for r in table('fields n | filter (n > 3 and kind = "a") or kind in ["c"] | sort n', rows)
    ] == [
        "9",
        "12",
    ]
    assert [r["n"] for r in table("fields n | filter not kind like /a|c/ ", rows)] == ["5"]
    assert [
        r["n"] for r in table("fields n | filter ispresent(kind) and n != 5 | sort n desc | limit 1", rows)
    ] == ["12"]


def test_stats_without_groups_and_count_distinct() -> None:
    rows = events(*(json.dumps({"user": u, "ms": ms}) for u, ms in [("x", 10), ("y", 20), ("x", 60)]))
    assert table("stats count(*) as n, count_distinct(user) as users, max(ms), min(ms) as low", rows) == [
        {"n": "3", "users": "2", "max(ms)": "60", "low": "10"}
    ]


def test_lambda_report_lines_are_discovered() -> None:
    report = (
        "REPORT RequestId: r-1\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 40 MB\t"
    )
    assert table(
        "filter @type = 'REPORT' | stats avg(@duration) as mean, max(@maxMemoryUsed) as mem",
        events(report, "x"),
    ) == [{"mean": "12.5", "mem": "40"}]


def test_parse_with_a_regex_and_dedup() -> None:
    rows = events("user=ann action=login", "user=bob action=login", "user=ann action=logout")
    assert table(
        r"parse @message /user=(?<who>\w+) action=(?<what>\w+)/ | dedup who | display who, what | sort who",
        rows,
    ) == [
        {"who": "ann", "what": "logout"},
        {"who": "bob", "what": "login"},
    ]


@pytest.mark.parametrize(
    "text", ["", "frobnicate x", "stats nope(x)", "limit lots", "filter x like", "stats sum(*)", "fields a |"]
)
def test_malformed_queries_are_refused(text: str) -> None:
    with pytest.raises(insights.QuerySyntaxError):
        insights.run(insights.parse(text), [])


def test_metric_filter_on_delimited_fields_and_default_value() -> None:
    pattern = "[ip, user, status=5*, bytes]"
    metric_filter = MetricFilter(
        "g",
        "f",
        pattern,
        parse_transformations([{"metricName": "Bytes", "metricNamespace": "Web", "metricValue": "$bytes"}]),
        0,
    )
    points = list(
        datapoints(
            metric_filter,
            checked_pattern(pattern),
            [(1000, "1.2.3.4 ann 503 120"), (2000, "1.2.3.4 ann 200 5")],
        )
    )
    assert [(p.value, p.timestamp) for p in points] == [(120.0, 1.0)]
    with_default = MetricFilter(
        "g",
        "f",
        "ERROR",
        parse_transformations(
            [{"metricName": "E", "metricNamespace": "N", "metricValue": "1", "defaultValue": 0}]
        ),
        0,
    )
    assert [
        p.value for p in datapoints(with_default, checked_pattern("ERROR"), [(1, "fine"), (2, "ok")])
    ] == [0.0]
