"""Metric math and statistic sets, without a server."""

from __future__ import annotations

import pytest

from millpond.services.cloudwatch import metric_math
from millpond.services.cloudwatch.aggregation import Aggregate, aligned_start, bucket_points, period_ok

GRID = (0, 60, 120, 180)
CONTEXT = metric_math.Context({"a": {0: 10.0, 60: 20.0, 180: 40.0}, "b": {0: 2.0, 60: 4.0}}, ("a", "b"), GRID)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("a + b", {0: 12.0, 60: 24.0}),
        ("a / b * 100", {0: 500.0, 60: 500.0}),
        ("-a + 1", {0: -9.0, 60: -19.0, 180: -39.0}),
        ("2 ^ 3 ^ 2 + a - a", {0: 512.0, 60: 512.0, 180: 512.0}),
        ("SUM([a, b])", {0: 12.0, 60: 24.0, 180: 40.0}),
        ("AVG(a)", {0: 70 / 3, 60: 70 / 3, 180: 70 / 3}),
        ("MAX([a, b]) - MIN([a, b])", {0: 8.0, 60: 16.0, 180: 0.0}),
        ("FILL(a, 0)", {0: 10.0, 60: 20.0, 120: 0.0, 180: 40.0}),
        ("FILL(a, REPEAT)", {0: 10.0, 60: 20.0, 120: 20.0, 180: 40.0}),
        ("FILL(a, LINEAR)", {0: 10.0, 60: 20.0, 120: 30.0, 180: 40.0}),
        ("a / (b - 2)", {60: 10.0}),  # division by zero leaves the point out
        ("SUM(METRICS())", {0: 12.0, 60: 24.0, 180: 40.0}),
    ],
)
def test_expressions(expression: str, expected: dict[int, float]) -> None:
    assert metric_math.evaluate(expression, CONTEXT) == pytest.approx(expected)


@pytest.mark.parametrize("expression", ["a +", "nope * 2", "[a, b]", "SUM(", "WHAT(a)"])
def test_bad_expressions(expression: str) -> None:
    with pytest.raises(metric_math.MathError):
        metric_math.evaluate(expression, CONTEXT)


def test_aggregate_statistics_and_percentiles() -> None:
    aggregate = Aggregate()
    for value in range(1, 101):
        aggregate.add(float(value))
    assert aggregate.statistic("SampleCount") == 100 and aggregate.statistic("Average") == 50.5
    assert aggregate.statistic("p50") == 50 and aggregate.statistic("p99") == 99
    assert aggregate.statistic("p100") == 100 and aggregate.statistic("p0") == 1
    many = Aggregate()
    for value in range(1, 10_001):
        many.add(float(value))
    assert len(many.histogram) <= 200  # folded into logarithmic buckets
    assert many.statistic("p90") == pytest.approx(9000, rel=0.03)
    merged = Aggregate()
    merged.merge(aggregate)
    merged.merge(many)
    assert merged.count == 10_100 and merged.maximum == 10_000
    sets_only = Aggregate()
    sets_only.add_set(4, 10, 1, 4)
    assert sets_only.statistic("Sum") == 10 and sets_only.statistic("p50") is None


def test_periods_and_buckets() -> None:
    assert all(period_ok(p) for p in (1, 5, 10, 20, 30, 60, 300, 3600))
    assert not any(period_ok(p) for p in (2, 45, 90))
    assert aligned_start(125.5, 60) == 120 and aligned_start(7.5, 5) == 5
    one = Aggregate()
    one.add(1.0)
    buckets = bucket_points([(120, "Count", one), (180, "Count", one), (300, "Count", one)], 120, 420, 120)
    assert {k: v.count for k, v in buckets.items()} == {(120, "Count"): 2, (360 - 120, "Count"): 1}
