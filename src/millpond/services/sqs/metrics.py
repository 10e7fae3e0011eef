"""What SQS counts for CloudWatch (AWS/SQS namespace, dimension QueueName): the interface the CloudWatch
service will implement, and an in-memory implementation the provider writes to until then.

Counted per queue: NumberOfMessagesSent, SentMessageSize (per message), NumberOfMessagesReceived,
NumberOfMessagesDeleted, NumberOfEmptyReceives. ApproximateAgeOfOldestMessage and the ApproximateNumberOf*
gauges are read from the queue when published (SqsProvider.queue_gauges).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

SENT = "NumberOfMessagesSent"
SENT_SIZE = "SentMessageSize"
RECEIVED = "NumberOfMessagesReceived"
DELETED = "NumberOfMessagesDeleted"
EMPTY_RECEIVES = "NumberOfEmptyReceives"


@dataclass(frozen=True, slots=True)
class QueueKey:
    account_id: str
    region: str
    queue_name: str


@dataclass
class Statistic:
    """A CloudWatch statistic set: SampleCount, Sum, Minimum, Maximum."""

    sample_count: int = 0
    total: float = 0.0
    minimum: float = float("inf")
    maximum: float = float("-inf")

    def add(self, value: float, count: int = 1) -> None:
        self.sample_count += count
        self.total += value * count
        self.minimum = min(self.minimum, value)
        self.maximum = max(self.maximum, value)


class SqsMetrics(Protocol):
    def record(self, queue: QueueKey, metric: str, value: float, count: int = 1) -> None:
        """Add `count` samples of `value` to the metric at the current time."""
        ...


class InMemorySqsMetrics:
    """Totals since start (or reset); the CloudWatch service replaces this with time-bucketed storage."""

    def __init__(self) -> None:
        self.totals: dict[QueueKey, dict[str, Statistic]] = defaultdict(lambda: defaultdict(Statistic))

    def record(self, queue: QueueKey, metric: str, value: float, count: int = 1) -> None:
        if count > 0:
            self.totals[queue][metric].add(value, count)

    def total(self, queue: QueueKey, metric: str) -> float:
        stat = self.totals.get(queue, {}).get(metric)
        return stat.total if stat else 0.0

    def reset(self) -> None:
        self.totals.clear()
