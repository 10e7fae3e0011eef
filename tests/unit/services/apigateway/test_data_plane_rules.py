"""API Gateway's data-plane rules without a server: route matching, the proxy response contract, MOCK."""

from __future__ import annotations

import json
from typing import Any

import pytest

from millpond.errors import AwsError
from millpond.services.apigateway import mock, patch, proxy_event, proxy_response, routing
from millpond.services.apigateway.request import ExecuteRequest


def tree(paths: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """Resources for {path: [methods]} (parents created on the way), as a snapshot holds them."""
    resources: dict[str, dict[str, Any]] = {"r": {"id": "r", "path": "/"}}
    by_path = {"/": "r"}
    for path, methods in paths.items():
        parent = "/"
        for part in [p for p in path.split("/") if p]:
            here = parent.rstrip("/") + "/" + part
            if here not in by_path:
                rid = f"id{len(resources)}"
                resources[rid] = {"id": rid, "parentId": by_path[parent], "pathPart": part, "path": here}
                by_path[here] = rid
            parent = here
        resource = resources[by_path[path]]
        resource["resourceMethods"] = {m: {"httpMethod": m} for m in methods}
    return resources


ROUTES = tree(
    {
        "/": ["GET"],
        "/pets": ["GET", "POST"],
        "/pets/{id}": ["GET"],
        "/pets/mine": ["ANY"],
        "/{proxy+}": ["ANY"],
    }
)


@pytest.mark.parametrize(
    ("method", "path", "resource", "params"),
    [
        ("GET", "/", "/", {}),
        ("POST", "/pets", "/pets", {}),
        ("GET", "/pets/7", "/pets/{id}", {"id": "7"}),
        ("DELETE", "/pets/mine", "/pets/mine", {}),
        ("GET", "/pets/mine", "/pets/mine", {}),
        ("DELETE", "/pets/7", "/{proxy+}", {"proxy": "pets/7"}),
        ("GET", "/a/b/c/", "/{proxy+}", {"proxy": "a/b/c"}),
        ("PUT", "/pets", "/{proxy+}", {"proxy": "pets"}),
    ],
)
def test_routes_prefer_literals_then_params_then_greedy(
    method: str, path: str, resource: str, params: dict[str, str]
) -> None:
    found = routing.match(ROUTES, method, path)
    assert found is not None and found.resource["path"] == resource and found.path_parameters == params


def test_no_route_without_a_matching_method() -> None:
    resources = tree({"/only": ["GET"]})
    assert routing.match(resources, "POST", "/only") is None
    assert routing.match(resources, "GET", "/") is None
    assert routing.match(resources, "GET", "/only/more") is None


def test_proxy_response_merges_and_defaults() -> None:
    out = proxy_response.translate(
        json.dumps(
            {"headers": {"x-a": "solo", "Content-Length": "99"}, "multiValueHeaders": {"X-A": ["m"]}}
        ).encode(),
        None,
        [],
    )
    assert out.status == 200 and out.body == b""
    assert out.headers == [("Content-Type", "application/json"), ("X-A", "m"), ("X-A", "solo")]


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[]", b"{}", b'{"statusCode": true}', b'{"statusCode": 200, "isBase64Encoded": "yes"}'],
)
def test_malformed_proxy_responses(payload: bytes) -> None:
    with pytest.raises(proxy_response.MalformedProxyResponse):
        proxy_response.translate(payload, None, [])


def test_mock_selects_the_integration_response_by_status() -> None:
    integration = {
        "type": "MOCK",
        "requestTemplates": {"application/json": '{"statusCode": 404}'},
        "integrationResponses": {
            "200": {"statusCode": "200"},
            "404": {
                "statusCode": "404",
                "selectionPattern": "4\\d\\d",
                "responseParameters": {"method.response.header.X-Why": "'missing'"},
                "responseTemplates": {"application/json": '{"error": "missing"}'},
            },
        },
    }
    response = mock.respond(ExecuteRequest("a", "s", "GET", "/"), integration)
    assert response is not None and response.status == 404
    assert ("X-Why", "missing") in response.headers and response.body == b'{"error": "missing"}'
    assert mock.respond(ExecuteRequest("a", "s", "GET", "/"), {"type": "MOCK"}) is None


def test_request_time_format_and_binary_media_types() -> None:
    assert proxy_event.request_time(1583349317.135) == "04/Mar/2020:19:15:17 +0000"
    assert proxy_event.matches_media_type("image/png; q=1", ["image/*"])
    assert proxy_event.matches_media_type("text/html, application/octet-stream", ["application/octet-stream"])
    assert not proxy_event.matches_media_type("text/plain", ["image/*"])


def test_patch_operations() -> None:
    document: dict[str, Any] = {"description": "old"}
    patch.apply(
        document,
        [
            {"op": "replace", "path": "/description", "value": "new"},
            {"op": "add", "path": "/variables/a", "value": "1"},
            {"op": "add", "path": "/types/image~1png"},
            {"op": "replace", "path": "/flag", "value": "true"},
        ],
        {"description": "string", "variables": "map", "types": "strings_list", "flag": "boolean"},
    )
    assert document == {"description": "new", "variables": {"a": "1"}, "types": ["image/png"], "flag": True}
    with pytest.raises(AwsError):
        patch.apply(document, [{"op": "replace", "path": "/nope", "value": "x"}], {"description": "string"})
