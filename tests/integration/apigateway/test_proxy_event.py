"""The Lambda proxy event (payload format 1.0) a function behind a REST API receives, field by field."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.integration.apigateway.conftest import Api
from tests.support.server import ServerProcess

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""

IDENTITY_KEYS = {
    "accessKey", "accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType",
    "cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "sourceIp", "user", "userAgent",
    "userArn",
}  # fmt: skip
CONTEXT_KEYS = {
    "accountId", "apiId", "deploymentId", "domainName", "domainPrefix", "extendedRequestId", "httpMethod",
    "identity", "path", "protocol", "requestId", "requestTime", "requestTimeEpoch", "resourceId",
    "resourcePath", "stage",
}  # fmt: skip
EVENT_KEYS = {
    "resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
    "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext", "body",
    "isBase64Encoded",
}  # fmt: skip


@pytest.fixture
def echo_api(make_handler: Callable[..., str], proxy_api: Callable[..., Api]) -> Callable[..., Api]:
    def build(paths: dict[str, str], **settings: Any) -> Api:
        return proxy_api(make_handler(ECHO, Timeout=30), paths, **settings)

    return build


def test_event_fields_match_the_aws_shape(server: ServerProcess, echo_api: Callable[..., Api]) -> None:
    api = echo_api({"/items": "POST"})
    before = time.time()
    reply = httpx.post(
        api.url() + "/items",
        content=b'{"a": 1}',
        headers={"Content-Type": "application/json", "tEsT-HEADeR": "aValUE", "User-Agent": "tests/1.0"},
    )
    assert reply.status_code == 200, reply.text
    event = reply.json()
    assert set(event) == EVENT_KEYS
    assert event["resource"] == "/items" and event["path"] == "/items" and event["httpMethod"] == "POST"
    assert event["body"] == '{"a": 1}' and event["isBase64Encoded"] is False
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None and event["stageVariables"] is None
    headers = event["headers"]
    assert headers["Content-Type"] == "application/json" and headers["User-Agent"] == "tests/1.0"
    assert headers["Host"] == f"localhost:{server.port}"
    assert headers["X-Forwarded-For"] == "127.0.0.1" and headers["X-Forwarded-Proto"] == "http"
    assert headers["X-Forwarded-Port"] == str(server.port)
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}", headers["X-Amzn-Trace-Id"])
    # The client's own header arrives (its spelling is Title-Cased by the HTTP server; see execute_api.py).
    assert {k.lower(): v for k, v in headers.items()}["test-header"] == "aValUE"
    assert "Content-Length" not in headers and "Connection" not in headers
    assert event["multiValueHeaders"] == {name: [value] for name, value in headers.items()}
    context = event["requestContext"]
    assert set(context) == CONTEXT_KEYS and set(context["identity"]) == IDENTITY_KEYS
    assert context["accountId"] == "000000000000" and context["apiId"] == api.id
    assert context["httpMethod"] == "POST" and context["stage"] == "test"
    assert context["path"] == "/test/items" and context["resourcePath"] == "/items"
    assert context["protocol"] == "HTTP/1.1" and context["domainName"] == f"localhost:{server.port}"
    assert context["identity"]["sourceIp"] == "127.0.0.1" and context["identity"]["userAgent"] == "tests/1.0"
    assert [k for k, v in context["identity"].items() if v is not None] == ["sourceIp", "userAgent"]
    assert re.fullmatch(r"[0-9a-f-]{36}", context["requestId"])
    assert reply.headers["x-amzn-requestid"] == context["requestId"]
    assert reply.headers["x-amz-apigw-id"] == context["extendedRequestId"]
    resources = server.client("apigateway").get_resources(restApiId=api.id)["items"]
    assert context["resourceId"] == next(r["id"] for r in resources if r["path"] == "/items")
    deployments = server.client("apigateway").get_deployments(restApiId=api.id)["items"]
    assert context["deploymentId"] == deployments[0]["id"]
    epoch_ms = context["requestTimeEpoch"]
    assert before * 1000 - 1000 <= epoch_ms <= time.time() * 1000 + 1000
    expected = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_ms // 1000))
    assert context["requestTime"] == expected


def test_host_form_sets_domain_prefix_to_the_api_id(
    server: ServerProcess, echo_api: Callable[..., Api]
) -> None:
    api = echo_api({"/items": "GET"})
    host = f"{api.id}.execute-api.localhost:{server.port}"
    # Python cannot resolve *.localhost names, so send the Host header the URL would carry.
    reply = httpx.get(f"{server.url}/test/items", headers={"Host": host})
    assert reply.status_code == 200, reply.text
    context = reply.json()["requestContext"]
    assert context["domainName"] == host and context["domainPrefix"] == api.id
    assert context["path"] == "/test/items"


def test_query_strings_decode_and_repeated_keys_keep_the_last_value(echo_api: Callable[..., Api]) -> None:
    api = echo_api({"/search": "GET"})
    query = "category=books&category=music&email=test%2Balias%40x.com&plus=a+b&empty=&flag"
    event = httpx.get(f"{api.url()}/search?{query}").json()
    assert event["queryStringParameters"] == {
        "category": "music", "email": "test+alias@x.com", "plus": "a b", "empty": "", "flag": "",
    }  # fmt: skip
    assert event["multiValueQueryStringParameters"] == {
        "category": ["books", "music"], "email": ["test+alias@x.com"], "plus": ["a b"], "empty": [""],
        "flag": [""],
    }  # fmt: skip


def test_repeated_headers_are_all_in_multi_value_headers(echo_api: Callable[..., Api]) -> None:
    api = echo_api({"/h": "GET"})
    event = httpx.get(f"{api.url()}/h", headers=[("X-Repeat", "one"), ("X-Repeat", "two")]).json()
    assert event["headers"]["X-Repeat"] == "two"
    assert event["multiValueHeaders"]["X-Repeat"] == ["one", "two"]


def test_path_parameters_and_the_most_specific_resource_win(echo_api: Callable[..., Api]) -> None:
    api = echo_api({"/orders/{id}": "GET", "/orders/latest": "GET", "/orders/{id}/items/{item}": "ANY"})
    event = httpx.get(f"{api.url()}/orders/o-17").json()
    assert event["resource"] == "/orders/{id}" and event["pathParameters"] == {"id": "o-17"}
    assert event["requestContext"]["resourcePath"] == "/orders/{id}"
    latest = httpx.get(f"{api.url()}/orders/latest").json()
    assert latest["resource"] == "/orders/latest" and latest["pathParameters"] is None
    nested = httpx.delete(f"{api.url()}/orders/o-1/items/i-2").json()
    assert nested["resource"] == "/orders/{id}/items/{item}" and nested["httpMethod"] == "DELETE"
    assert nested["pathParameters"] == {"id": "o-1", "item": "i-2"}


def test_greedy_proxy_takes_the_rest_of_the_path(echo_api: Callable[..., Api]) -> None:
    api = echo_api({"/{proxy+}": "ANY"})
    event = httpx.get(f"{api.url()}/test-path/").json()
    # The trailing slash stays in path but not in the proxy parameter.
    assert event["path"] == "/test-path/" and event["pathParameters"] == {"proxy": "test-path"}
    assert event["resource"] == "/{proxy+}" and event["requestContext"]["path"] == "/test/test-path/"
    deep = httpx.put(f"{api.url()}/api/user/test%2Balias@gmail.com/plus").json()
    # Percent-encoding in the path is not decoded.
    assert deep["path"] == "/api/user/test%2Balias@gmail.com/plus"
    assert deep["pathParameters"] == {"proxy": "api/user/test%2Balias@gmail.com/plus"}
    assert deep["httpMethod"] == "PUT"


def test_binary_bodies_arrive_base64_encoded(echo_api: Callable[..., Api]) -> None:
    api = echo_api({"/upload": "POST"}, binaryMediaTypes=["application/octet-stream", "image/*"])
    blob = bytes(range(256))
    for content_type in ("application/octet-stream", "image/png"):
        event = httpx.post(f"{api.url()}/upload", content=blob, headers={"Content-Type": content_type}).json()
        assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == blob
    text = httpx.post(f"{api.url()}/upload", content=b"plain", headers={"Content-Type": "text/plain"}).json()
    assert text["isBase64Encoded"] is False and text["body"] == "plain"


def test_stage_variables_reach_the_event(server: ServerProcess, echo_api: Callable[..., Api]) -> None:
    api = echo_api({"/v": "GET"})
    client = server.client("apigateway")
    client.update_stage(
        restApiId=api.id,
        stageName="test",
        patchOperations=[{"op": "replace", "path": "/variables/table", "value": "orders-dev"}],
    )
    event = httpx.get(f"{api.url()}/v").json()
    assert event["stageVariables"] == {"table": "orders-dev"}
