"""What SQS's groups of message operations share: storage, the queue directory, long-poll wake-ups,
the clock and the metrics sink."""

from __future__ import annotations

from millpond.clock import Clock
from millpond.services.signal import Signal
from millpond.services.sqs import metrics
from millpond.services.sqs.queues import QueueDirectory
from millpond.services.sqs.repository import SqsRepository


class QueueOperations:
    def __init__(
        self,
        repository: SqsRepository,
        directory: QueueDirectory,
        notifier: Signal,
        clock: Clock,
        sink: metrics.SqsMetrics,
    ) -> None:
        self.repository = repository
        self.directory = directory
        self.notifier = notifier
        self.clock = clock
        self.sink = sink
