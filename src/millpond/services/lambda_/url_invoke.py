"""A function URL request, served: CORS preflight, the auth type's check, the payload format 2.0 event, one
synchronous invoke through LambdaProvider.invoke, and the function's result as the HTTP response.

The server (server/function_urls.py) finds the url-id and hands over the request as a UrlRequest; nothing
here knows HTTP beyond status codes and header pairs.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from millpond.context import RequestContext
from millpond.errors import AwsError

if TYPE_CHECKING:
    from millpond.services.lambda_.provider import LambdaProvider

# Bodies of these content types reach the function as text; any other body is base64 (isBase64Encoded).
TEXT_TYPES = ("application/json", "application/javascript", "application/xml", "application/yaml")


@dataclass(slots=True)
class UrlRequest:
    url_id: str
    method: str
    path: str
    query_string: str
    headers: list[tuple[str, str]]  # as the client sent them, repeats included
    body: bytes
    source_ip: str
    protocol: str
    domain_name: str
    endpoint_url: str


@dataclass(slots=True)
class UrlResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def _json(status: int, document: Any, headers: list[tuple[str, str]] | None = None) -> UrlResponse:
    return UrlResponse(
        status, [("Content-Type", "application/json"), *(headers or [])], json.dumps(document).encode()
    )


def not_found() -> UrlResponse:
    # On AWS an unknown url-id's host does not resolve at all; millpond shares one port, so it answers what
    # AWS's front end answers for a URL it has no function for: 404 {"Message": null}.
    return _json(404, {"Message": None})


def forbidden() -> UrlResponse:
    # AWS_IAM without a signature: 403 {"Message":"Forbidden"}, as AWS answers it.
    return _json(403, {"Message": "Forbidden"}, [("x-amzn-ErrorType", "AccessDeniedException")])


def _is_text(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith("text/") or kind in TEXT_TYPES or kind.endswith(("+json", "+xml"))


def _headers(request: UrlRequest) -> dict[str, str]:
    """Lower-cased names, repeated headers joined with commas (payload format 2.0)."""
    joined: dict[str, str] = {}
    for name, value in request.headers:
        key = name.lower()
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    return joined


def build_event(request: UrlRequest, account: str, request_id: str, now: float) -> dict[str, Any]:
    headers = _headers(request)
    cookie_header = headers.pop("cookie", None)  # cookies travel in their own field, not as a header
    query: dict[str, str] = {}
    for name, value in parse_qsl(request.query_string, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    moment = datetime.fromtimestamp(now, UTC)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": request.path,
        "rawQueryString": request.query_string,
    }
    if cookie_header:
        event["cookies"] = [c.strip() for c in cookie_header.split(";") if c.strip()]
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": "anonymous",
        "apiId": request.url_id,
        "domainName": request.domain_name,
        "domainPrefix": request.url_id,
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": "$default",
        "stage": "$default",
        "time": moment.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now * 1000),
    }
    if account:
        # AWS_IAM URLs show the signer's account (millpond shows the function's); NONE ones "anonymous".
        event["requestContext"]["accountId"] = account
    text = _is_text(headers.get("content-type", ""))
    if request.body:
        event["body"] = (
            request.body.decode("utf-8", "replace") if text else base64.b64encode(request.body).decode()
        )
    event["isBase64Encoded"] = bool(request.body) and not text
    return event


def function_response(payload: bytes) -> UrlResponse:
    """The function's result as AWS turns it into HTTP: a dict with statusCode is the response itself; any
    other valid JSON (a string, a list, a dict without statusCode) is a 200 application/json body."""
    try:
        result = json.loads(payload or b"null")
    except ValueError:
        return UrlResponse(502, [("Content-Type", "text/plain")], b"Internal Server Error")
    if not (isinstance(result, dict) and "statusCode" in result):
        return UrlResponse(200, [("Content-Type", "application/json")], payload)
    headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    headers.extend(("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or [])
    body = result.get("body")
    if body is None:
        raw = b""
    elif result.get("isBase64Encoded"):
        raw = base64.b64decode(str(body))
    else:
        raw = (body if isinstance(body, str) else json.dumps(body)).encode()
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError):
        return UrlResponse(502, [("Content-Type", "text/plain")], b"Internal Server Error")
    return UrlResponse(status, headers, raw)


def _allowed_origin(cors: dict[str, Any], origin: str) -> str | None:
    origins = cors.get("AllowOrigins") or []
    if "*" in origins:
        return "*"
    return origin if origin in origins else None


def _cors_headers(cors: dict[str, Any], origin: str, preflight: bool) -> list[tuple[str, str]]:
    allowed = _allowed_origin(cors, origin)
    if allowed is None:
        return []
    headers = [("Access-Control-Allow-Origin", allowed)]
    if cors.get("AllowCredentials"):
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if preflight:
        if cors.get("AllowMethods"):
            headers.append(("Access-Control-Allow-Methods", ",".join(cors["AllowMethods"])))
        if cors.get("AllowHeaders"):
            headers.append(("Access-Control-Allow-Headers", ",".join(cors["AllowHeaders"])))
        if cors.get("MaxAge") is not None:
            headers.append(("Access-Control-Max-Age", str(cors["MaxAge"])))
    elif cors.get("ExposeHeaders"):
        headers.append(("Access-Control-Expose-Headers", ",".join(cors["ExposeHeaders"])))
    headers.append(("Vary", "Origin"))
    return headers


def _signer_account(request: UrlRequest) -> str | None:
    """The SigV4 signer's access key (Authorization header or presigned query), None when unsigned."""
    authorization = dict((k.lower(), v) for k, v in request.headers).get("authorization", "")
    if authorization.startswith("AWS4-HMAC-SHA256 ") and "Credential=" in authorization:
        return authorization.split("Credential=", 1)[1].split("/", 1)[0]
    query = dict(parse_qsl(request.query_string))
    if query.get("X-Amz-Algorithm") == "AWS4-HMAC-SHA256" and query.get("X-Amz-Signature"):
        return query.get("X-Amz-Credential", "").split("/", 1)[0]
    return None


