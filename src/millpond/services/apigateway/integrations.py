"""Integrations of a method and their integration responses (PutIntegration, PutIntegrationResponse, ...).

Served types: AWS_PROXY to Lambda, AWS (Lambda or a service action, with mapping templates), MOCK and
HTTP_PROXY. HTTP (non-proxy) is refused with NotImplemented, so a stack that needs it fails at setup.
"""

from __future__ import annotations

import re
from typing import Any

from millpond.errors import AwsError
from millpond.services.apigateway import methods, patch
from millpond.services.apigateway.common import bad_request, compact, not_found
from millpond.services.apigateway.repository import RestApiRecord

TYPES = ("HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY")
SERVED_TYPES = ("AWS_PROXY", "AWS", "MOCK", "HTTP_PROXY")
DEFAULT_TIMEOUT_MS = 29_000
MIN_TIMEOUT_MS = 50
LAMBDA_URI = re.compile(
    r"^arn:(?P<partition>[^:]+):apigateway:(?P<region>[^:]+):lambda:path/2015-03-31/functions/"
    r"(?P<function>.+)/invocations$"
)
AWS_URI = re.compile(r"^arn:[^:]+:apigateway:[^:]*:(?P<service>[^:]+):(?P<kind>[^/]+)/")

UPDATE_FIELDS: dict[str, patch.Kind] = {
    "uri": "string",
    "httpMethod": "string",
    "credentials": "string",
    "passthroughBehavior": "string",
    "contentHandling": "string",
    "timeoutInMillis": "integer",
    "requestParameters": "map",
    "requestTemplates": "map",
    "cacheNamespace": "string",
    "cacheKeyParameters": "strings_list",
    "connectionType": "string",
    "connectionId": "string",
}


def _check_uri(kind: str, uri: str | None) -> None:
    if kind == "MOCK":
        return
    if not uri:
        raise bad_request("Invalid integration URI specified")
    if kind in ("HTTP", "HTTP_PROXY"):
        if not re.match(r"^https?://[^/\s]+", uri):
            raise bad_request("Invalid HTTP endpoint specified for URI")
        return
    if not uri.startswith("arn:"):
        raise bad_request("Invalid ARN specified in the request")
    found = AWS_URI.match(uri)
    if found is None or found.group("kind") not in ("path", "action"):
        raise bad_request("AWS ARN for integration must contain path or action")
    if kind == "AWS_PROXY" and (found.group("service") != "lambda" or not LAMBDA_URI.match(uri)):
        raise bad_request(
            "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream "
            "invocations."
        )


def _method(record: RestApiRecord, resource_id: str, http_method: str) -> dict[str, Any]:
    methods.get(record, resource_id, http_method)
    return dict(record.resources[resource_id]["resourceMethods"][http_method])


def put(record: RestApiRecord, params: dict[str, Any]) -> dict[str, Any]:
    resource_id, http_method = params["resourceId"], params["httpMethod"]
    _method(record, resource_id, http_method)
    kind = params.get("type")
    if kind not in TYPES:
        raise bad_request(f"Invalid integration type specified. Valid options are {','.join(TYPES)}")
    if kind not in SERVED_TYPES:
        raise AwsError(
            "NotImplemented",
            f"millpond does not serve integrations of type {kind} yet; use AWS_PROXY (Lambda proxy), "
            "AWS (Lambda or a service action with mapping templates), HTTP_PROXY or MOCK",
            501,
            sender_fault=False,
        )
    integration_method = params.get("integrationHttpMethod")
    if kind != "MOCK":
        if not integration_method:
            raise bad_request("Enumeration value for HttpMethod must be non-empty")
        methods.check_http_method(integration_method)
    _check_uri(kind, params.get("uri"))
    timeout = int(params.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS)
    if not MIN_TIMEOUT_MS <= timeout <= DEFAULT_TIMEOUT_MS:
        raise bad_request(f"Timeout should be between {MIN_TIMEOUT_MS} ms and {DEFAULT_TIMEOUT_MS} ms")
    integration = compact(
        {
            "type": kind,
            # The integration's own method goes on the wire as "httpMethod" (boto3: integrationHttpMethod).
            "httpMethod": integration_method if kind != "MOCK" else None,
            "uri": params.get("uri") if kind != "MOCK" else None,
            "connectionType": params.get("connectionType"),
            "connectionId": params.get("connectionId"),
            "credentials": params.get("credentials"),
            "requestParameters": params.get("requestParameters") or None,
            "requestTemplates": params.get("requestTemplates") or None,
            "passthroughBehavior": params.get("passthroughBehavior") or "WHEN_NO_MATCH",
            "contentHandling": params.get("contentHandling"),
            "timeoutInMillis": timeout,
            "cacheNamespace": params.get("cacheNamespace") or resource_id,
            "cacheKeyParameters": list(params.get("cacheKeyParameters") or []),
        }
    )
    record.resources[resource_id]["resourceMethods"][http_method]["methodIntegration"] = integration
    return integration


def get(record: RestApiRecord, resource_id: str, http_method: str) -> dict[str, Any]:
    integration = _method(record, resource_id, http_method).get("methodIntegration")
    if integration is None:
        raise not_found("Invalid Integration identifier specified")
    return dict(integration)


def update(
    record: RestApiRecord, resource_id: str, http_method: str, ops: list[dict[str, Any]]
) -> dict[str, Any]:
    get(record, resource_id, http_method)
    integration = record.resources[resource_id]["resourceMethods"][http_method]["methodIntegration"]
    patch.apply(integration, ops, UPDATE_FIELDS)
    _check_uri(integration["type"], integration.get("uri"))
    return dict(integration)


def delete(record: RestApiRecord, resource_id: str, http_method: str) -> None:
    get(record, resource_id, http_method)
    del record.resources[resource_id]["resourceMethods"][http_method]["methodIntegration"]


def put_response(record: RestApiRecord, params: dict[str, Any]) -> dict[str, Any]:
    resource_id, http_method = params["resourceId"], params["httpMethod"]
    get(record, resource_id, http_method)
    status = methods.check_status_code(params["statusCode"])
    # An integration response maps to a method response of the same status, which must exist.
    methods.get_response(record, resource_id, http_method, status)
    response = compact(
        {
            "statusCode": status,
            "selectionPattern": params.get("selectionPattern"),
            "responseParameters": params.get("responseParameters") or None,
            "responseTemplates": params.get("responseTemplates") or None,
            "contentHandling": params.get("contentHandling"),
        }
    )
    integration = record.resources[resource_id]["resourceMethods"][http_method]["methodIntegration"]
    integration.setdefault("integrationResponses", {})[status] = response
    return response


def get_response(record: RestApiRecord, resource_id: str, http_method: str, status: str) -> dict[str, Any]:
    response = (get(record, resource_id, http_method).get("integrationResponses") or {}).get(status)
    if response is None:
        raise not_found("Invalid Response status code specified")
    return dict(response)


def delete_response(record: RestApiRecord, resource_id: str, http_method: str, status: str) -> None:
    get_response(record, resource_id, http_method, status)
    integration = record.resources[resource_id]["resourceMethods"][http_method]["methodIntegration"]
    del integration["integrationResponses"][status]
    if not integration["integrationResponses"]:
        del integration["integrationResponses"]
