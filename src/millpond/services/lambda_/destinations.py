"""Delivering async invocation records (and CloudWatch alarm notifications) to destinations: SQS queues
and SNS topics, through their providers."""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Mapping

from millpond.context import RequestContext

log = logging.getLogger("millpond.lambda")
# Attributes Lambda sends as numbers: a DLQ record's ErrorCode has DataType Number (AWS-recorded).
NUMBER_ATTRIBUTES = frozenset({"ErrorCode"})


class Destinations:
    def __init__(self, providers: Mapping[str, object], endpoint_url: str, account: str, region: str) -> None:
        self.providers = providers
        self.endpoint_url = endpoint_url
        self.account = account
        self.region = region

    async def __call__(
        self, arn: str, body: str, attributes: dict[str, str], subject: str | None = None
    ) -> None:
        parts = arn.split(":")
        if len(parts) >= 6 and parts[2] == "sns":
            await self._publish(arn, body, attributes, subject)
            return
        if len(parts) < 6 or parts[2] != "sqs":
            log.warning(
                "millpond delivers Lambda destinations to SQS and SNS only; dropped a record for %s", arn
            )
            return
        sqs = self.providers.get("sqs")
        send = getattr(sqs, "send_message", None)
        if send is None:
            log.warning("no SQS service to deliver to %s", arn)
            return
        region, account, name = parts[3], parts[4], parts[5]
        ctx = RequestContext(account, region, str(uuid.uuid4()), self.endpoint_url, "sqs", "SendMessage")
        params: dict[str, object] = {"QueueUrl": f"{self.endpoint_url}/{account}/{name}", "MessageBody": body}
        if attributes:
            params["MessageAttributes"] = {
                k: {"DataType": "Number" if k in NUMBER_ATTRIBUTES else "String", "StringValue": v}
                for k, v in attributes.items()
            }
        result = send(ctx, params)
        if inspect.isawaitable(result):
            await result

    async def _publish(self, arn: str, body: str, attributes: dict[str, str], subject: str | None) -> None:
        publish = getattr(self.providers.get("sns"), "publish", None)
        if publish is None:
            log.warning("no SNS service to deliver to %s", arn)
            return
        region, account = arn.split(":")[3:5]
        ctx = RequestContext(account, region, str(uuid.uuid4()), self.endpoint_url, "sns", "Publish")
        params: dict[str, object] = {"TopicArn": arn, "Message": body}
        if subject:
            params["Subject"] = subject
        if attributes:
            params["MessageAttributes"] = {
                k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
            }
        result = publish(ctx, params)
        if inspect.isawaitable(result):
            await result
