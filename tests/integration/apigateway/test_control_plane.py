"""The REST API control plane through boto3: shapes, AWS errors, deployments as snapshots, stages, tags."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.integration.apigateway.conftest import Api, lambda_uri
from tests.support.server import ServerProcess


@pytest.fixture
def client(server: ServerProcess) -> Any:
    return server.client("apigateway")


def error_of(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_rest_api_lifecycle_and_listing(client: Any) -> None:
    name = f"api-{uuid.uuid4().hex[:8]}"
    api = client.create_rest_api(
        name=name, description="d", endpointConfiguration={"types": ["REGIONAL"]}, tags={"team": "a"}
    )
    assert api["endpointConfiguration"] == {"types": ["REGIONAL"], "ipAddressType": "ipv4"}
    assert api["apiKeySource"] == "HEADER" and api["disableExecuteApiEndpoint"] is False
    assert len(api["rootResourceId"]) == 10 and api["tags"] == {"team": "a"}
    assert client.get_rest_api(restApiId=api["id"])["name"] == name
    assert api["id"] in [item["id"] for item in client.get_rest_apis(limit=500)["items"]]
    updated = client.update_rest_api(
        restApiId=api["id"],
        patchOperations=[
            {"op": "replace", "path": "/description", "value": "new"},
            {"op": "add", "path": "/binaryMediaTypes/image~1png"},
        ],
    )
    assert updated["description"] == "new" and updated["binaryMediaTypes"] == ["image/png"]
    client.delete_rest_api(restApiId=api["id"])
    code, message, status = error_of(lambda: client.get_rest_api(restApiId=api["id"]))
    assert (code, status) == ("NotFoundException", 404)
    assert message == f"Invalid API identifier specified 000000000000:{api['id']}"


def test_resource_rules(client: Any) -> None:
    api = client.create_rest_api(name="resources")
    root = api["rootResourceId"]
    pets = client.create_resource(restApiId=api["id"], parentId=root, pathPart="pets")
    assert len(pets["id"]) == 6
    code, message, status = error_of(
        lambda: client.create_resource(restApiId=api["id"], parentId=root, pathPart="pets")
    )
    assert (code, status) == ("ConflictException", 409)
    assert message == "Another resource with the same parent already has this name: pets"
    proxy = client.create_resource(restApiId=api["id"], parentId=root, pathPart="{proxy+}")
    assert proxy["path"] == "/{proxy+}"
    code, message, _ = error_of(
        lambda: client.create_resource(restApiId=api["id"], parentId=root, pathPart="{id}")
    )
    assert code == "BadRequestException" and "only one is allowed" in message
    code, message, _ = error_of(
        lambda: client.create_resource(restApiId=api["id"], parentId=proxy["id"], pathPart="x")
    )
    assert message == "Cannot create a child of a resource with a greedy path variable: {proxy+}"
    pet = client.create_resource(restApiId=api["id"], parentId=pets["id"], pathPart="{petId}")
    client.put_method(restApiId=api["id"], resourceId=pet["id"], httpMethod="GET", authorizationType="NONE")
    listed = {r["path"]: r for r in client.get_resources(restApiId=api["id"])["items"]}
    assert listed["/pets/{petId}"]["resourceMethods"] == {"GET": {}}
    embedded = client.get_resources(restApiId=api["id"], embed=["methods"])["items"]
    method = next(r for r in embedded if r["id"] == pet["id"])["resourceMethods"]["GET"]
    assert method["authorizationType"] == "NONE"
    client.delete_resource(restApiId=api["id"], resourceId=pets["id"])
    assert {r["path"] for r in client.get_resources(restApiId=api["id"])["items"]} == {"/", "/{proxy+}"}


def test_methods_integrations_and_their_responses(client: Any) -> None:
    api = client.create_rest_api(name="methods")
    ids = {"restApiId": api["id"], "resourceId": api["rootResourceId"]}
    code, message, _ = error_of(
        lambda: client.put_method(**ids, httpMethod="FETCH", authorizationType="NONE")
    )
    assert message.startswith("Invalid HttpMethod specified. Valid options are GET,PUT,POST")
    client.put_method(**ids, httpMethod="GET", authorizationType="NONE", apiKeyRequired=True)
    assert client.get_method(**ids, httpMethod="GET")["apiKeyRequired"] is True
    updated = client.update_method(
        **ids,
        httpMethod="GET",
        patchOperations=[{"op": "replace", "path": "/apiKeyRequired", "value": "false"}],
    )
    assert updated["apiKeyRequired"] is False
    code, message, status = error_of(lambda: client.get_integration(**ids, httpMethod="GET"))
    assert (code, status) == ("NotFoundException", 404)
    code, message, _ = error_of(
        lambda: client.put_integration(
            **ids, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
            uri="arn:aws:apigateway:us-east-1:sqs:path/000000000000/q",
        )
    )  # fmt: skip
    assert code == "BadRequestException" and "only supports Lambda function" in message
    uri = lambda_uri("arn:aws:lambda:us-east-1:000000000000:function:f")
    client.put_integration(**ids, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST", uri=uri)
    assert client.get_integration(**ids, httpMethod="GET")["uri"] == uri
    assert client.get_method(**ids, httpMethod="GET")["methodIntegration"]["type"] == "AWS_PROXY"
    client.put_method_response(**ids, httpMethod="GET", statusCode="200")
    client.put_integration_response(**ids, httpMethod="GET", statusCode="200", selectionPattern="")
    method_response = client.get_method_response(**ids, httpMethod="GET", statusCode="200")
    assert {k: v for k, v in method_response.items() if k != "ResponseMetadata"} == {"statusCode": "200"}
    assert client.get_integration_response(**ids, httpMethod="GET", statusCode="200")["statusCode"] == "200"
    client.delete_integration(**ids, httpMethod="GET")
    code, message, _ = error_of(lambda: client.get_integration(**ids, httpMethod="GET"))
    assert message == "Invalid Integration identifier specified"
    client.delete_method(**ids, httpMethod="GET")
    code, message, _ = error_of(lambda: client.get_method(**ids, httpMethod="GET"))
    assert message == "Invalid Method identifier specified"


def test_deployments_need_methods_with_integrations(client: Any) -> None:
    api = client.create_rest_api(name="empty")
    code, message, status = error_of(lambda: client.create_deployment(restApiId=api["id"], stageName="s"))
    assert (code, message, status) == ("BadRequestException", "The REST API doesn't contain any methods", 400)
    ids = {"restApiId": api["id"], "resourceId": api["rootResourceId"], "httpMethod": "GET"}
    client.put_method(**ids, authorizationType="NONE")
    code, message, _ = error_of(lambda: client.create_deployment(restApiId=api["id"], stageName="s"))
    assert message == "No integration defined for method"


def test_a_stage_serves_its_deployment_snapshot(
    server: ServerProcess, client: Any, make_handler: Callable[..., str], proxy_api: Callable[..., Api]
) -> None:
    arn = make_handler("def handler(event, context):\n    return {'body': event['resource']}\n")
    api = proxy_api(arn, {"/one": "GET"}, stage="v1")
    first = client.get_stage(restApiId=api.id, stageName="v1")["deploymentId"]
    two = client.create_resource(restApiId=api.id, parentId=api.root_id, pathPart="two")
    ids = {"restApiId": api.id, "resourceId": two["id"], "httpMethod": "GET"}
    client.put_method(**ids, authorizationType="NONE")
    client.put_integration(**ids, type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri(arn))
    # Not deployed yet: the stage still serves the first snapshot.
    assert httpx.get(f"{api.url('v1')}/two").status_code == 403
    second = client.create_deployment(restApiId=api.id, description="adds /two")["id"]
    client.create_stage(restApiId=api.id, stageName="v2", deploymentId=second, variables={"k": "v"})
    assert httpx.get(f"{api.url('v2')}/two").text == "/two"
    assert httpx.get(f"{api.url('v1')}/two").status_code == 403
    code, _, status = error_of(
        lambda: client.create_stage(restApiId=api.id, stageName="v2", deploymentId=second)
    )
    assert (code, status) == ("ConflictException", 409)
    stages = client.get_stages(restApiId=api.id)["item"]
    assert {s["stageName"]: s["deploymentId"] for s in stages} == {"v1": first, "v2": second}
    moved = client.update_stage(
        restApiId=api.id,
        stageName="v1",
        patchOperations=[
            {"op": "replace", "path": "/deploymentId", "value": second},
            {"op": "replace", "path": "/description", "value": "moved"},
            {"op": "remove", "path": "/variables/absent"},
        ],
    )
    assert moved["deploymentId"] == second and moved["description"] == "moved"
    assert httpx.get(f"{api.url('v1')}/two").text == "/two"
    code, message, _ = error_of(lambda: client.delete_deployment(restApiId=api.id, deploymentId=second))
    assert message == "Active stages pointing to this deployment must be moved or deleted"
    client.delete_deployment(restApiId=api.id, deploymentId=first)
    assert [d["id"] for d in client.get_deployments(restApiId=api.id)["items"]] == [second]
    client.delete_stage(restApiId=api.id, stageName="v2")
    code, message, status = error_of(lambda: client.get_stage(restApiId=api.id, stageName="v2"))
    assert (code, message, status) == ("NotFoundException", "Invalid Stage identifier specified", 404)


def test_tags_on_apis_and_stages(
    client: Any, make_handler: Callable[..., str], proxy_api: Callable[..., Api]
) -> None:
    api = proxy_api(make_handler("def handler(e, c):\n    return {}\n"), {"/t": "GET"})
    api_arn = f"arn:aws:apigateway:us-east-1::/restapis/{api.id}"
    client.tag_resource(resourceArn=api_arn, tags={"a": "1", "b": "2"})
    client.untag_resource(resourceArn=api_arn, tagKeys=["a"])
    assert client.get_tags(resourceArn=api_arn)["tags"] == {"b": "2"}
    assert client.get_rest_api(restApiId=api.id)["tags"] == {"b": "2"}
    stage_arn = f"{api_arn}/stages/test"
    client.tag_resource(resourceArn=stage_arn, tags={"env": "dev"})
    assert client.get_stage(restApiId=api.id, stageName="test")["tags"] == {"env": "dev"}


def test_unsupported_integration_types_are_refused_clearly(client: Any) -> None:
    api = client.create_rest_api(name="aws-integration")
    ids = {"restApiId": api["id"], "resourceId": api["rootResourceId"], "httpMethod": "POST"}
    client.put_method(**ids, authorizationType="NONE")
    code, message, status = error_of(
        lambda: client.put_integration(
            **ids, type="HTTP", integrationHttpMethod="POST", uri="http://example.com/",
        )
    )  # fmt: skip
    assert (code, status) == ("NotImplemented", 501) and "AWS_PROXY" in message
