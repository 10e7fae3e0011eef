"""SendMessage and SendMessageBatch: validate each message (messages.validate_send), store them in one
transaction, wake the queue's long polls, and answer with the MD5s AWS computes.

Batch entries fail one by one into `Failed`, except where AWS fails the whole request: an entry over the
queue's MaximumMessageSize fails the request on FIFO queues but only that entry on standard queues, and on
FIFO queues an entry without MessageGroupId (or without MessageDeduplicationId when content-based
deduplication is off) fails the request (AWS-recorded). `Failed` is left out when nothing failed.
"""

from __future__ import annotations

from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.ids import random_uuid
from millpond.services.sqs import batches, metrics
from millpond.services.sqs.messages import OutgoingMessage, validate_send
from millpond.services.sqs.operations import QueueOperations
from millpond.services.sqs.queues import Queue
from millpond.services.sqs.repository import FifoSend, NewMessage, SentMessage

_OVERSIZE_PREFIX = "One or more parameters are invalid. Reason: Message must be shorter than"


class Sender(QueueOperations):
    def _new_message(
        self, ctx: RequestContext, queue: Queue, message: OutgoingMessage, now: float
    ) -> NewMessage:
        # SenderId is the caller's IAM user id; keys millpond did not issue act as the account root.
        system = {"SenderId": ctx.account_id}
        trace = message.system_attributes.get("AWSTraceHeader")
        if trace is not None and trace.string_value is not None:
            system["AWSTraceHeader"] = trace.string_value
        return NewMessage(
            message_id=random_uuid(),
            body=message.body,
            attributes=message.attributes,
            system_attributes=system,
            size=message.size,
            sent_at=now,
            visible_at=now + message.delay_seconds,
            expires_at=now + queue.config.message_retention_period,
            group_id=message.message_group_id,
            dedup_id=message.message_deduplication_id,
        )

    async def _store(self, queue: Queue, messages: list[NewMessage], now: float) -> list[SentMessage]:
        fifo = FifoSend(queue.config.deduplication_scope, now) if queue.fifo else None
        sent = await self.repository.send_messages(queue.id, messages, fifo)
        self.notifier.notify(queue.id)
        key = queue.metrics_key
        for message, result in zip(messages, sent, strict=True):
            if not result.duplicate:
                self.sink.record(key, metrics.SENT, 1)
                self.sink.record(key, metrics.SENT_SIZE, message.size)
        return sent

    async def send_message(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.directory.resolve(ctx, params)
        message = validate_send(
            queue.send_rules,
            body=params.get("MessageBody"),
            delay_seconds=params.get("DelaySeconds"),
            message_attributes=params.get("MessageAttributes"),
            message_system_attributes=params.get("MessageSystemAttributes"),
            message_group_id=params.get("MessageGroupId"),
            message_deduplication_id=params.get("MessageDeduplicationId"),
        )
        now = self.clock.now()
        (sent,) = await self._store(queue, [self._new_message(ctx, queue, message, now)], now)
        return _result(message, sent)

    async def send_message_batch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.directory.resolve(ctx, params)
        entries: list[dict[str, Any]] = params.get("Entries") or []
        batches.validate_batch_entries(entries, batches.SEND_ENTRY)
        batches.check_batch_size(entries)
        if queue.fifo:
            _check_fifo_entries(queue, entries)
        now = self.clock.now()
        failed: list[dict[str, Any]] = []
        accepted: list[tuple[str, OutgoingMessage]] = []
        for index, entry in enumerate(entries, start=1):
            try:
                if not entry.get("MessageBody"):
                    raise batches.empty_entry_body(index)
                message = validate_send(
                    queue.send_rules,
                    body=entry.get("MessageBody"),
                    delay_seconds=entry.get("DelaySeconds"),
                    message_attributes=entry.get("MessageAttributes"),
                    message_system_attributes=entry.get("MessageSystemAttributes"),
                    message_group_id=entry.get("MessageGroupId"),
                    message_deduplication_id=entry.get("MessageDeduplicationId"),
                    in_batch=True,
                )
            except AwsError as error:
                # local-sqs observation: on FIFO queues an oversized entry fails the whole request.
                if queue.fifo and error.message.startswith(_OVERSIZE_PREFIX):
                    raise
                failed.append(batches.failed_entry(entry["Id"], error))
                continue
            accepted.append((entry["Id"], message))
        successful: list[dict[str, Any]] = []
        if accepted:
            new = [self._new_message(ctx, queue, message, now) for _, message in accepted]
            sent = await self._store(queue, new, now)
            for (entry_id, message), result in zip(accepted, sent, strict=True):
                successful.append({"Id": entry_id, **_result(message, result)})
        return {"Successful": successful, "Failed": failed} if failed else {"Successful": successful}


def _check_fifo_entries(queue: Queue, entries: list[dict[str, Any]]) -> None:
    if any(not entry.get("MessageGroupId") for entry in entries):
        raise AwsError(
            "MissingRequiredParameterException", "The request must contain the parameter MessageGroupId."
        )
    if not queue.config.content_based_deduplication and any(
        not entry.get("MessageDeduplicationId") for entry in entries
    ):
        raise AwsError(
            "InvalidParameterValueException",
            "The queue should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly",
        )


def _result(message: OutgoingMessage, sent: SentMessage) -> dict[str, Any]:
    result: dict[str, Any] = {"MessageId": sent.message_id, "MD5OfMessageBody": message.md5_of_body}
    md5_attributes = message.md5_of_message_attributes
    if md5_attributes is not None:
        result["MD5OfMessageAttributes"] = md5_attributes
    md5_system = message.md5_of_message_system_attributes
    if md5_system is not None:
        result["MD5OfMessageSystemAttributes"] = md5_system
    if sent.sequence_number is not None:
        result["SequenceNumber"] = sent.sequence_number
    return result
