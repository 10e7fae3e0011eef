"""`millpond.Server` and `millpond.mock_aws` for unittest and scripts."""

from __future__ import annotations

import os

import boto3
import pytest

import millpond


@pytest.fixture(autouse=True)
def no_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)


def test_server_context_manager_starts_and_stops() -> None:
    with millpond.Server() as server:
        assert server.running
        assert server.client("sts").get_caller_identity()["Account"] == "000000000000"
        before = server.now()
        assert server.advance(30) >= before + 30
        server.reset()
    assert not server.running


def test_mock_aws_as_context_manager_and_decorator() -> None:
    with millpond.mock_aws() as server:
        assert os.environ["AWS_ENDPOINT_URL"] == server.url
        assert boto3.client("sts").get_caller_identity()["Account"] == "000000000000"
    assert "AWS_ENDPOINT_URL" not in os.environ

    @millpond.mock_aws()
    def uses_aws() -> str:
        return str(boto3.client("sts").get_caller_identity()["Arn"])

    assert uses_aws() == "arn:aws:iam::000000000000:root"
    assert "AWS_ENDPOINT_URL" not in os.environ
