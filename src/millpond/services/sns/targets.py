"""Where deliveries go: SQS queues and Lambda functions through their providers (handed in by the
server), and HTTP/S endpoints by POST (off the event loop, AWS's 15-second timeout)."""

from __future__ import annotations

import asyncio
import base64
import inspect
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError

HTTP_TIMEOUT = 15.0


class DeliveryFailed(Exception):
    def __init__(self, message: str, retry: bool, code: str = "DeliveryFailed", status: int = 400) -> None:
        super().__init__(message)
        self.retry = retry
        self.code = code
        self.status = status  # the endpoint's HTTP status, for delivery status logs


async def _call(provider: object, method: str, ctx: RequestContext, params: dict[str, Any]) -> Any:
    found = getattr(provider, method, None)
    if found is None:
        raise DeliveryFailed(f"no {ctx.service} service to deliver to", retry=False)
    try:
        result = found(ctx, params)
        return await result if inspect.isawaitable(result) else result
    except AwsError as error:
        raise DeliveryFailed(error.message, retry=False, code=error.code) from None


def _post(url: str, headers: dict[str, str], body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


class Targets:
    def __init__(self, providers: Mapping[str, object], endpoint_url: str) -> None:
        self.providers = providers
        self.endpoint_url = endpoint_url
        # (topic ARN, queue or function ARN) -> may SNS deliver there; set under IAM enforcement, where
        # AWS needs the queue's (function's) policy to allow sns.amazonaws.com.
        self.permission: Callable[[str, str], bool] | None = None

    def _check(self, topic_arn: str, arn: str) -> None:
        if self.permission is not None and not self.permission(topic_arn, arn):
            raise DeliveryFailed(
                f"the resource policy of {arn} does not allow sns.amazonaws.com to deliver {topic_arn}",
                retry=False,
                code="AuthorizationError",
            )

    @staticmethod
    def _ctx(arn: str, service: str, operation: str) -> RequestContext:
        parts = arn.split(":")
        return RequestContext(parts[4], parts[3], str(uuid.uuid4()), "", service, operation)

    async def send_sqs(
        self, queue_arn: str, body: str, attributes: dict[str, Any], message: dict[str, Any]
    ) -> None:
        self._check(message["TopicArn"], queue_arn)
        parts = queue_arn.split(":")
        ctx = self._ctx(queue_arn, "sqs", "SendMessage")
        params: dict[str, Any] = {
            "QueueUrl": f"{self.endpoint_url}/{parts[4]}/{parts[5]}",
            "MessageBody": body,
        }
        if attributes:
            params["MessageAttributes"] = {
                name: (
                    {"DataType": a["DataType"], "StringValue": a["StringValue"]}
                    if "StringValue" in a
                    else {"DataType": a["DataType"], "BinaryValue": base64.b64decode(a["BinaryValue"])}
                )
                for name, a in attributes.items()
            }
        if parts[5].endswith(".fifo"):
            params["MessageGroupId"] = message.get("MessageGroupId") or "sns"
            params["MessageDeduplicationId"] = message.get("MessageDeduplicationId") or message["MessageId"]
        await _call(self.providers.get("sqs"), "send_message", ctx, params)

    async def invoke_lambda(self, function_arn: str, payload: bytes, topic_arn: str) -> None:
        self._check(topic_arn, function_arn)
        ctx = self._ctx(function_arn, "lambda", "Invoke")
        params = {"FunctionName": function_arn, "InvocationType": "Event", "Payload": payload}
        await _call(self.providers.get("lambda"), "invoke", ctx, params)

    async def post_http(self, url: str, headers: dict[str, str], body: bytes) -> None:
        try:
            status = await asyncio.to_thread(_post, url, headers, body)
        except (OSError, ValueError) as error:
            raise DeliveryFailed(
                f"could not reach {url}: {error}", retry=True, code="ConnectionFailed", status=502
            ) from None
        if not 200 <= status < 300:
            message = f"{url} answered HTTP {status}"
            raise DeliveryFailed(message, retry=True, code=f"HTTP{status}", status=status)
