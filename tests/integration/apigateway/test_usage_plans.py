"""API keys and usage plans in front of a method that requires a key: 403 without a key or outside any plan,
the quota counted per day in storage and ended with 429, GetUsage, UpdateUsage, and the throttle."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.integration.apigateway.conftest import Api, lambda_uri
from tests.support.server import ServerProcess

HANDLER = """
def handler(event, context):
    return {"statusCode": 200, "body": "ok"}
"""


def keyed_api(server: ServerProcess, function_arn: str) -> Api:
    apigw = server.client("apigateway")
    api = apigw.create_rest_api(name=f"keys-{uuid.uuid4().hex[:6]}")
    resource = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="orders")
    apigw.put_method(
        restApiId=api["id"],
        resourceId=resource["id"],
        httpMethod="POST",
        authorizationType="NONE",
        apiKeyRequired=True,
    )
    apigw.put_integration(
        restApiId=api["id"],
        resourceId=resource["id"],
        httpMethod="POST",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=lambda_uri(function_arn),
    )
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    return Api(api["id"], api["rootResourceId"], server)


def test_an_api_key_with_a_usage_plan_whose_quota_ends_in_429(
    server: ServerProcess, make_handler: Callable[..., str]
) -> None:
    apigw = server.client("apigateway")
    api = keyed_api(server, make_handler(HANDLER))
    url = f"{api.url('prod')}/orders"
    assert httpx.post(url).status_code == 403  # no key
    key = apigw.create_api_key(name=f"k-{uuid.uuid4().hex[:6]}", enabled=True)
    assert len(key["value"]) >= 20 and "value" not in apigw.get_api_key(apiKey=key["id"])
    assert apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"] == key["value"]
    headers = {"x-api-key": key["value"]}
    assert httpx.post(url, headers=headers).status_code == 403  # a key in no plan for this stage
    plan = apigw.create_usage_plan(
        name=f"plan-{uuid.uuid4().hex[:6]}",
        apiStages=[{"apiId": api.id, "stage": "prod"}],
        quota={"limit": 3, "period": "DAY"},
    )
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert [httpx.post(url, headers=headers).status_code for _ in range(3)] == [200, 200, 200]
    over = httpx.post(url, headers=headers)
    assert over.status_code == 429 and over.json() == {"message": "Limit Exceeded"}
    today = datetime.fromtimestamp(server.get("/_millpond/clock")["now"], UTC).date().isoformat()
    usage = apigw.get_usage(usagePlanId=plan["id"], startDate=today, endDate=today)
    assert usage["items"] == {key["id"]: [[3, 0]]}
    apigw.update_usage(
        usagePlanId=plan["id"],
        keyId=key["id"],
        patchOperations=[{"op": "replace", "path": "/remaining", "value": "1"}],
    )
    assert httpx.post(url, headers=headers).status_code == 200
    assert httpx.post(url, headers=headers).status_code == 429
    apigw.update_api_key(
        apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )
    assert httpx.post(url, headers=headers).status_code == 403
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [key["id"]]
    assert plan["id"] in [p["id"] for p in apigw.get_usage_plans(keyId=key["id"])["items"]]


def test_a_usage_plans_throttle(server: ServerProcess, make_handler: Callable[..., str]) -> None:
    apigw = server.client("apigateway")
    api = keyed_api(server, make_handler(HANDLER))
    key = apigw.create_api_key(
        name=f"t-{uuid.uuid4().hex[:6]}", enabled=True, value="k" * 30 + uuid.uuid4().hex
    )
    plan = apigw.create_usage_plan(
        name="throttled",
        apiStages=[{"apiId": api.id, "stage": "prod"}],
        throttle={"rateLimit": 0.01, "burstLimit": 2},
    )
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    codes = [
        httpx.post(f"{api.url('prod')}/orders", headers={"x-api-key": key["value"]}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    with pytest.raises(ClientError) as missing:
        apigw.create_usage_plan(name="bad", apiStages=[{"apiId": "nope", "stage": "prod"}])
    assert missing.value.response["Error"]["Code"] == "BadRequestException"
    apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    apigw.delete_usage_plan(usagePlanId=plan["id"])
    apigw.delete_api_key(apiKey=key["id"])
    with pytest.raises(ClientError) as gone:
        apigw.get_api_key(apiKey=key["id"])
    assert gone.value.response["Error"]["Code"] == "NotFoundException"
