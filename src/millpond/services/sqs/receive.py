"""ReceiveMessage: one storage transaction per attempt (pick, dead-letter, mark in flight), long polling that
answers as soon as at least one message is available, and the messages as AWS shapes them (system attributes
on request, the selected message attributes with their MD5, a new receipt handle per receive).

A long poll waits on the queue's notifier (sends, visibility set to 0, dead-lettered arrivals) and on the
clock (the next time a delayed or in-flight message becomes visible, or its own deadline); never a polling
loop.
"""

from __future__ import annotations

from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.services.signal import Signal
from millpond.services.sqs import metrics
from millpond.services.sqs.fifo import DEDUPLICATION_WINDOW_SECONDS
from millpond.services.sqs.md5 import md5_of_attributes, md5_of_body
from millpond.services.sqs.message_attributes import select_attributes
from millpond.services.sqs.operations import QueueOperations
from millpond.services.sqs.queues import Queue, QueueDirectory
from millpond.services.sqs.receipts import issue_receipt_handle
from millpond.services.sqs.receive_params import resolve_system_attribute_names, validate_receive_params
from millpond.services.sqs.repository import DeadLetterTarget, ReceiveRequest, SqsRepository, StoredMessage


def _millis(seconds: float) -> str:
    return str(int(seconds * 1000))


def system_attributes(message: StoredMessage, wanted: tuple[str, ...]) -> dict[str, str]:
    """The message system attributes asked for (all values strings; timestamps in epoch milliseconds)."""
    values: dict[str, str | None] = {
        "SenderId": message.system_attributes.get("SenderId"),
        "SentTimestamp": _millis(message.sent_at),
        "ApproximateReceiveCount": str(message.receive_count),
        "ApproximateFirstReceiveTimestamp": _millis(message.first_received_at or message.sent_at),
        "SequenceNumber": message.sequence_number,
        "MessageDeduplicationId": message.dedup_id,
        "MessageGroupId": message.group_id,
        "AWSTraceHeader": message.system_attributes.get("AWSTraceHeader"),
        "DeadLetterQueueSourceArn": message.source_arn,
    }
    return {name: value for name in wanted if (value := values.get(name)) is not None}


def shape_message(
    queue: Queue, message: StoredMessage, wanted_system: tuple[str, ...], attribute_names: list[str] | None
) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "MessageId": message.message_id,
        "ReceiptHandle": issue_receipt_handle(queue.arn, message.message_id, message.receive_count),
        "MD5OfBody": md5_of_body(message.body),
        "Body": message.body,
    }
    if wanted_system:
        found = system_attributes(message, wanted_system)
        if found:
            shaped["Attributes"] = found
    selected = select_attributes(message.attributes, attribute_names)
    if selected:
        # The MD5 covers only the attributes returned, as AWS computes it.
        shaped["MD5OfMessageAttributes"] = md5_of_attributes(selected)
        shaped["MessageAttributes"] = {name: value.to_wire() for name, value in selected.items()}
    return shaped


class Receiver(QueueOperations):
    def __init__(
        self,
        repository: SqsRepository,
        directory: QueueDirectory,
        notifier: Signal,
        clock: Clock,
        sink: metrics.SqsMetrics,
    ) -> None:
        super().__init__(repository, directory, notifier, clock, sink)
        self.closing = False
        # FIFO ReceiveRequestAttemptId: a retry within 5 minutes gets the same answer (per node).
        self._attempts: dict[tuple[int, str], tuple[float, dict[str, Any]]] = {}

    def reset(self) -> None:
        self._attempts.clear()

    def _dead_letter(self, queue: Queue) -> DeadLetterTarget | None:
        policy = queue.config.redrive_policy
        if policy is None:
            return None
        target = self.directory.find_by_arn(policy.dead_letter_target_arn)
        if target is None:
            return None
        return DeadLetterTarget(
            queue_id=target.id,
            max_receive_count=policy.max_receive_count,
            source_arn=queue.arn,
            fifo=target.fifo,
            retention_seconds=target.config.message_retention_period,
        )

    async def receive_message(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.directory.resolve(ctx, params)
        checked = validate_receive_params(
            max_number_of_messages=params.get("MaxNumberOfMessages"),
            wait_time_seconds=params.get("WaitTimeSeconds"),
            visibility_timeout=params.get("VisibilityTimeout"),
            receive_request_attempt_id=params.get("ReceiveRequestAttemptId"),
            queue_wait_time_seconds=queue.config.receive_message_wait_time_seconds,
            queue_visibility_timeout=queue.config.visibility_timeout,
            fifo_queue=queue.fifo,
        )
        wanted_system = resolve_system_attribute_names(
            params.get("AttributeNames"), params.get("MessageSystemAttributeNames")
        )
        attempt_key = (
            (queue.id, checked.receive_request_attempt_id) if checked.receive_request_attempt_id else None
        )
        if attempt_key is not None:
            previous = self._attempts.get(attempt_key)
            if previous is not None and self.clock.now() < previous[0] + DEDUPLICATION_WINDOW_SECONDS:
                return previous[1]
        key = queue.metrics_key
        deadline = self.clock.now() + checked.wait_time_seconds
        while True:
            since = self.notifier.version(queue.id)
            now = self.clock.now()
            request = ReceiveRequest(
                queue_id=queue.id,
                now=now,
                max_messages=checked.max_number_of_messages,
                visibility_timeout=checked.visibility_timeout,
                fifo=queue.fifo,
                dead_letter=self._dead_letter(queue),
            )
            outcome = await self.repository.receive_messages(request)
            if outcome.dead_lettered and request.dead_letter is not None:
                self.notifier.notify(request.dead_letter.queue_id)
            if outcome.messages or self.closing or now >= deadline:
                break
            wake = deadline
            upcoming = self.repository.next_visible_at(queue.id, now)
            if upcoming is not None:
                wake = min(wake, upcoming)
            await self.notifier.wait(queue.id, since, wake)
            if self.closing:
                break
            current = self.directory.find(queue.record.account_id, queue.record.region, queue.name)
            if current is None or current.id != queue.id:
                break  # deleted while we waited
            queue = current
        if not outcome.messages:
            self.sink.record(key, metrics.EMPTY_RECEIVES, 1)
            return {}
        self.sink.record(key, metrics.RECEIVED, 1, count=len(outcome.messages))
        names = params.get("MessageAttributeNames")
        result = {"Messages": [shape_message(queue, m, wanted_system, names) for m in outcome.messages]}
        if attempt_key is not None:
            self._attempts[attempt_key] = (self.clock.now(), result)
        return result
