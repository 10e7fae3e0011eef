"""Event notifications: matching a bucket's configurations (events, prefix/suffix filters) and sending
AWS's event record (eventVersion 2.1) to each target, after the change was committed.

Targets are pluggable by the ARN's service (`Notifier.targets`): SQS queues and Lambda functions are wired
here through their providers; SNS topics join when that service exists. A failed delivery is logged, as
S3 drops it after its own retries.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from millpond.context import RequestContext
from millpond.services.s3.errors import invalid_argument
from millpond.services.s3.repository import Bucket, ObjectVersion

log = logging.getLogger("millpond.s3")

Target = Callable[[str, str], Awaitable[None]]  # (target ARN, message body)
CONFIG_KINDS = {
    "QueueConfigurations": "QueueArn",
    "LambdaFunctionConfigurations": "LambdaFunctionArn",
    "TopicConfigurations": "TopicArn",
}


async def _call(method: Any, ctx: RequestContext, params: dict[str, Any]) -> Any:
    result = method(ctx, params)
    if inspect.isawaitable(result):
        result = await result
    return result


class Notifier:
    def __init__(self, providers: Mapping[str, object], endpoint_url: str, account: str) -> None:
        self.providers = providers
        self.endpoint_url = endpoint_url
        self.account = account
        self.targets: dict[str, Target] = {
            "sqs": self._to_queue,
            "lambda": self._to_function,
            "sns": self._to_topic,
        }
        self._tasks: set[asyncio.Task[None]] = set()

    def _ctx(self, arn: str, service: str, operation: str) -> RequestContext:
        parts = arn.split(":")
        return RequestContext(parts[4], parts[3], str(uuid.uuid4()), self.endpoint_url, service, operation)

    async def _to_queue(self, arn: str, body: str) -> None:
        parts = arn.split(":")
        url = f"{self.endpoint_url}/{parts[4]}/{parts[5]}"
        method = getattr(self.providers.get("sqs"), "send_message", None)
        if method is None:
            raise RuntimeError("no SQS service to deliver to")
        await _call(method, self._ctx(arn, "sqs", "SendMessage"), {"QueueUrl": url, "MessageBody": body})

    async def _to_function(self, arn: str, body: str) -> None:
        method = getattr(self.providers.get("lambda"), "invoke", None)
        if method is None:
            raise RuntimeError("no Lambda service to deliver to")
        params = {"FunctionName": arn, "InvocationType": "Event", "Payload": body.encode("utf-8")}
        await _call(method, self._ctx(arn, "lambda", "Invoke"), params)

    async def _to_topic(self, arn: str, body: str) -> None:
        method = getattr(self.providers.get("sns"), "publish", None)
        if method is None:
            raise RuntimeError("no SNS service to deliver to")
        # S3 publishes its events to a topic with this subject.
        params = {"TopicArn": arn, "Message": body, "Subject": "Amazon S3 Notification"}
        await _call(method, self._ctx(arn, "sns", "Publish"), params)

    def _target(self, arn: str) -> Target | None:
        parts = arn.split(":")
        return self.targets.get(parts[2]) if len(parts) >= 6 else None

    async def validate(self, bucket: Bucket, config: dict[str, Any], request_id: str, now: float) -> None:
        """Checks every destination and sends it s3:TestEvent, as S3 does when a configuration is put."""
        failed = []
        arns = [
            (kind, item.get(field)) for kind, field in CONFIG_KINDS.items() for item in config.get(kind) or []
        ]
        for _, arn in arns:
            target = self._target(str(arn))
            if target is None:
                failed.append(str(arn))
        if failed:
            raise invalid_argument(
                "Unable to validate the following destination configurations", failed[0], "Not supported"
            )
        test = {
            "Service": "Amazon S3",
            "Event": "s3:TestEvent",
            "Time": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "Bucket": bucket.name,
            "RequestId": request_id,
            "HostId": uuid.uuid4().hex,
        }
        for kind, arn in arns:
            if kind in ("QueueConfigurations", "TopicConfigurations"):
                deliver = self._to_queue if kind == "QueueConfigurations" else self._to_topic
                try:
                    await deliver(str(arn), json.dumps(test))
                except Exception as exc:
                    raise invalid_argument(
                        "Unable to validate the following destination configurations",
                        str(arn),
                        f"Permissions on the destination {'queue' if deliver == self._to_queue else 'topic'} "
                        "do not allow S3 to publish notifications from this bucket",
                    ) from exc

    def notify(
        self, ctx: RequestContext, bucket: Bucket, event: str, version: ObjectVersion, now: float
    ) -> None:
        """Sends `event` (e.g. "ObjectCreated:Put") to every matching configuration, in the background."""
        config = bucket.configs.get("notification") or {}
        for kind, field in CONFIG_KINDS.items():
            for item in config.get(kind) or []:
                if not _matches(item, event, version.key):
                    continue
                arn = str(item.get(field))
                target = self._target(arn)
                if target is None:
                    log.warning("millpond cannot deliver S3 events to %s yet", arn)
                    continue
                record = event_record(ctx, bucket, event, version, now, item.get("Id") or "")
                body = json.dumps({"Records": [record]})
                task = asyncio.ensure_future(self._deliver(target, arn, body))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _deliver(self, target: Target, arn: str, body: str) -> None:
        try:
            await target(arn, body)
        except Exception:
            log.exception("S3 event notification to %s failed", arn)

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def _matches(config: dict[str, Any], event: str, key: str) -> bool:
    wanted = f"s3:{event}"
    events = config.get("Events") or []
    family = wanted.split(":")[0] + ":" + wanted.split(":")[1] + ":*"
    if wanted not in events and family not in events:
        return False
    rules = ((config.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    for rule in rules:
        name, value = str(rule.get("Name", "")).lower(), str(rule.get("Value", ""))
        if name == "prefix" and not key.startswith(value):
            return False
        if name == "suffix" and not key.endswith(value):
            return False
    return True


def event_record(
    ctx: RequestContext, bucket: Bucket, event: str, version: ObjectVersion, now: float, config_id: str
) -> dict[str, Any]:
    obj: dict[str, Any] = {"key": quote_plus(version.key, safe="/")}
    if not event.startswith("ObjectRemoved"):
        obj["size"] = version.size
        obj["eTag"] = version.etag.strip('"')
    if version.version_id != "null":
        obj["versionId"] = version.version_id
    obj["sequencer"] = f"{version.seq:016X}"
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": bucket.region,
        "eventTime": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "eventName": event,
        "userIdentity": {"principalId": "AWS:" + (ctx.access_key_id or ctx.account_id)},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": ctx.request_id[:16].upper(), "x-amz-id-2": uuid.uuid4().hex},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": config_id,
            "bucket": {
                "name": bucket.name,
                "ownerIdentity": {"principalId": ctx.account_id},
                "arn": f"arn:aws:s3:::{bucket.name}",
            },
            "object": obj,
        },
    }
