"""Metric filters: a filter pattern and up to one metric transformation, turned into CloudWatch datapoints
as matching events arrive.

A transformation's metricValue is a number ("1") or a selector (`$.latency`, `$size`) read from each
matching event; its dimensions map names to selectors. When a batch of events has no match, defaultValue
(if set) is published once for that batch, as AWS does "during periods when logs are ingested but no
matching logs are found". Datapoints carry the event's timestamp.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from millpond.errors import AwsError
from millpond.services.logs.filter_pattern import Matcher, compile_pattern, field_value

FILTER_NAME = re.compile(r"^[^:*]{1,512}$")
MAX_METRIC_FILTERS = 100  # per log group
MAX_DIMENSIONS = 3
UNITS = (
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
)


@dataclass(frozen=True, slots=True)
class MetricTransformation:
    metric_name: str
    namespace: str
    value: str
    default_value: float | None = None
    dimensions: dict[str, str] = field(default_factory=dict)
    unit: str | None = None

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "metricName": self.metric_name,
            "metricNamespace": self.namespace,
            "metricValue": self.value,
        }
        if self.default_value is not None:
            described["defaultValue"] = self.default_value
        if self.dimensions:
            described["dimensions"] = dict(self.dimensions)
        if self.unit is not None:
            described["unit"] = self.unit
        return described


@dataclass(frozen=True, slots=True)
class MetricFilter:
    group: str
    name: str
    pattern: str
    transformations: tuple[MetricTransformation, ...]
    created: int

    def describe(self) -> dict[str, Any]:
        return {
            "filterName": self.name,
            "filterPattern": self.pattern,
            "metricTransformations": [t.describe() for t in self.transformations],
            "creationTime": self.created,
            "logGroupName": self.group,
            "applyOnTransformedLogs": False,
        }


@dataclass(frozen=True, slots=True)
class Datapoint:
    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    value: float
    unit: str
    timestamp: float  # seconds


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def checked_pattern(pattern: str | None) -> Matcher:
    try:
        return compile_pattern(pattern)
    except ValueError:
        raise invalid("Invalid metric filter pattern") from None


def _selector(text: str) -> bool:
    return text.startswith("$")


def parse_transformations(raw: list[dict[str, Any]]) -> tuple[MetricTransformation, ...]:
    if len(raw) != 1:
        # The model allows a list; AWS takes exactly one transformation per metric filter.
        raise invalid("Only one metric transformation is allowed per metric filter")
    parsed = []
    for item in raw:
        value = str(item["metricValue"]).strip()
        if not _selector(value):
            try:
                float(value)
            except ValueError:
                raise invalid(f"Invalid metric value: {value}") from None
        dimensions = {str(k): str(v) for k, v in (item.get("dimensions") or {}).items()}
        if len(dimensions) > MAX_DIMENSIONS:
            raise invalid(f"A metric filter can have at most {MAX_DIMENSIONS} dimensions")
        if dimensions and item.get("defaultValue") is not None:
            raise invalid("Metric filters with dimensions cannot have a default value")
        for name, selector in dimensions.items():
            if not _selector(selector):
                raise invalid(f"Invalid dimension value for {name}: it must be a field selector ($...)")
        unit = item.get("unit")
        if unit is not None and unit not in UNITS:
            raise invalid(f"Invalid unit: {unit}")
        default = item.get("defaultValue")
        parsed.append(
            MetricTransformation(
                str(item["metricName"]),
                str(item["metricNamespace"]),
                value,
                None if default is None else float(default),
                dimensions,
                unit,
            )
        )
    return tuple(parsed)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def datapoints(
    metric_filter: MetricFilter, matcher: Matcher, events: list[tuple[int, str]]
) -> Iterator[Datapoint]:
    """The datapoints one batch of (epoch ms, message) events gives this filter."""
    matched = False
    for stamp, message in events:
        if not matcher(message):
            continue
        matched = True
        for t in metric_filter.transformations:
            raw = field_value(metric_filter.pattern, message, t.value) if _selector(t.value) else t.value
            value = _number(raw)
            if value is None:
                continue  # AWS skips an event whose selected value is not a number
            dimensions = []
            for name, selector in sorted(t.dimensions.items()):
                picked = field_value(metric_filter.pattern, message, selector)
                if picked is not None:
                    dimensions.append((name, str(picked)))
            if len(dimensions) < len(t.dimensions):
                continue  # a dimension's field is missing from the event: no datapoint
            yield Datapoint(
                t.namespace, t.metric_name, tuple(dimensions), value, t.unit or "None", stamp / 1000
            )
    if not matched and events:
        for t in metric_filter.transformations:
            if t.default_value is not None:
                stamp = events[-1][0]
                yield Datapoint(
                    t.namespace, t.metric_name, (), t.default_value, t.unit or "None", stamp / 1000
                )
