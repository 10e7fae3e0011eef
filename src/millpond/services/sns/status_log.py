"""Delivery status logging: for a topic with <Protocol>SuccessFeedbackRoleArn (or FailureFeedbackRoleArn)
set, each notification's final outcome is written to CloudWatch Logs as AWS writes it: log group
sns/<region>/<account>/<topic> (…/Failure for failures), one JSON line per delivery, sampled at
<Protocol>SuccessFeedbackSampleRate percent (all of them when the rate is unset)."""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import Awaitable, Callable

from millpond.clock import Clock
from millpond.services.sns.messages import iso_ms
from millpond.services.sns.repository import Record

WriteEvents = Callable[[str, str, list[tuple[int, str]]], Awaitable[None]]
PREFIXES = {"sqs": "SQS", "lambda": "Lambda", "http": "HTTP", "https": "HTTP", "application": "Application",
            "firehose": "Firehose"}  # fmt: skip


class DeliveryStatus:
    def __init__(self, write: WriteEvents, clock: Clock) -> None:
        self.write = write
        self.clock = clock

    async def record(
        self,
        topic: Record | None,
        subscription: Record,
        message: Record,
        attempts: int,
        status_code: int,
        response: str,
    ) -> None:
        prefix = PREFIXES.get(subscription["Protocol"])
        if topic is None or prefix is None:
            return
        ok = 200 <= status_code < 300
        attributes = topic["Attributes"]
        if not attributes.get(f"{prefix}{'Success' if ok else 'Failure'}FeedbackRoleArn"):
            return
        if ok:
            rate = attributes.get(f"{prefix}SuccessFeedbackSampleRate")
            if rate not in (None, "") and random.uniform(0, 100) >= float(rate):
                return
        now = self.clock.now()
        line = {
            "notification": {
                "messageMD5Sum": hashlib.md5(str(message["Message"]).encode()).hexdigest(),
                "messageId": message["MessageId"],
                "topicArn": message["TopicArn"],
                "timestamp": iso_ms(message["Timestamp"]),
            },
            "delivery": {
                "deliveryId": str(uuid.uuid4()),
                "destination": subscription["Endpoint"],
                "providerResponse": response,
                "dwellTimeMs": max(0, round((now - float(message["Timestamp"])) * 1000)),
                "attempts": attempts,
                "statusCode": status_code,
            },
            "status": "SUCCESS" if ok else "FAILURE",
        }
        _, _, _, region, account, name = message["TopicArn"].split(":")
        group = f"sns/{region}/{account}/{name}" + ("" if ok else "/Failure")
        stream = subscription["SubscriptionArn"].rsplit(":", 1)[1]
        await self.write(group, stream, [(int(now * 1000), json.dumps(line, separators=(",", ":")))])
