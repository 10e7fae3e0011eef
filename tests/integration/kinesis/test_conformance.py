"""Kinesis behaviours AWS-recorded test suites showed millpond answering differently (aws-facts.md §12b),
through boto3 or raw HTTP against a real server: empty bodies for operations without output, the
SerializationException body, string timestamps, tag characters, DeleteResourcePolicy without a policy,
CORS and the 403 for requests that name no operation, and the stream checked before the shard."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.server import ServerProcess

JSON_11 = "application/x-amz-json-1.1"


def call(server: ServerProcess, operation: str, body: str) -> httpx.Response:
    headers = {"Content-Type": JSON_11, "X-Amz-Target": f"Kinesis_20131202.{operation}"}
    return httpx.post(server.url + "/", content=body.encode(), headers=headers)


def error(raised: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    return dict(raised.value.response["Error"])


def test_operations_without_output_answer_an_empty_body(server: ServerProcess, name: str) -> None:
    reply = call(server, "CreateStream", f'{{"StreamName": "{name}", "ShardCount": 1}}')
    assert reply.status_code == 200
    assert reply.content == b""
    assert server.client("kinesis").describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def test_serialization_exception_body_and_string_timestamps(server: ServerProcess, name: str) -> None:
    server.client("kinesis").create_stream(StreamName=name, ShardCount=1)
    broken = call(server, "PutRecord", "{not json")
    assert broken.status_code == 400
    assert broken.json()["__type"] == "SerializationException"
    assert "Message" in broken.json() and "message" not in broken.json()
    body = (
        f'{{"StreamName": "{name}", "ShardId": "shardId-000000000000", '
        '"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": "2024-01-01T00:00:00Z"}'
    )
    reply = call(server, "GetShardIterator", body)
    assert reply.status_code == 400
    assert reply.json()["__type"] == "SerializationException"


def test_tag_characters(server: ServerProcess, name: str) -> None:
    kinesis = server.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    for bad in ({"a\tb": "v"}, {"k": "line\nbreak"}, {"a;b": "v"}):
        with pytest.raises(ClientError) as raised:
            kinesis.add_tags_to_stream(StreamName=name, Tags=bad)
        assert error(raised)["Code"] == "InvalidArgumentException"
    kinesis.add_tags_to_stream(StreamName=name, Tags={"team name": "a/b=c+d-e@f:g"})
    for bad_key in ("a;b", "a,b", "a%b"):
        with pytest.raises(ClientError) as raised:
            kinesis.remove_tags_from_stream(StreamName=name, TagKeys=[bad_key])
        assert error(raised)["Code"] == "InvalidArgumentException"
    tags = kinesis.list_tags_for_stream(StreamName=name)["Tags"]
    assert tags == [{"Key": "team name", "Value": "a/b=c+d-e@f:g"}]


def test_delete_resource_policy_without_a_policy(server: ServerProcess, name: str) -> None:
    kinesis = server.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    with pytest.raises(ClientError) as raised:
        kinesis.delete_resource_policy(ResourceARN=arn)
    assert error(raised)["Code"] == "ResourceNotFoundException"
    kinesis.put_resource_policy(ResourceARN=arn, Policy='{"Version":"2012-10-17","Statement":[]}')
    kinesis.delete_resource_policy(ResourceARN=arn)


def test_cors_preflight_and_requests_that_name_no_operation(server: ServerProcess) -> None:
    preflight = httpx.options(
        server.url + "/",
        headers={
            "Origin": "http://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-amz-target,content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "POST"
    assert preflight.headers["Access-Control-Allow-Headers"] == "x-amz-target,content-type"
    listed = httpx.post(
        server.url + "/",
        content=b"{}",
        headers={
            "Content-Type": JSON_11,
            "X-Amz-Target": "Kinesis_20131202.ListStreams",
            "Origin": "http://x",
        },
    )
    assert listed.status_code == 200
    assert listed.headers["Access-Control-Allow-Origin"] == "*"
    for method in ("GET", "PUT", "DELETE"):
        reply = httpx.request(method, server.url + "/")
        assert reply.status_code == 403
        assert "AccessDeniedException" in reply.text


def test_the_stream_is_checked_before_the_shard(server: ServerProcess, name: str) -> None:
    kinesis = server.client("kinesis")
    with pytest.raises(ClientError) as raised:
        kinesis.get_shard_iterator(
            StreamName=name, ShardId="shardId-000000000007", ShardIteratorType="LATEST"
        )
    assert error(raised)["Code"] == "ResourceNotFoundException"
    assert error(raised)["Message"] == f"Stream {name} under account 000000000000 not found."