async def serve(provider: LambdaProvider, request: UrlRequest) -> UrlResponse:
    found = provider.find_url(request.url_id)
    if found is None:
        return not_found()
    record, qualifier, config = found
    _, _, _, region, account, *_ = config["FunctionArn"].split(":")
    cors = config.get("Cors")
    origin = dict((k.lower(), v) for k, v in request.headers).get("origin")
    preflight = request.method == "OPTIONS" and origin is not None
    if cors and preflight:
        # With a Cors configuration, Lambda answers the preflight itself; the function is not invoked.
        return UrlResponse(200, _cors_headers(cors, origin or "", True))
    signer: str | None = None
    if config["AuthType"] == "AWS_IAM":
        signer = _signer_account(request)
        if signer is None:
            return forbidden()
    request_id = str(uuid.uuid4())
    event = build_event(request, account if signer is not None else "", request_id, provider.clock.now())
    ctx = RequestContext(
        account_id=account,
        region=region,
        request_id=request_id,
        endpoint_url=request.endpoint_url,
        service="lambda",
        operation="InvokeFunctionUrl",
    )
    params = {
        "FunctionName": record.name,
        "Qualifier": None if qualifier == "$LATEST" else qualifier,
        "InvocationType": "RequestResponse",
        "Payload": json.dumps(event).encode(),
    }
    try:
        result = await provider.invoke(ctx, params)
    except AwsError as error:
        if error.code == "TooManyRequestsException":
            response = _json(429, {"Message": "Rate Exceeded."})
        else:
            response = UrlResponse(502, [("Content-Type", "text/plain")], b"Internal Server Error")
    else:
        payload = result.get("Payload") or b""
        if isinstance(payload, str):
            payload = payload.encode()
        if result.get("FunctionError"):
            # A function error is a 502 to the caller, the error document not shown (as on AWS).
            response = UrlResponse(502, [("Content-Type", "text/plain")], b"Internal Server Error")
        else:
            response = function_response(payload)
    response.headers.append(("x-amzn-RequestId", request_id))
    if cors and origin is not None:
        response.headers.extend(_cors_headers(cors, origin, False))
    return response
