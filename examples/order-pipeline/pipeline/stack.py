"""What the pipeline is made of: every resource name (all carry the user's prefix), the settings the
resources are created with, and boto3 clients for the chosen endpoint (millpond, or AWS itself)."""

from __future__ import annotations

import getpass
import os
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config

PROJECT = "order-pipeline"
DEFAULT_ENDPOINT = "http://localhost:4566"
RUNTIME = "python3.12"
STAGE = "prod"
FOURTEEN_DAYS = 14 * 24 * 3600
MANAGED_POLICIES = [
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
]


def default_prefix() -> str:
    """A name prefix from $USER: lower case letters, digits and hyphens, at most 20 characters."""
    user = os.environ.get("USER") or ""
    if not user:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = ""
    return clean_prefix(user or "demo")


def clean_prefix(text: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")[:20].strip("-")
    if not cleaned:
        raise ValueError(f"prefix {text!r} has no letters or digits")
    return cleaned


@dataclass(frozen=True)
class Function:
    """One Lambda function: its module in functions/, and how it is configured."""

    key: str
    module: str
    description: str
    timeout: int = 30
    memory: int = 128
    reserved_concurrency: int | None = None


FUNCTIONS = [
    Function("order-producer", "order_producer", "POST /messages: puts orders on the queue"),
    Function(
        "order-processor",
        "order_processor",
        "Processes orders from the queue, reporting failed ones",
        timeout=60,
        reserved_concurrency=5,
    ),
    Function("event-producer", "event_producer", "POST /events: puts analytics events on the stream"),
    Function("stream-processor", "stream_processor", "Aggregates analytics events in batches", timeout=60),
]


@dataclass(frozen=True)
class Api:
    """A REST API with one resource whose POST (and OPTIONS, for CORS) go to a function by Lambda proxy."""

    key: str
    path: str
    function: str


APIS = [Api("orders-api", "messages", "order-producer"), Api("events-api", "events", "event-producer")]


@dataclass
class Stack:
    prefix: str
    endpoint_url: str | None  # None: AWS itself
    region: str
    out: Any = field(default=sys.stdout)

    @property
    def tags(self) -> dict[str, str]:
        return {"Project": PROJECT, "Prefix": self.prefix}

    def name(self, key: str) -> str:
        return f"{self.prefix}-{key}"

    @property
    def queue(self) -> str:
        return self.name("orders")

    @property
    def dlq(self) -> str:
        return self.name("orders-dlq")

    @property
    def stream(self) -> str:
        return self.name("analytics")

    @property
    def role(self) -> str:
        return self.name("order-pipeline-role")

    @property
    def inline_policy(self) -> str:
        return self.name("order-pipeline-send")

    @property
    def dashboard(self) -> str:
        return self.name("order-pipeline")

    def client(self, service: str) -> Any:
        config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60)
        return boto3.client(service, region_name=self.region, endpoint_url=self.endpoint_url, config=config)

    @cached_property
    def sqs(self) -> Any:
        return self.client("sqs")

    @cached_property
    def kinesis(self) -> Any:
        return self.client("kinesis")

    @cached_property
    def lambda_(self) -> Any:
        return self.client("lambda")

    @cached_property
    def iam(self) -> Any:
        return self.client("iam")

    @cached_property
    def apigateway(self) -> Any:
        return self.client("apigateway")

    @cached_property
    def logs(self) -> Any:
        return self.client("logs")

    @cached_property
    def cloudwatch(self) -> Any:
        return self.client("cloudwatch")

    @cached_property
    def account(self) -> str:
        return str(self.client("sts").get_caller_identity()["Account"])

    def invoke_url(self, api_id: str) -> str:
        """The stage's invoke URL: AWS's, or millpond's path form (which needs no DNS)."""
        if self.endpoint_url is None:
            return f"https://{api_id}.execute-api.{self.region}.amazonaws.com/{STAGE}"
        return f"{self.endpoint_url.rstrip('/')}/restapis/{api_id}/{STAGE}/_user_request_"

    def find_api(self, name: str) -> dict[str, Any] | None:
        for page in self.apigateway.get_paginator("get_rest_apis").paginate():
            for api in page.get("items", []):
                if api["name"] == name:
                    return dict(api)
        return None

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def progress(self, kind: str, name: str, status: str, detail: str = "") -> None:
        """One line per resource: what it is, its name, and what happened to it."""
        mark = {"created": "+", "updated": "~", "unchanged": "=", "deleted": "-", "absent": "."}.get(
            status, "!"
        )
        line = f"  {mark} {kind:<18} {name:<40} {status}"
        self.say(f"{line}  ({detail})" if detail else line)
