"""REST APIs belong to a region: each region lists and finds only its own, and invoking one tells the
function the API's region (source ARN, requestContext) and the integration URI's region (the function's)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.integration.apigateway.conftest import Api
from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.support.server import ServerProcess

REGIONS = ("us-east-1", "us-west-2")
ECHO = """
import json
def handler(event, context):
    body = {"requestContext": event["requestContext"], "functionArn": context.invoked_function_arn}
    return {"statusCode": 200, "body": json.dumps(body)}
"""


def _api_in(server: ServerProcess, region: str) -> tuple[Api, str]:
    """A REST API in `region` whose GET /where proxies to a function of that region; (api, function ARN)."""
    function = server.client("lambda", region_name=region).create_function(
        FunctionName=f"fn-{uuid.uuid4().hex[:12]}",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of(ECHO)},
    )["FunctionArn"]
    client = server.client("apigateway", region_name=region)
    api = client.create_rest_api(name=f"regional-{region}")
    resource = client.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="where")
    client.put_method(
        restApiId=api["id"], resourceId=resource["id"], httpMethod="GET", authorizationType="NONE"
    )
    client.put_integration(
        restApiId=api["id"],
        resourceId=resource["id"],
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function}/invocations",
    )
    client.create_deployment(restApiId=api["id"], stageName="test")
    return Api(api["id"], api["rootResourceId"], server), function


def _listed(client: Any) -> set[str]:
    return {item["id"] for item in client.get_rest_apis(limit=500)["items"]}


def test_each_region_sees_only_its_own_apis(server: ServerProcess) -> None:
    east, west = (server.client("apigateway", region_name=region) for region in REGIONS)
    east_api = east.create_rest_api(name="east")
    west_api = west.create_rest_api(name="west")
    assert east_api["id"] != west_api["id"]
    assert east_api["id"] in _listed(east) and east_api["id"] not in _listed(west)
    assert west_api["id"] in _listed(west) and west_api["id"] not in _listed(east)
    assert west.get_rest_api(restApiId=west_api["id"])["name"] == "west"
    calls = (
        lambda: east.get_rest_api(restApiId=west_api["id"]),
        lambda: east.get_resources(restApiId=west_api["id"]),
        lambda: east.update_rest_api(
            restApiId=west_api["id"], patchOperations=[{"op": "replace", "path": "/name", "value": "x"}]
        ),
        lambda: east.create_deployment(restApiId=west_api["id"], stageName="s"),
        lambda: east.delete_rest_api(restApiId=west_api["id"]),
    )
    for call in calls:
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "NotFoundException"
    # The failed calls above left the west API as it was.
    assert west.get_rest_api(restApiId=west_api["id"])["name"] == "west"
    west.delete_rest_api(restApiId=west_api["id"])
    assert west_api["id"] not in _listed(west)
    east.delete_rest_api(restApiId=east_api["id"])


def test_invoking_an_api_carries_its_region(server: ServerProcess) -> None:
    for region in REGIONS:
        api, function = _api_in(server, region)
        host = f"{api.id}.execute-api.localhost:{server.port}"
        # Python cannot resolve *.localhost names, so the host form is sent as the Host header it carries.
        forms: list[tuple[str, dict[str, str]]] = [
            (api.url() + "/where", {}),
            (f"{server.url}/test/where", {"Host": host}),
        ]
        for url, headers in forms:
            reply = httpx.get(url, headers=headers, timeout=30)
            assert reply.status_code == 200, reply.text
            body = json.loads(reply.text)
            assert body["functionArn"] == function and f":lambda:{region}:" in function
            context = body["requestContext"]
            assert context["apiId"] == api.id and context["accountId"] == "000000000000"
