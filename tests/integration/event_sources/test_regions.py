"""Event source mappings belong to a region: a UUID from another region is ResourceNotFoundException for
Get, Update and Delete, and listing shows only the caller's region's mappings."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.event_sources.conftest import unique
from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.support.server import ServerProcess

NOOP = "def handler(event, context):\n    return None\n"


def _mapping_in(server: ServerProcess, region: str) -> dict[str, Any]:
    sqs = server.client("sqs", region_name=region)
    url = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client = server.client("lambda", region_name=region)
    name = unique("fn")
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of(NOOP)},
    )
    return dict(client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name))


def _not_found(call: Any) -> None:
    with pytest.raises(ClientError) as raised:
        call()
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_a_mapping_is_found_only_in_its_own_region(esm_server: ServerProcess) -> None:
    west_mapping = _mapping_in(esm_server, "us-west-2")
    uuid = west_mapping["UUID"]
    assert ":us-west-2:" in west_mapping["EventSourceMappingArn"]
    east = esm_server.client("lambda", region_name="us-east-1")
    west = esm_server.client("lambda", region_name="us-west-2")
    _not_found(lambda: east.get_event_source_mapping(UUID=uuid))
    _not_found(lambda: east.update_event_source_mapping(UUID=uuid, BatchSize=5))
    _not_found(lambda: east.delete_event_source_mapping(UUID=uuid))
    listed_east = east.list_event_source_mappings(MaxItems=10_000)["EventSourceMappings"]
    assert uuid not in {m["UUID"] for m in listed_east}
    listed_west = west.list_event_source_mappings(MaxItems=10_000)["EventSourceMappings"]
    assert uuid in {m["UUID"] for m in listed_west}
    # The other region's calls changed nothing: the mapping is still there, as it was.
    deadline = time.monotonic() + 10
    while (found := west.get_event_source_mapping(UUID=uuid))["State"] != "Enabled":
        assert time.monotonic() < deadline, found["State"]
        time.sleep(0.02)
    assert found["BatchSize"] == 10
    assert west.update_event_source_mapping(UUID=uuid, BatchSize=5)["BatchSize"] == 5
    assert west.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
    _not_found(lambda: west.get_event_source_mapping(UUID=uuid))
