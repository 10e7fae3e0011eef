"""Which requests S3 claims: a SigV2 Authorization is S3's only when nothing names another service (the
fuzzer sent Kinesis, Logs and Lambda requests with `AWS key:sig` and got S3's XML back)."""

from __future__ import annotations

import pytest

from millpond.protocol.http import HttpRequest
from millpond.protocol.routing import route


@pytest.mark.parametrize(
    ("method", "path", "headers", "service"),
    [
        (
            "POST",
            "/",
            {"x-amz-target": "Kinesis_20131202.ListStreams", "content-type": "application/x-amz-json-1.1"},
            "kinesis",
        ),
        (
            "POST",
            "/",
            {"x-amz-target": "Logs_20140328.DescribeLogGroups", "content-type": "application/x-amz-json-1.1"},
            "logs",
        ),
        ("GET", "/2015-03-31/functions/", {}, "lambda"),
        ("GET", "/restapis", {}, "apigateway"),
        ("GET", "/my-bucket/key.txt", {}, "s3"),
        ("GET", "/", {}, "s3"),
    ],
)
def test_sigv2_is_s3_only_when_nothing_else_is_named(
    method: str, path: str, headers: dict[str, str], service: str
) -> None:
    request = HttpRequest(method, path, "", {"authorization": "AWS test:c2ln", **headers}, b"{}")
    assert route(request).service == service
