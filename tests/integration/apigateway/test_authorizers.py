"""Lambda authorizers in front of a Lambda proxy method, through boto3 and plain HTTP: TOKEN and REQUEST
types, 401 without an identity, 403 on a denying policy, the authorizer's context in the integration's
event, and the answer cached for its TTL on the virtual clock."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.integration.apigateway.conftest import lambda_uri
from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.support.server import ServerProcess, make_server

AUTHORIZER = """
import os, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    identity = event.get("authorizationToken") or event["headers"].get("X-User", "")
    sqs.send_message(QueueUrl=os.environ["CALLS"], MessageBody=identity)
    if identity == "boom":
        raise Exception("Unauthorized")
    effect = "Allow" if identity.startswith("allow") else "Deny"
    stage_arn = event["methodArn"].rsplit("/", 2)[0]
    return {"principalId": identity.split("-")[-1],
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": stage_arn + "/*"}]},
            "context": {"tier": "gold", "n": 3, "nested": {"dropped": True}}}
"""
BACKEND = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
"""


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = make_server(tmp_path_factory.mktemp("authorizers"), "--in-memory").start()
    yield process
    process.stop()


def function(server: ServerProcess, source: str, **settings: Any) -> str:
    created = server.client("lambda").create_function(
        FunctionName=f"fn-{uuid.uuid4().hex[:10]}",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of(source)},
        Timeout=30,
        **settings,
    )
    return str(created["FunctionArn"])


def calls(server: ServerProcess, queue: str) -> list[str]:
    sqs, found = server.client("sqs"), []
    while True:
        batch = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        if not batch:
            return found
        for message in batch:
            found.append(message["Body"])
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])


def test_token_and_request_authorizers(auth_server: ServerProcess) -> None:
    apigw = auth_server.client("apigateway")
    queue = auth_server.client("sqs").create_queue(QueueName=f"calls-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    authorizer_arn = function(auth_server, AUTHORIZER, Environment={"Variables": {"CALLS": queue}})
    backend_arn = function(auth_server, BACKEND)
    api = apigw.create_rest_api(name=f"auth-{uuid.uuid4().hex[:6]}")
    token = apigw.create_authorizer(
        restApiId=api["id"],
        name="token",
        type="TOKEN",
        authorizerUri=lambda_uri(authorizer_arn),
        identitySource="method.request.header.Authorization",
        authorizerResultTtlInSeconds=60,
    )
    request = apigw.create_authorizer(
        restApiId=api["id"],
        name="request",
        type="REQUEST",
        authorizerUri=lambda_uri(authorizer_arn),
        identitySource="method.request.header.X-User, method.request.querystring.key",
        authorizerResultTtlInSeconds=0,
    )
    assert [a["name"] for a in apigw.get_authorizers(restApiId=api["id"])["items"]] == ["token", "request"]
    for path, authorizer in (("orders", token), ("reports", request)):
        resource = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart=path)
        apigw.put_method(
            restApiId=api["id"],
            resourceId=resource["id"],
            httpMethod="GET",
            authorizationType="CUSTOM",
            authorizerId=authorizer["id"],
        )
        apigw.put_integration(
            restApiId=api["id"],
            resourceId=resource["id"],
            httpMethod="GET",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=lambda_uri(backend_arn),
        )
    with pytest.raises(ClientError) as no_authorizer:
        apigw.put_method(
            restApiId=api["id"],
            resourceId=api["rootResourceId"],
            httpMethod="GET",
            authorizationType="CUSTOM",
            authorizerId="nope00",
        )
    assert no_authorizer.value.response["Error"]["Code"] == "BadRequestException"
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    base = f"{auth_server.url}/restapis/{api['id']}/prod/_user_request_"

    missing = httpx.get(f"{base}/orders")
    assert missing.status_code == 401 and missing.json() == {"message": "Unauthorized"}
    assert calls(auth_server, queue) == []  # no identity: the authorizer is not called
    denied = httpx.get(f"{base}/orders", headers={"Authorization": "deny-bob"})
    assert denied.status_code == 403
    assert denied.json() == {
        "Message": "User is not authorized to access this resource with an explicit deny"
    }
    raised = httpx.get(f"{base}/orders", headers={"Authorization": "boom"})
    assert raised.status_code == 401
    allowed = httpx.get(f"{base}/orders", headers={"Authorization": "allow-ann"})
    assert allowed.status_code == 200, allowed.text
    assert allowed.json() == {"principalId": "ann", "tier": "gold", "n": 3}
    assert calls(auth_server, queue) == ["deny-bob", "boom", "allow-ann"]

    assert httpx.get(f"{base}/orders", headers={"Authorization": "allow-ann"}).status_code == 200
    assert calls(auth_server, queue) == []  # cached for 60 s of the virtual clock
    auth_server.post("/_millpond/clock", {"advance": 61})
    assert httpx.get(f"{base}/orders", headers={"Authorization": "allow-ann"}).status_code == 200
    assert calls(auth_server, queue) == ["allow-ann"]
    apigw.flush_stage_authorizers_cache(restApiId=api["id"], stageName="prod")
    assert httpx.get(f"{base}/orders", headers={"Authorization": "allow-ann"}).status_code == 200
    assert calls(auth_server, queue) == ["allow-ann"]

    assert httpx.get(f"{base}/reports", headers={"X-User": "allow-cy"}).status_code == 401  # no ?key=
    report = httpx.get(f"{base}/reports", params={"key": "k"}, headers={"X-User": "allow-cy"})
    assert report.status_code == 200 and report.json()["principalId"] == "cy"
    assert (
        httpx.get(f"{base}/reports", params={"key": "k"}, headers={"X-User": "allow-cy"}).status_code == 200
    )
    assert calls(auth_server, queue) == ["allow-cy", "allow-cy"]  # TTL 0: never cached

    with pytest.raises(ClientError) as in_use:
        apigw.delete_authorizer(restApiId=api["id"], authorizerId=token["id"])
    assert in_use.value.response["Error"]["Code"] == "ConflictException"
    updated = apigw.update_authorizer(
        restApiId=api["id"],
        authorizerId=token["id"],
        patchOperations=[{"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "10"}],
    )
    assert updated["authorizerResultTtlInSeconds"] == 10
    assert (
        json.loads(
            json.dumps(apigw.get_authorizer(restApiId=api["id"], authorizerId=token["id"]), default=str)
        )["name"]
        == "token"
    )
