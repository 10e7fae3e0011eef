"""S3 helpers: a path-style boto3 client on the shared server and a fresh bucket per test."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.support.server import CREDENTIALS, ServerProcess


def s3_client(server: ServerProcess, region: str = "us-east-1", **config: Any) -> Any:
    config.setdefault("s3", {"addressing_style": "path"})
    settings = Config(retries={"max_attempts": 1, "mode": "standard"}, **config)
    credentials = {**CREDENTIALS, "region_name": region}
    return boto3.client("s3", endpoint_url=server.url, config=settings, **credentials)


@pytest.fixture
def s3(server: ServerProcess) -> Any:
    return s3_client(server)


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"bucket-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name
