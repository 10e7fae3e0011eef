"""CORS preflight through a MOCK integration as the console's "Enable CORS" builds it, and concurrency."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.integration.apigateway.conftest import Api, lambda_uri
from tests.support.server import ServerProcess

ALLOW_HEADERS = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"


def enable_cors(server: ServerProcess, api_id: str, resource_id: str, methods: str) -> None:
    """What the console's "Enable CORS" puts on a resource: OPTIONS with a MOCK integration."""
    client = server.client("apigateway")
    ids = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": "OPTIONS"}
    client.put_method(**ids, authorizationType="NONE")
    client.put_integration(**ids, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    names = ("Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin")
    client.put_method_response(
        **ids,
        statusCode="200",
        responseParameters={f"method.response.header.{name}": False for name in names},
        responseModels={"application/json": "Empty"},
    )
    values = (ALLOW_HEADERS, methods, "*")
    client.put_integration_response(
        **ids,
        statusCode="200",
        responseParameters={
            f"method.response.header.{n}": f"'{v}'" for n, v in zip(names, values, strict=True)
        },
        responseTemplates={"application/json": ""},
    )


def test_options_preflight_is_answered_by_the_mock_integration(
    server: ServerProcess, make_handler: Callable[..., str]
) -> None:
    client = server.client("apigateway")
    api = client.create_rest_api(name="cors-api")
    resource = client.create_resource(
        restApiId=api["id"], parentId=api["rootResourceId"], pathPart="messages"
    )
    function_arn = make_handler(
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'headers': {'Access-Control-Allow-Origin': '*'}, 'body': '{}'}\n"
    )
    ids = {"restApiId": api["id"], "resourceId": resource["id"], "httpMethod": "POST"}
    client.put_method(**ids, authorizationType="NONE")
    client.put_integration(
        **ids, type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri(function_arn)
    )
    enable_cors(server, api["id"], resource["id"], "OPTIONS,POST")
    integration = client.get_integration(restApiId=api["id"], resourceId=resource["id"], httpMethod="OPTIONS")
    assert integration["type"] == "MOCK" and "uri" not in integration and "httpMethod" not in integration
    assert integration["integrationResponses"]["200"]["responseTemplates"] == {"application/json": ""}
    client.create_deployment(restApiId=api["id"], stageName="dev")

    url = f"{server.url}/restapis/{api['id']}/dev/_user_request_/messages"
    preflight = httpx.options(
        url, headers={"Origin": "http://app.local", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 200 and preflight.content == b""
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-methods"] == "OPTIONS,POST"
    assert preflight.headers["access-control-allow-headers"] == ALLOW_HEADERS
    actual = httpx.post(url, json={}, headers={"Origin": "http://app.local"})
    assert actual.status_code == 200 and actual.headers["access-control-allow-origin"] == "*"


def test_concurrent_requests_are_served_concurrently(
    make_handler: Callable[..., str], proxy_api: Callable[..., Api]
) -> None:
    sleepy = make_handler(
        "import time\ndef handler(event, context):\n    time.sleep(1)\n"
        "    return {'statusCode': 200, 'body': event['path']}\n",
        Timeout=30,
    )
    api = proxy_api(sleepy, {"/a": "GET", "/b": "GET"})
    paths = ["/a"] * 10 + ["/b"] * 10
    started = time.monotonic()
    with ThreadPoolExecutor(20) as pool:
        replies = list(pool.map(lambda p: httpx.get(api.url() + p, timeout=30), paths))
    elapsed = time.monotonic() - started
    assert [r.status_code for r in replies] == [200] * 20
    assert [r.text for r in replies] == paths
    assert elapsed < 10, f"20 one-second requests took {elapsed:.1f}s"
