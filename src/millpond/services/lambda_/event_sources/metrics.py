"""What event source mappings count for CloudWatch, behind a small interface CloudWatch will implement.

AWS/Lambda publishes IteratorAge (stream mappings, milliseconds) and ConcurrentExecutions per function; the
per-mapping counts (invocations, events polled, filtered out, failed) are what MetricsConfig's EventCount
family reports.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol


class EventSourceMetrics(Protocol):
    def invocation(self, uuid: str, function: str, events: int, *, error: bool) -> None: ...

    def filtered_out(self, uuid: str, events: int) -> None: ...

    def iterator_age(self, uuid: str, function: str, milliseconds: float) -> None: ...

    def concurrency(self, function: str, in_flight: int) -> None: ...


class InMemoryEventSourceMetrics:
    """Counters kept in memory until the CloudWatch service takes them over."""

    def __init__(self) -> None:
        self.invocations: dict[str, int] = defaultdict(int)
        self.errors: dict[str, int] = defaultdict(int)
        self.events: dict[str, int] = defaultdict(int)
        self.filtered: dict[str, int] = defaultdict(int)
        self.iterator_ages: dict[str, float] = {}
        self.max_concurrency: dict[str, int] = defaultdict(int)

    def invocation(self, uuid: str, function: str, events: int, *, error: bool) -> None:
        self.invocations[uuid] += 1
        self.events[uuid] += events
        if error:
            self.errors[uuid] += 1

    def filtered_out(self, uuid: str, events: int) -> None:
        self.filtered[uuid] += events

    def iterator_age(self, uuid: str, function: str, milliseconds: float) -> None:
        self.iterator_ages[uuid] = milliseconds

    def concurrency(self, function: str, in_flight: int) -> None:
        self.max_concurrency[function] = max(self.max_concurrency[function], in_flight)

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]
