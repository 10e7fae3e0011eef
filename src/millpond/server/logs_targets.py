"""Where CloudWatch Logs subscription filters deliver: Kinesis streams (PutRecord) and Lambda functions
(asynchronous Invoke), reached through their providers with the destination ARN's account and region."""

from __future__ import annotations

import inspect
import uuid
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.logs.subscriptions import DESTINATION, SubscriptionTargets, lambda_payload

INTERNAL_ENDPOINT = "http://127.0.0.1"


class ProviderTargets(SubscriptionTargets):
    def __init__(self, providers: dict[str, object]) -> None:
        self.providers = providers

    def _route(self, arn: str, operation: str) -> tuple[Any, RequestContext, str]:
        found = DESTINATION.match(arn)
        if found is None:
            raise AwsError("InvalidParameterException", f"Invalid destinationArn: {arn}")
        kind, region, account = found.group(1), found.group(2), found.group(3)
        service = "kinesis" if kind == "kinesis" else "lambda"
        ctx = RequestContext(account, region, str(uuid.uuid4()), INTERNAL_ENDPOINT, service, operation)
        return self.providers[service], ctx, kind

    @staticmethod
    async def _call(method: Any, ctx: RequestContext, params: dict[str, Any]) -> Any:
        result = method(ctx, params)
        return await result if inspect.isawaitable(result) else result

    async def check(self, destination_arn: str) -> None:
        kind = DESTINATION.match(destination_arn)
        operation = "DescribeStreamSummary" if kind and kind.group(1) == "kinesis" else "GetFunction"
        provider, ctx, kind_name = self._route(destination_arn, operation)
        try:
            if kind_name == "kinesis":
                await self._call(provider.describe_stream_summary, ctx, {"StreamARN": destination_arn})
            else:
                await self._call(provider.get_function, ctx, {"FunctionName": destination_arn})
        except AwsError:
            if kind_name == "kinesis":
                message = (
                    "Could not deliver test message to specified destination. "
                    "Check that the destination is valid."
                )
            else:
                message = (
                    "Could not execute the lambda function. Make sure you have given CloudWatch Logs "
                    "permission to execute your function."
                )
            raise AwsError("InvalidParameterException", message) from None

    async def deliver(self, destination_arn: str, data: bytes, partition_key: str) -> None:
        provider, ctx, kind = self._route(destination_arn, "PutRecord")
        if kind == "kinesis":
            params = {"StreamARN": destination_arn, "Data": data, "PartitionKey": partition_key}
            await self._call(provider.put_record, ctx, params)
        else:
            ctx = RequestContext(
                ctx.account_id, ctx.region, ctx.request_id, INTERNAL_ENDPOINT, "lambda", "Invoke"
            )
            params = {
                "FunctionName": destination_arn,
                "InvocationType": "Event",
                "Payload": lambda_payload(data),
            }
            await self._call(provider.invoke, ctx, params)
