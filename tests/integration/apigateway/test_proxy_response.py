"""The proxy response contract (statusCode, headers, body, isBase64Encoded) and the 403/502/504 answers."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import httpx
import pytest

from tests.integration.apigateway.conftest import Api
from tests.support.server import ServerProcess

RETURNS = """
import json
def handler(event, context):
    return json.loads(event["body"])
"""


@pytest.fixture
def returning_api(make_handler: Callable[..., str], proxy_api: Callable[..., Api]) -> Api:
    """POST /r returns whatever JSON document the request body holds."""
    return proxy_api(make_handler(RETURNS, Timeout=30), {"/r": "POST"}, binaryMediaTypes=["image/png"])


def returned(api: Api, document: object, **kwargs: object) -> httpx.Response:
    return httpx.post(f"{api.url()}/r", content=json.dumps(document).encode(), **kwargs)  # type: ignore[arg-type]


def assert_internal_error(reply: httpx.Response, status: int) -> None:
    assert reply.status_code == status, reply.text
    assert reply.json() == {"message": "Internal server error"}
    assert reply.headers["x-amzn-errortype"] == "InternalServerErrorException"


def test_status_code_headers_and_body_reach_the_client(returning_api: Api) -> None:
    reply = returned(
        returning_api,
        {"statusCode": 201, "headers": {"X-Solo": "s", "X-Flag": True}, "body": "made"},
    )
    assert reply.status_code == 201 and reply.text == "made"
    assert reply.headers["x-solo"] == "s" and reply.headers["x-flag"] == "true"
    assert reply.headers["content-type"] == "application/json"  # the default when none is set


def test_missing_status_code_means_200_and_a_numeric_string_is_taken(returning_api: Api) -> None:
    reply = returned(returning_api, {"headers": {"Content-Type": "text/plain"}})
    assert reply.status_code == 200 and reply.text == "" and reply.headers["content-type"] == "text/plain"
    assert returned(returning_api, {"statusCode": "202", "body": "ok"}).status_code == 202


def test_multi_value_headers_come_first_then_the_single_value(returning_api: Api) -> None:
    reply = returned(
        returning_api,
        {
            "statusCode": 200,
            "headers": {"x-both": "value-solo"},
            "multiValueHeaders": {"X-Both": ["value-multi"], "Set-Cookie": ["a=1", "b=2"]},
        },
    )
    assert reply.headers["x-both"] == "value-multi, value-solo"
    assert reply.headers.get_list("set-cookie") == ["a=1", "b=2"]


@pytest.mark.parametrize(
    "document",
    [
        {"statusCode": 200, "wrongValue": 1},
        {},
        "just a string",
        {"statusCode": "two hundred"},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "multiValueHeaders": {"X-A": "not a list"}},
    ],
    ids=["extra-key", "empty", "bare-string", "bad-status", "object-body", "multi-not-list"],
)
def test_malformed_proxy_responses_get_502(returning_api: Api, document: object) -> None:
    assert_internal_error(returned(returning_api, document), 502)


def test_base64_bodies_are_decoded_only_for_binary_accept_types(returning_api: Api) -> None:
    blob = bytes(range(256))
    document = {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(blob).decode(),
                "headers": {"Content-Type": "image/png"}}  # fmt: skip
    assert returned(returning_api, document, headers={"Accept": "image/png"}).content == blob
    assert returned(returning_api, document).text == base64.b64encode(blob).decode()


def test_function_errors_get_502(make_handler: Callable[..., str], proxy_api: Callable[..., Api]) -> None:
    failing = make_handler("def handler(event, context):\n    raise RuntimeError('boom')\n")
    api = proxy_api(failing, {"/boom": "GET"})
    assert_internal_error(httpx.get(f"{api.url()}/boom"), 502)
    not_json = make_handler("def handler(event, context):\n    return 'plain text'\n")
    assert_internal_error(httpx.get(f"{proxy_api(not_json, {'/t': 'GET'}).url()}/t"), 502)


def test_integration_timeout_gets_504_while_the_function_runs_on(
    make_handler: Callable[..., str], proxy_api: Callable[..., Api]
) -> None:
    # AWS's default is 29 s; timeoutInMillis (50-29,000 ms) lowers it, so the test waits 0.5 s, not 29.
    slow = make_handler(
        "import time\ndef handler(event, context):\n    time.sleep(3)\n    return {}\n", Timeout=10
    )
    api = proxy_api(slow, {"/slow": "GET"}, timeout_ms=500)
    started = time.monotonic()
    reply = httpx.get(f"{api.url()}/slow", timeout=10)
    assert reply.status_code == 504 and reply.json() == {"message": "Endpoint request timed out"}
    assert time.monotonic() - started < 2.5


def test_unknown_routes_get_403_missing_authentication_token(
    server: ServerProcess, returning_api: Api
) -> None:
    for method, path in (("GET", "/nowhere"), ("GET", "/r"), ("POST", "/r/deeper"), ("POST", "/")):
        reply = httpx.request(method, returning_api.url() + path)
        assert reply.status_code == 403 and reply.json() == {"message": "Missing Authentication Token"}
        assert reply.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    unknown_stage = httpx.post(f"{returning_api.url('nostage')}/r")
    assert unknown_stage.status_code == 403 and unknown_stage.json() == {"message": "Forbidden"}
    unknown_api = httpx.get(f"{server.url}/restapis/zzzzzzzzzz/test/_user_request_/r")
    assert unknown_api.status_code == 403


def test_a_missing_function_gets_500(
    server: ServerProcess, make_handler: Callable[..., str], proxy_api: Callable[..., Api]
) -> None:
    arn = make_handler("def handler(event, context):\n    return {}\n")
    api = proxy_api(arn, {"/gone": "GET"})
    server.client("lambda").delete_function(FunctionName=arn)
    assert_internal_error(httpx.get(f"{api.url()}/gone"), 500)
