"""The Lambda proxy event, payload format 1.0, as API Gateway REST APIs build it.

`path` is the resource path without the stage while `requestContext.path` has it; the path stays
percent-encoded; query values are decoded; `headers` and `queryStringParameters` keep a repeated key's
last value, their multi-value twins keep all of them; empty maps are null, an empty body is null.
"""

from __future__ import annotations

import base64
import fnmatch
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from millpond.services.apigateway.request import ExecuteRequest
from millpond.services.apigateway.routing import RouteMatch

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Hop-by-hop and framing headers API Gateway does not hand to the integration.
DROPPED_HEADERS = frozenset({"content-length", "connection", "transfer-encoding", "keep-alive"})


def matches_media_type(content_type: str | None, binary_media_types: list[str]) -> bool:
    """Whether a Content-Type/Accept value names one of the API's binaryMediaTypes (wildcards allowed)."""
    if not content_type or not binary_media_types:
        return False
    for item in content_type.split(","):
        media = item.split(";", 1)[0].strip().lower()
        if any(fnmatch.fnmatchcase(media, pattern.strip().lower()) for pattern in binary_media_types):
            return True
    return False


def request_time(epoch: float) -> str:
    # requestTime: dd/Mon/yyyy:HH:mm:ss +0000, English month names whatever the locale.
    when = datetime.fromtimestamp(epoch, UTC)
    return f"{when.day:02d}/{MONTHS[when.month - 1]}/{when.year}:{when:%H:%M:%S} +0000"


def trace_id(epoch: float) -> str:
    return f"Root=1-{int(epoch):08x}-{uuid.uuid4().hex[:24]}"


def extended_request_id() -> str:
    # AWS's extendedRequestId looks like "Yx5jZF1xIAMEZ1w=": 16 base64 characters.
    return base64.b64encode(uuid.uuid4().bytes[:10]).decode()


def integration_headers(request: ExecuteRequest, trace: str) -> list[tuple[str, str]]:
    """The client's headers as the integration gets them, plus the X-Forwarded-* and trace AWS adds."""
    headers = [(k, v) for k, v in request.headers if k.lower() not in DROPPED_HEADERS]
    names = {k.lower() for k, _ in headers}
    forwarded = request.header("X-Forwarded-For")
    headers = [(k, v) for k, v in headers if k.lower() != "x-forwarded-for"]
    headers.append(
        ("X-Forwarded-For", f"{forwarded}, {request.source_ip}" if forwarded else request.source_ip)
    )
    if "x-forwarded-port" not in names:
        headers.append(("X-Forwarded-Port", request.port))
    if "x-forwarded-proto" not in names:
        headers.append(("X-Forwarded-Proto", request.scheme))
    if "x-amzn-trace-id" not in names:
        headers.append(("X-Amzn-Trace-Id", trace))
    return headers


def _body(request: ExecuteRequest, binary_media_types: list[str]) -> tuple[str | None, bool]:
    if not request.body:
        return None, False
    if matches_media_type(request.header("Content-Type"), binary_media_types):
        return base64.b64encode(request.body).decode(), True
    # Without a matching binaryMediaTypes entry AWS hands the body over as text.
    return request.body.decode("utf-8", errors="replace"), False


def build(
    request: ExecuteRequest,
    found: RouteMatch,
    *,
    account_id: str,
    deployment_id: str,
    stage_variables: dict[str, str] | None,
    binary_media_types: list[str],
    request_id: str,
    extended_id: str,
    trace: str,
    now: float,
) -> dict[str, Any]:
    headers = integration_headers(request, trace)
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    pairs = parse_qsl(request.query_string, keep_blank_values=True)
    query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for key, value in pairs:
        query[key] = value
        multi_query.setdefault(key, []).append(value)
    body, is_base64 = _body(request, binary_media_types)
    host = request.header("Host") or request.host
    return {
        "resource": found.resource["path"],
        "path": request.path,
        "httpMethod": request.method,
        "headers": single or None,
        "multiValueHeaders": multi or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": found.path_parameters or None,
        "stageVariables": stage_variables or None,
        "requestContext": {
            "accountId": account_id,
            "apiId": request.api_id,
            "deploymentId": deployment_id,
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0].split(":", 1)[0],
            "extendedRequestId": extended_id,
            "httpMethod": request.method,
            "identity": {
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": request.source_ip,
                "user": None,
                "userAgent": request.header("User-Agent"),
                "userArn": None,
            },
            "path": f"/{request.stage}{request.path}",
            "protocol": request.protocol,
            "requestId": request_id,
            "requestTime": request_time(now),
            "requestTimeEpoch": int(now * 1000),
            "resourceId": found.resource["id"],
            "resourcePath": found.resource["path"],
            "stage": request.stage,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }
