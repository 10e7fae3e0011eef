"""Statistic sets and the statistics computed from them: SampleCount, Sum, Average, Minimum, Maximum and
percentiles (pNN) from a compact value histogram; periods and their buckets.

An Aggregate keeps exact (value, count) pairs while there are few distinct values, and folds them into
logarithmic buckets (about 2.5% wide) beyond that: percentiles stay exact for small samples and within a
few percent for large ones. AWS's percentiles are approximations too. Data given only as StatisticValues
adds no histogram entries, so percentiles over it are unavailable, as on AWS.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

MAX_DISTINCT = 128
_LOG_BASE = math.log(1.05)
STANDARD_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d{1,10})?|100(\.0{1,10})?)$")
HIGH_RES_PERIODS = (1, 5, 10, 20, 30)


def _bucket(value: float) -> float:
    if value == 0:
        return 0.0
    magnitude = abs(value)
    index = math.floor(math.log(magnitude) / _LOG_BASE)
    representative = math.exp((index + 0.5) * _LOG_BASE)
    return math.copysign(representative, value)


@dataclass(slots=True)
class Aggregate:
    count: float = 0.0
    total: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf
    # value -> count; `hist_count` is how much of `count` it describes (less when StatisticValues were sent).
    histogram: dict[float, float] = field(default_factory=dict)
    hist_count: float = 0.0

    def add(self, value: float, count: float = 1.0) -> None:
        if count <= 0:
            return
        self.count += count
        self.total += value * count
        self.minimum = min(self.minimum, value)
        self.maximum = max(self.maximum, value)
        self.histogram[value] = self.histogram.get(value, 0.0) + count
        self.hist_count += count
        self._compact()

    def add_set(self, count: float, total: float, minimum: float, maximum: float) -> None:
        self.count += count
        self.total += total
        self.minimum = min(self.minimum, minimum)
        self.maximum = max(self.maximum, maximum)

    def merge(self, other: Aggregate) -> None:
        self.add_set(other.count, other.total, other.minimum, other.maximum)
        for value, count in other.histogram.items():
            self.histogram[value] = self.histogram.get(value, 0.0) + count
        self.hist_count += other.hist_count
        self._compact()

    def _compact(self) -> None:
        if len(self.histogram) <= MAX_DISTINCT:
            return
        folded: dict[float, float] = {}
        for value, count in self.histogram.items():
            key = _bucket(value)
            folded[key] = folded.get(key, 0.0) + count
        self.histogram = folded

    def percentile(self, p: float) -> float | None:
        if self.count <= 0 or self.hist_count < self.count or not self.histogram:
            return None
        if p <= 0:
            return self.minimum
        if p >= 100:
            return self.maximum
        rank = p / 100.0 * self.hist_count
        running = 0.0
        for value in sorted(self.histogram):
            running += self.histogram[value]
            if running >= rank - 1e-9:
                return min(max(value, self.minimum), self.maximum)
        return self.maximum

    def statistic(self, name: str) -> float | None:
        """The value of a statistic (standard or pNN); None when it cannot be computed."""
        if self.count <= 0:
            return None
        if name == "SampleCount":
            return self.count
        if name == "Sum":
            return self.total
        if name == "Average":
            return self.total / self.count
        if name == "Minimum":
            return self.minimum
        if name == "Maximum":
            return self.maximum
        if PERCENTILE.match(name):
            return self.percentile(float(name[1:]))
        return None

    # -- storage form ---------------------------------------------------------------------------------------
    def histogram_json(self) -> list[list[float]]:
        return [[value, count] for value, count in sorted(self.histogram.items())]

    @staticmethod
    def from_row(
        count: float, total: float, minimum: float, maximum: float, pairs: Any, hist_count: float
    ) -> Aggregate:
        histogram = {float(value): float(n) for value, n in pairs or []}
        return Aggregate(count, total, minimum, maximum, histogram, hist_count)


def statistic_name(stat: str) -> str | None:
    """The canonical name of a statistic AWS accepts here (standard names and pNN), else None."""
    if stat in STANDARD_STATISTICS:
        return stat
    lowered = stat.lower()
    if PERCENTILE.match(lowered):
        return lowered
    return None


def period_ok(period: int) -> bool:
    return period in HIGH_RES_PERIODS or (period >= 60 and period % 60 == 0)


def resolutions_for(period: int) -> tuple[int, ...]:
    """The stored resolutions that can answer a period: 1 s rows below a minute, else the coarser ones."""
    if period < 60:
        return (1,)
    return tuple(r for r in (60, 300, 3600) if period % r == 0)


def aligned_start(start: float, period: int) -> int:
    """AWS rounds StartTime down: to the period below a minute, to the minute otherwise."""
    step = period if period < 60 else 60
    return int(math.floor(start / step) * step)


def bucket_points(
    points: list[tuple[int, str, Aggregate]], start: int, end: float, period: int
) -> dict[tuple[int, str], Aggregate]:
    """Merge stored rows (timestamp, unit, aggregate) into period buckets keyed by (bucket start, unit)."""
    buckets: dict[tuple[int, str], Aggregate] = {}
    for timestamp, unit, aggregate in points:
        if timestamp < start or timestamp >= end:
            continue
        bucket = start + (timestamp - start) // period * period
        target = buckets.setdefault((bucket, unit), Aggregate())
        target.merge(aggregate)
    return buckets


def datapoint_count(start: float, end: float, period: int) -> int:
    return max(0, math.ceil((end - start) / period))
