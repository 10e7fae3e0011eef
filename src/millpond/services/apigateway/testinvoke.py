"""TestInvokeMethod: one method called as the API Gateway console's Test tab calls it, on the API as it is
now (no deployment needed): stage "test-invoke-stage", deployment "test-invoke-deployment-id", with the
response and an execution log in AWS's line format. (Named so test runners do not mistake it for a test.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.services.apigateway import methods, resources, routing
from millpond.services.apigateway.common import bad_request
from millpond.services.apigateway.integrations import LAMBDA_URI
from millpond.services.apigateway.invoke import ExecuteApi
from millpond.services.apigateway.proxy_event import extended_request_id, trace_id
from millpond.services.apigateway.repository import RestApiRecord
from millpond.services.apigateway.request import ExecuteRequest

TEST_STAGE = "test-invoke-stage"
TEST_DEPLOYMENT = "test-invoke-deployment-id"


def _stamp(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def _braces(pairs: dict[str, Any]) -> str:
    # AWS logs maps the Java way: {a=1, b=2}.
    return "{" + ", ".join(f"{k}={v}" for k, v in pairs.items()) + "}"


def _endpoint(integration: dict[str, Any]) -> str | None:
    uri = integration.get("uri") or ""
    target = LAMBDA_URI.match(uri)
    if target is not None:
        return (
            f"https://lambda.{target.group('region')}.amazonaws.com/2015-03-31/functions/"
            f"{target.group('function')}/invocations"
        )
    return uri or None


def _request(
    record: RestApiRecord, resource: dict[str, Any], params: dict[str, Any], ctx: RequestContext
) -> ExecuteRequest:
    path, _, query = str(params.get("pathWithQueryString") or resource["path"]).partition("?")
    headers = list((params.get("headers") or {}).items())
    for name, values in (params.get("multiValueHeaders") or {}).items():
        headers.extend((name, value) for value in values if (name, value) not in headers)
    return ExecuteRequest(
        api_id=record.api["id"],
        stage=TEST_STAGE,
        method=params["httpMethod"],
        path=path if path.startswith("/") else "/" + path,
        query_string=query,
        headers=headers,
        body=str(params.get("body") or "").encode(),
        endpoint_url=ctx.endpoint_url,
    )


async def test_invoke_method(
    data_plane: ExecuteApi, record: RestApiRecord, params: dict[str, Any], ctx: RequestContext, clock: Clock
) -> dict[str, Any]:
    resource = resources.get(record, params["resourceId"])
    method = methods.get(record, params["resourceId"], params["httpMethod"])
    if "methodIntegration" not in method:
        raise bad_request("No integration defined for method")
    request = _request(record, resource, params, ctx)
    found = routing.match(record.resources, request.method, request.path)
    if found is None or found.resource.get("id") != resource.get("id"):
        found = routing.RouteMatch(resource=resource, method=method, path_parameters={})
    snapshot = {
        "resources": record.resources,
        "binaryMediaTypes": list(record.api.get("binaryMediaTypes") or []),
        "disableExecuteApiEndpoint": False,
    }
    started = clock.now()
    ids = (ctx.request_id, extended_request_id(), trace_id(started))
    variables = dict(params.get("stageVariables") or {})
    response = await data_plane.integrate(
        request, record, snapshot, found, variables, TEST_DEPLOYMENT, ids, started
    )
    finished = clock.now()
    body = response.body.decode("utf-8", "replace")
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in response.headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    at = _stamp(started)
    lines = [
        f"Execution log for request {ctx.request_id}",
        f"{at} : Starting execution for request: {ctx.request_id}",
        f"{at} : HTTP Method: {request.method}, Resource Path: {request.path}",
        f"{at} : Method request path: {_braces(found.path_parameters)}",
        f"{at} : Method request query string: {_braces(dict(parse_qsl(request.query_string, True)))}",
        f"{at} : Method request headers: {_braces(dict(request.headers))}",
        f"{at} : Method request body before transformations: {request.body.decode('utf-8', 'replace')}",
    ]
    endpoint = _endpoint(found.method["methodIntegration"])
    if endpoint and found.method["methodIntegration"].get("type") != "MOCK":
        lines.append(f"{at} : Endpoint request URI: {endpoint}")
    done = _stamp(finished)
    lines += [
        f"{done} : Method response body after transformations: {body}",
        f"{done} : Method response headers: {_braces(single)}",
        f"{done} : {'Successfully completed execution' if response.status < 500 else 'Execution failed'}",
        f"{done} : Method completed with status: {response.status}",
    ]
    return {
        "status": response.status,
        "body": body,
        "headers": single,
        "multiValueHeaders": multi,
        "log": "\n".join(lines) + "\n",
        "latency": round((finished - started) * 1000),
    }
