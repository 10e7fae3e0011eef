"""The event sources as the pollers see them: SQS queues and Kinesis shards, reached through their providers.

SQS goes through the provider's own operations (ReceiveMessage, DeleteMessageBatch), so visibility,
receive counts, redrive to the DLQ and FIFO group locking are exactly the queue's; waiting for messages uses
the queue's notifier. Kinesis reads shards through the provider's storage view and is woken by the
provider's `on_records` hook; the batches a mapping takes are counted in AWS/Kinesis as GetRecords calls.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.services.kinesis import sequence
from millpond.services.kinesis import shards as shard_rules
from millpond.services.kinesis.names import shard_id
from millpond.services.kinesis.provider import KinesisProvider
from millpond.services.kinesis.repository import Record, Shard, Stream
from millpond.services.lambda_.event_sources.params import SourceArn
from millpond.services.signal import Signal
from millpond.services.sqs.provider import SqsProvider
from millpond.services.sqs.queues import Queue

INTERNAL_ENDPOINT = "http://localhost"


@dataclass(frozen=True, slots=True)
class QueueInfo:
    fifo: bool
    visibility_timeout: int


class SqsSource:
    def __init__(self, provider: SqsProvider) -> None:
        self.provider = provider

    def _queue(self, arn: str) -> Queue | None:
        return self.provider.queues.find_by_arn(arn)

    def find(self, arn: str) -> QueueInfo | None:
        queue = self._queue(arn)
        return None if queue is None else QueueInfo(queue.fifo, queue.config.visibility_timeout)

    @staticmethod
    def _ctx(source: SourceArn, operation: str) -> RequestContext:
        return RequestContext(
            source.account_id, source.region, str(uuid.uuid4()), INTERNAL_ENDPOINT, "sqs", operation
        )

    @staticmethod
    def _url(source: SourceArn) -> str:
        return f"{INTERNAL_ENDPOINT}/{source.account_id}/{source.name}"

    async def receive(self, source: SourceArn, max_messages: int, wait_seconds: int) -> list[dict[str, Any]]:
        """ReceiveMessage as Lambda's pollers call it: every attribute, long polling up to `wait_seconds`."""
        params = {
            "QueueUrl": self._url(source),
            "MaxNumberOfMessages": max_messages,
            "WaitTimeSeconds": wait_seconds,
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        result = await self.provider.receive_message(self._ctx(source, "ReceiveMessage"), params)
        messages: list[dict[str, Any]] = result.get("Messages") or []
        return messages

    def version(self, source: SourceArn) -> tuple[int, int] | None:
        queue = self.provider.queues.find(source.account_id, source.region, source.name)
        return None if queue is None else self.provider.notifier.version(queue.id)

    async def wait(self, source: SourceArn, since: tuple[int, int], deadline: float) -> None:
        """Until a message may have arrived since `since`, or the clock reaches `deadline`."""
        queue = self.provider.queues.find(source.account_id, source.region, source.name)
        if queue is None:
            await self.provider.clock.sleep_until(deadline)
            return
        await self.provider.notifier.wait(queue.id, since, deadline)

    async def delete(self, source: SourceArn, handles: list[str]) -> None:
        for start in range(0, len(handles), 10):
            entries = [
                {"Id": str(index), "ReceiptHandle": handle}
                for index, handle in enumerate(handles[start : start + 10])
            ]
            params = {"QueueUrl": self._url(source), "Entries": entries}
            await self.provider.delete_message_batch(self._ctx(source, "DeleteMessageBatch"), params)


class KinesisSource:
    def __init__(self, provider: KinesisProvider, clock: Clock) -> None:
        self.provider = provider
        self.clock = clock
        self.signal = Signal(clock)
        provider.on_records.append(self.signal.notify)

    @property
    def _repo(self) -> Any:
        return self.provider.core.repo

    def find(self, source: SourceArn) -> Stream | None:
        stream: Stream | None = self._repo.find_stream(source.account_id, source.region, source.name)
        return stream

    def shards(self, stream: Stream) -> list[Shard]:
        horizon = shard_rules.trim_horizon(stream, self.clock.now())
        return shard_rules.retained(self._repo.shards(stream.pk), horizon)

    def read(
        self, stream: Stream, shard: int, after: int, min_arrival: float, limit: int, max_bytes: int
    ) -> list[Record]:
        horizon = shard_rules.trim_horizon(stream, self.clock.now())
        records: list[Record] = self._repo.read_records(
            stream.pk, shard, after, max(min_arrival, horizon), limit, max_bytes
        )
        return records

    def count_read(self, stream: Stream, shard: int, records: list[Record], latency_ms: float) -> None:
        """Count records the poller took in the stream's GetRecords metrics (and shard-level Outgoing*).

        On AWS a mapping's poller reads with GetRecords, so its reads show up in AWS/Kinesis like any other.
        """
        if not records:
            return
        now = self.clock.now()
        current: Stream | None = self._repo.stream_by_pk(stream.pk)
        enabled = current.shard_metrics if current is not None else stream.shard_metrics
        # As GetRecords counts them: data plus partition key bytes.
        size = sum(len(r.data) + len(r.partition_key.encode("utf-8")) for r in records)
        tail: tuple[int, float] | None = self._repo.shard_tail(stream.pk, shard)
        caught_up = tail is None or records[-1].position >= tail[0]
        # As GetRecords reports it: 0 once the read reached the shard's newest record.
        age = 0.0 if caught_up else max(0.0, (now - records[-1].arrival) * 1000)
        self.provider.core.metrics.get_records(
            stream, shard_id(shard), enabled, now, len(records), size, latency_ms, age
        )

    def latest_position(self) -> int:
        return int(self._repo.current_position())

    @staticmethod
    def sequence_number(stream: Stream, shard: int, record: Record) -> str:
        return sequence.encode(stream.created_at, shard, record.position, record.arrival)
