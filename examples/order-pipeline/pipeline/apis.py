"""The two REST APIs: one resource each, POST and OPTIONS by Lambda proxy to a producer, stage `prod`.

Idempotent like the rest: an API is found by name, missing pieces are added, and the stage is redeployed
only when something changed (or it has never been deployed)."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from pipeline.create import error_code
from pipeline.stack import APIS, STAGE, Api, Stack

METHODS = ("POST", "OPTIONS")  # OPTIONS answers CORS preflights from a browser


def integration_uri(stack: Stack, function_arn: str) -> str:
    return f"arn:aws:apigateway:{stack.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def ensure_api(stack: Stack, api: Api, function_arn: str) -> str:
    """The API's invoke URL for stage prod, including the resource path."""
    name = stack.name(api.key)
    found = stack.find_api(name)
    changed: list[str] = []
    if found is None:
        found = stack.apigateway.create_rest_api(
            name=name,
            description=f"Order pipeline: POST /{api.path}",
            endpointConfiguration={"types": ["REGIONAL"]},
            tags=stack.tags,
        )
        changed.append("api")
    api_id = found["id"]
    resources = stack.apigateway.get_resources(restApiId=api_id, limit=500)["items"]
    by_path = {r["path"]: r for r in resources}
    resource = by_path.get(f"/{api.path}")
    if resource is None:
        resource = stack.apigateway.create_resource(
            restApiId=api_id, parentId=by_path["/"]["id"], pathPart=api.path
        )
        changed.append("resource")
    uri = integration_uri(stack, function_arn)
    for method in METHODS:
        try:
            stack.apigateway.get_method(restApiId=api_id, resourceId=resource["id"], httpMethod=method)
        except ClientError as error:
            if error_code(error) != "NotFoundException":
                raise
            stack.apigateway.put_method(
                restApiId=api_id, resourceId=resource["id"], httpMethod=method, authorizationType="NONE"
            )
            changed.append(method)
        try:
            current = stack.apigateway.get_integration(
                restApiId=api_id, resourceId=resource["id"], httpMethod=method
            )
        except ClientError as error:
            if error_code(error) != "NotFoundException":
                raise
            current = {}
        if current.get("type") != "AWS_PROXY" or current.get("uri") != uri:
            stack.apigateway.put_integration(
                restApiId=api_id,
                resourceId=resource["id"],
                httpMethod=method,
                type="AWS_PROXY",
                integrationHttpMethod="POST",  # Lambda is always invoked with POST
                uri=uri,
            )
            changed.append(f"{method} integration")
    if allow_invoke(stack, api, api_id, function_arn):
        changed.append("permission")
    stages = {s["stageName"] for s in stack.apigateway.get_stages(restApiId=api_id)["item"]}
    if changed or STAGE not in stages:
        stack.apigateway.create_deployment(
            restApiId=api_id, stageName=STAGE, description="deployed by order-pipeline"
        )
    status = "created" if "api" in changed else "updated" if changed or STAGE not in stages else "unchanged"
    stack.progress("REST API", name, status, "" if status == "created" else ", ".join(changed))
    return f"{stack.invoke_url(api_id)}/{api.path}"


def allow_invoke(stack: Stack, api: Api, api_id: str, function_arn: str) -> bool:
    """Let API Gateway invoke the function (a resource policy statement); True if it was added."""
    statement_id = f"{stack.name(api.key)}-invoke"
    try:
        policy = json.loads(stack.lambda_.get_policy(FunctionName=function_arn)["Policy"])
        statements: list[dict[str, Any]] = policy.get("Statement", [])
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        statements = []
    source_arn = f"arn:aws:execute-api:{stack.region}:{stack.account}:{api_id}/*/*/{api.path}"
    for statement in statements:
        if statement.get("Sid") == statement_id:
            condition = statement.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn")
            if condition == source_arn:
                return False
            stack.lambda_.remove_permission(FunctionName=function_arn, StatementId=statement_id)
    stack.lambda_.add_permission(
        FunctionName=function_arn,
        StatementId=statement_id,
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=source_arn,
    )
    return True


def ensure_apis(stack: Stack, function_arns: dict[str, str]) -> dict[str, str]:
    """Invoke URLs by API key."""
    return {api.key: ensure_api(stack, api, function_arns[api.function]) for api in APIS}
