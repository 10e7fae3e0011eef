"""The deliverer: takes due deliveries from the durable outbox, in publish order, and hands each to its
endpoint: one subscription's deliveries one after another (one task per subscription at a time, so a
slow endpoint holds back only its own), subscriptions side by side (up to MAX_IN_FLIGHT).

SQS and Lambda deliveries that fail (the queue or function is gone) go to the subscription's redrive
DLQ at once; HTTP/S deliveries are retried on the clock per the effective delivery policy (AWS's default:
three retries 20 s apart), then go to the DLQ. A delivery that ends is removed from the outbox; one that
was taken but not ended before a crash is delivered again after restart (at least once, as on AWS).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import uuid
from typing import Any

from millpond.clock import Clock
from millpond.services.signal import Signal
from millpond.services.sns import messages
from millpond.services.sns.metrics import SnsMetrics
from millpond.services.sns.repository import Delivery, Record, SnsRepository
from millpond.services.sns.signing import Signer
from millpond.services.sns.status_log import DeliveryStatus
from millpond.services.sns.subscriptions import retry_policy
from millpond.services.sns.targets import DeliveryFailed, Targets

log = logging.getLogger("millpond.sns")
KEY = "sns-outbox"
BATCH = 200
MAX_IN_FLIGHT = 64  # subscriptions being delivered to at once


def retry_delay(policy: dict[str, Any], attempt: int) -> float | None:
    """Seconds before retry number `attempt` (1-based), or None once the policy's retries are used up."""
    retries = int(policy.get("numRetries", 3))
    if attempt > retries:
        return None
    low, high = float(policy.get("minDelayTarget", 20)), float(policy.get("maxDelayTarget", 20))
    no_delay = int(policy.get("numNoDelayRetries", 0))
    at_min = int(policy.get("numMinDelayRetries", 0))
    at_max = int(policy.get("numMaxDelayRetries", 0))
    if attempt <= no_delay:
        return 0.0
    if attempt <= no_delay + at_min:
        return low
    backoff = max(0, retries - no_delay - at_min - at_max)
    step = attempt - no_delay - at_min
    if step > backoff:
        return high
    if backoff <= 1:
        return high if step == backoff else low
    fraction = (step - 1) / (backoff - 1)
    function = policy.get("backoffFunction", "linear")
    if function == "exponential":
        return low * (high / low) ** fraction if low > 0 else high * fraction
    if function == "geometric":
        return low + (high - low) * fraction**2
    if function == "arithmetic":
        return low + (high - low) * fraction**0.5
    return low + (high - low) * fraction


