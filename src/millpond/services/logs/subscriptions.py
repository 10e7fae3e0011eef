"""Subscription filters: the events of a log group that match a pattern, streamed to a Kinesis stream or a
Lambda function in AWS's envelope.

The envelope is JSON, gzipped: {"messageType": "DATA_MESSAGE", "owner", "logGroup", "logStream",
"subscriptionFilters": [name], "logEvents": [{"id", "timestamp", "message"}]}. Kinesis gets it as the
record's data (partitioned by log stream, or at random for distribution "Random"); a Lambda function gets
{"awslogs": {"data": <base64 of it>}} as an asynchronous invocation. When a Kinesis subscription is made,
AWS first delivers a CONTROL_MESSAGE ("CWL CONTROL MESSAGE: Checking health of destination ...").
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

MAX_SUBSCRIPTION_FILTERS = 2  # per log group (AWS's quota)
DESTINATION = re.compile(r"^arn:aws[\w-]*:(kinesis|lambda|firehose|logs):([\w-]+):(\d{12}):(.+)$")
CONTROL_TEXT = "CWL CONTROL MESSAGE: Checking health of destination {kind}."


@dataclass(frozen=True, slots=True)
class SubscriptionFilter:
    group: str
    name: str
    pattern: str
    destination_arn: str
    role_arn: str | None
    distribution: str
    created: int

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "filterName": self.name,
            "logGroupName": self.group,
            "filterPattern": self.pattern,
            "destinationArn": self.destination_arn,
            "distribution": self.distribution,
            "applyOnTransformedLogs": False,
            "creationTime": self.created,
        }
        if self.role_arn:
            described["roleArn"] = self.role_arn
        return described


class SubscriptionTargets(Protocol):
    """Where subscription payloads go (the server wires Kinesis and Lambda in)."""

    async def check(self, destination_arn: str) -> None:
        """Raise the AWS error if the destination does not exist or cannot take deliveries."""
        ...

    async def deliver(self, destination_arn: str, data: bytes, partition_key: str) -> None:
        """Deliver one gzipped envelope."""
        ...


def destination_kind(arn: str) -> str | None:
    found = DESTINATION.match(arn)
    return found.group(1) if found else None


def event_id(timestamp: int, sequence: int) -> str:
    # AWS's event ids are 56 digits; ours are the timestamp and a per-server sequence, in order.
    return f"{timestamp:019d}{sequence:037d}"


def data_message(
    owner: str, group: str, stream: str, filter_name: str, events: list[tuple[str, int, str]]
) -> bytes:
    document = {
        "messageType": "DATA_MESSAGE",
        "owner": owner,
        "logGroup": group,
        "logStream": stream,
        "subscriptionFilters": [filter_name],
        "logEvents": [{"id": i, "timestamp": t, "message": m} for i, t, m in events],
    }
    return gzip.compress(json.dumps(document, separators=(",", ":")).encode())


def control_message(kind: str, now_ms: int) -> bytes:
    document = {
        "messageType": "CONTROL_MESSAGE",
        "owner": "CloudwatchLogs",
        "logGroup": "",
        "logStream": "",
        "subscriptionFilters": [],
        "logEvents": [
            {"id": event_id(now_ms, 0), "timestamp": now_ms, "message": CONTROL_TEXT.format(kind=kind)}
        ],
    }
    return gzip.compress(json.dumps(document, separators=(",", ":")).encode())


def lambda_payload(data: bytes) -> bytes:
    return json.dumps({"awslogs": {"data": base64.b64encode(data).decode()}}).encode()
