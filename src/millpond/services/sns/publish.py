"""Publish and PublishBatch: validate, pick the subscriptions whose filter policy passes, and store the
message with its deliveries in one transaction (FIFO: deduplicated over five minutes of the clock, with
the topic's next sequence number); the deliverer is woken once the publish is committed."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError, not_implemented
from millpond.services.sns import filter_policy, messages
from millpond.services.sns.common import invalid
from millpond.services.sns.metrics import SnsMetrics
from millpond.services.sns.repository import Dedup, Record, SnsRepository
from millpond.services.sns.topics import Topics

BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
MAX_BATCH = 10


def passes(subscription: Record, message: str, attributes: dict[str, dict[str, Any]]) -> bool:
    """Whether the subscription's filter policy lets the message through (no policy: always)."""
    text = subscription["Attributes"].get("FilterPolicy")
    if not text:
        return True
    scope = subscription["Attributes"].get("FilterPolicyScope", "MessageAttributes")
    try:
        policy = filter_policy.parse(text, scope)
    except filter_policy.FilterPolicyError:
        return False
    if scope == "MessageBody":
        return filter_policy.matches_body(policy, message)
    return filter_policy.matches_attributes(policy, attributes)


class Publisher:
    def __init__(
        self,
        repository: SnsRepository,
        clock: Clock,
        topics: Topics,
        wake: Callable[[], None],
        metrics: SnsMetrics | None = None,
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.topics = topics
        self.wake = wake
        self.metrics = metrics

    def _topic_for(self, params: dict[str, Any]) -> Record:
        if params.get("PhoneNumber"):
            raise not_implemented("SNS", "Publish to a phone number (SMS)")
        arn = params.get("TopicArn") or params.get("TargetArn")
        if not arn:
            raise invalid("TopicArn or TargetArn Reason: no value for required parameter")
        if params.get("TopicArn") and params.get("TargetArn"):
            raise invalid("TopicArn Reason: Only one of TopicArn or TargetArn may be specified")
        if ":endpoint/" in str(arn):
            raise not_implemented("SNS", "Publish to a platform endpoint")
        return self.topics.topic(arn)

    async def _publish_one(self, ctx: RequestContext, topic: Record, entry: dict[str, Any]) -> dict[str, Any]:
        fifo = topic["Fifo"]
        content_dedup = topic["Attributes"].get("ContentBasedDeduplication", "false").lower() == "true"
        text, subject, group, dedup_id = messages.check_message(entry, fifo, content_dedup)
        if group is not None and not fifo:
            raise invalid(
                "MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for "
                "this topic type"
            )
        attributes = messages.check_attributes(entry.get("MessageAttributes") or {})
        size = len(text.encode()) + messages.attributes_size(attributes)
        if size > messages.MAX_MESSAGE_BYTES:
            raise invalid("Message too long")
        now = self.clock.now()
        message: Record = {
            "Type": "Notification",
            "MessageId": str(uuid.uuid4()),
            "TopicArn": topic["TopicArn"],
            "Message": text,
            "Subject": subject,
            "MessageStructure": entry.get("MessageStructure"),
            "MessageAttributes": attributes,
            "Timestamp": now,
            "Endpoint": ctx.endpoint_url,
            "SignatureVersion": topic["Attributes"].get("SignatureVersion", "1"),
        }
        dedup = None
        if fifo:
            key = dedup_id if dedup_id is not None else messages.content_dedup_id(text)
            message["MessageGroupId"] = group
            message["MessageDeduplicationId"] = key
            dedup = Dedup(key, now + messages.DEDUP_WINDOW)
        targets = [
            s["SubscriptionArn"]
            for s in self.repository.subscriptions_of(topic["TopicArn"])
            if not s["PendingConfirmation"] and passes(s, text, attributes)
        ]
        message_id, sequence = await self.repository.publish(topic["TopicArn"], message, targets, dedup, now)
        if targets:
            self.wake()
        if self.metrics is not None:
            self.metrics.published(topic, size, now)
        result: dict[str, Any] = {"MessageId": message_id}
        if sequence is not None:
            result["SequenceNumber"] = f"{sequence:020d}"
        return result

    async def publish(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic_for(params)
        return await self._publish_one(ctx, topic, params)

    async def publish_batch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self.topics.topic(params.get("TopicArn"))
        entries = list(params.get("PublishBatchRequestEntries") or [])
        if not entries:
            raise AwsError("EmptyBatchRequestException", "The batch request doesn't contain any entries")
        if len(entries) > MAX_BATCH:
            raise AwsError(
                "TooManyEntriesInBatchRequestException",
                "The batch request contains more entries than permissible.",
            )
        ids = [str(entry.get("Id", "")) for entry in entries]
        if len(set(ids)) != len(ids):
            raise AwsError(
                "BatchEntryIdsNotDistinctException",
                "Two or more batch entries in the request have the same Id.",
            )
        if any(not BATCH_ID.match(i) for i in ids):
            raise AwsError(
                "InvalidBatchEntryIdException",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                "It can be at most 80 letters long.",
            )
        total = sum(len(str(e.get("Message") or "").encode()) for e in entries)
        if total > messages.MAX_MESSAGE_BYTES:
            raise AwsError(
                "BatchRequestTooLongException",
                "The length of all the messages put together is more than the limit.",
            )
        successful: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for entry in entries:
            try:
                published = await self._publish_one(ctx, topic, entry)
            except AwsError as error:
                code = {"InvalidParameterException": "InvalidParameter"}.get(error.code, error.code)
                code = {"InvalidParameterValueException": "ParameterValueInvalid"}.get(code, code)
                failed.append(
                    {"Id": entry["Id"], "Code": code, "Message": error.message, "SenderFault": True}
                )
                continue
            successful.append({"Id": entry["Id"], **published})
        return {"Successful": successful, "Failed": failed}