class Deliverer:
    def __init__(
        self,
        repository: SnsRepository,
        clock: Clock,
        signer: Signer,
        targets: Targets,
        metrics: SnsMetrics | None = None,
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.signer = signer
        self.targets = targets
        self.metrics = metrics
        self.signal = Signal(clock)
        self._task: asyncio.Task[None] | None = None
        self._in_flight: dict[str, asyncio.Task[None]] = {}  # subscription ARN -> its delivery task
        self.status: DeliveryStatus | None = None  # delivery status logging, when the server has Logs

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="sns-deliverer")

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self._in_flight.clear()

    def wake(self) -> None:
        self.signal.notify(KEY)

    async def confirm(
        self, topic: Record, subscription: Record, endpoint: str, kind: str = "SubscriptionConfirmation"
    ) -> None:
        """Queue the SubscriptionConfirmation for a new HTTP/S subscription, or the UnsubscribeConfirmation
        for one just deleted (it carries the subscription, which is gone by the time it is delivered)."""
        now = self.clock.now()
        if kind == "SubscriptionConfirmation":
            text = (
                f"You have chosen to subscribe to the topic {topic['TopicArn']}.\n"
                "To confirm the subscription, visit the SubscribeURL included in this message."
            )
        else:
            text = (
                f"You have chosen to deactivate subscription {subscription['SubscriptionArn']}.\n"
                "To cancel this operation and restore the subscription, visit the SubscribeURL included in "
                "this message."
            )
        message: Record = {
            "Type": kind,
            "MessageId": str(uuid.uuid4()),
            "TopicArn": topic["TopicArn"],
            "Token": subscription["Token"],
            "Message": text,
            "Timestamp": now,
            "Endpoint": endpoint,
            "SignatureVersion": topic["Attributes"].get("SignatureVersion", "1"),
        }
        if kind == "UnsubscribeConfirmation":
            message["Subscription"] = subscription
        await self.repository.publish(
            topic["TopicArn"], message, [subscription["SubscriptionArn"]], None, now
        )
        self.wake()

    async def _run(self) -> None:
        while True:
            try:
                since = self.signal.version(KEY)
                busy = set(self._in_flight)
                batch = (
                    self.repository.due(self.clock.now(), BATCH, busy) if len(busy) < MAX_IN_FLIGHT else []
                )
                if batch:
                    self._dispatch(batch)
                    continue
                deadline = self.repository.next_due(busy) if len(busy) < MAX_IN_FLIGHT else None
                await self.signal.wait(KEY, since, deadline)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("SNS deliverer failed; retrying in a second")
                await asyncio.sleep(1.0)

    def _dispatch(self, batch: list[Delivery]) -> None:
        by_subscription: dict[str, list[Delivery]] = {}
        for delivery in batch:
            by_subscription.setdefault(delivery.subscription_arn, []).append(delivery)
        for arn, group in by_subscription.items():
            if len(self._in_flight) >= MAX_IN_FLIGHT:
                break
            task = asyncio.create_task(self._deliver_in_order(group), name=f"sns-deliver {arn}")
            self._in_flight[arn] = task
            task.add_done_callback(functools.partial(self._finished, arn))

    def _finished(self, arn: str, _: asyncio.Task[None]) -> None:
        self._in_flight.pop(arn, None)
        self.wake()  # its later deliveries (and, at the cap, other subscriptions') may go now

    async def _deliver_in_order(self, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            try:
                await self._deliver(delivery)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("SNS delivery %s failed; it is tried again", delivery.id)
                await self.repository.reschedule(delivery.id, self.clock.now() + 1.0, delivery.attempts)
                return

    async def _deliver(self, delivery: Delivery) -> bool:
        """Deliver one; False when it was rescheduled for a retry."""
        message = delivery.message
        subscription = self.repository.get_subscription(delivery.subscription_arn) or message.get(
            "Subscription"
        )
        if subscription is None:  # unsubscribed (or the topic deleted) since the publish
            await self.repository.finish(delivery.id)
            return True
        try:
            await self._send(subscription, message)
        except DeliveryFailed as failure:
            if failure.retry:
                policy = retry_policy(subscription, self.repository.get_topic(subscription["TopicArn"]))
                delay = retry_delay(policy, delivery.attempts + 1)
                if delay is not None:
                    await self.repository.reschedule(
                        delivery.id, self.clock.now() + delay, delivery.attempts + 1
                    )
                    return False
            log.info("SNS delivery to %s failed: %s", subscription["Endpoint"], failure)
            if message.get("Type") == "Notification":
                await self._dead_letter(subscription, message, failure)
                self._count(message, ok=False)
                await self._status(subscription, message, delivery.attempts + 1, failure.status, str(failure))
            await self.repository.finish(delivery.id)
            return True
        if message.get("Type") == "Notification":
            self._count(message, ok=True)
            await self._status(subscription, message, delivery.attempts + 1, 200, "Delivered")
        await self.repository.finish(delivery.id)
        return True

    async def _status(
        self, subscription: Record, message: Record, attempts: int, code: int, response: str
    ) -> None:
        if self.status is not None:
            topic = self.repository.get_topic(message["TopicArn"])
            try:
                await self.status.record(topic, subscription, message, attempts, code, response)
            except Exception:
                log.exception("could not log the delivery status of %s", message["MessageId"])

    def _count(self, message: Record, ok: bool) -> None:
        if self.metrics is not None:
            self.metrics.delivered(message["TopicArn"], ok, self.clock.now())

    async def _send(self, subscription: Record, message: Record) -> None:
        protocol = subscription["Protocol"]
        raw = subscription["Attributes"].get("RawMessageDelivery", "false").lower() == "true"
        if protocol == "sqs":
            if raw:
                body = messages.for_protocol(message, "sqs")
                await self.targets.send_sqs(
                    subscription["Endpoint"], body, message.get("MessageAttributes") or {}, message
                )
            else:
                body = messages.envelope_json(message, subscription, self.signer)
                await self.targets.send_sqs(subscription["Endpoint"], body, {}, message)
        elif protocol == "lambda":
            event = messages.lambda_event(message, subscription, self.signer)
            await self.targets.invoke_lambda(
                subscription["Endpoint"], json.dumps(event).encode(), message["TopicArn"]
            )
        elif protocol in ("http", "https"):
            headers = {
                "x-amz-sns-message-type": message.get("Type", "Notification"),
                "x-amz-sns-message-id": message["MessageId"],
                "x-amz-sns-topic-arn": message["TopicArn"],
                "Content-Type": "text/plain; charset=UTF-8",
                "User-Agent": "Amazon Simple Notification Service Agent",
            }
            if message.get("Type") != "SubscriptionConfirmation":
                headers["x-amz-sns-subscription-arn"] = subscription["SubscriptionArn"]
            if raw and message.get("Type") == "Notification":
                headers["x-amz-sns-rawdelivery"] = "true"
                body = messages.for_protocol(message, protocol)
            else:
                body = messages.envelope_json(message, subscription, self.signer)
            await self.targets.post_http(subscription["Endpoint"], headers, body.encode())
        else:
            raise DeliveryFailed(f"millpond does not deliver to {protocol} endpoints", retry=False)

    async def _dead_letter(self, subscription: Record, message: Record, failure: DeliveryFailed) -> None:
        text = subscription["Attributes"].get("RedrivePolicy")
        if not text:
            return
        target = json.loads(text).get("deadLetterTargetArn")
        raw = subscription["Attributes"].get("RawMessageDelivery", "false").lower() == "true"
        if raw:
            body = messages.for_protocol(message, subscription["Protocol"])
            attributes = dict(message.get("MessageAttributes") or {})
        else:
            body = messages.envelope_json(message, subscription, self.signer)
            attributes = {}
        attributes.update(
            {
                "ErrorCode": {"DataType": "String", "StringValue": failure.code},
                "ErrorMessage": {"DataType": "String", "StringValue": str(failure)[:256] or failure.code},
            }
        )
        try:
            await self.targets.send_sqs(target, body, attributes, message)
        except DeliveryFailed as error:
            log.warning("SNS could not move a message to the DLQ %s: %s", target, error)
