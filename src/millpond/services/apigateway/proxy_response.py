"""The Lambda proxy response contract: what a function may return and the HTTP response it becomes.

Only statusCode, headers, multiValueHeaders, body and isBase64Encoded are allowed; anything else (other
keys, {}, a bare string, non-JSON) is a malformed proxy response, which AWS answers with 502.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from millpond.services.apigateway.proxy_event import DROPPED_HEADERS, matches_media_type
from millpond.services.apigateway.request import ExecuteResponse

ALLOWED_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})


class MalformedProxyResponse(Exception):
    """Execution failed due to configuration error: Malformed Lambda proxy response."""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedProxyResponse(f"header value {value!r} is not a string")


def _status(value: Any) -> int:
    if value is None:
        return 200  # statusCode may be left out: 200
    if isinstance(value, bool):
        raise MalformedProxyResponse("statusCode is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)  # "201" is taken as 201
    raise MalformedProxyResponse(f"statusCode {value!r} is not a number")


def _headers(document: dict[str, Any]) -> list[tuple[str, str]]:
    single = document.get("headers") or {}
    multi = document.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedProxyResponse("headers must be objects")
    headers: list[tuple[str, str]] = []
    multi_names = {name.lower() for name in multi}
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedProxyResponse("multiValueHeaders values must be lists")
        headers.extend((name, _text(value)) for value in values)
        # A header in both maps reaches the client with both values, the multi-value ones first.
        solo = next((v for k, v in single.items() if k.lower() == name.lower()), None)
        if solo is not None:
            headers.append((name, _text(solo)))
    headers.extend((name, _text(value)) for name, value in single.items() if name.lower() not in multi_names)
    return headers


def translate(payload: bytes, accept: str | None, binary_media_types: list[str]) -> ExecuteResponse:
    """The client's response from a function's output; raises MalformedProxyResponse."""
    try:
        document = json.loads(payload)
    except ValueError:
        raise MalformedProxyResponse("the function's output is not JSON") from None
    if not isinstance(document, dict) or not document:
        raise MalformedProxyResponse("the function's output is not a JSON object with members")
    extra = set(document) - ALLOWED_KEYS
    if extra:
        raise MalformedProxyResponse(f"unexpected members {sorted(extra)}")
    status = _status(document.get("statusCode"))
    if not 100 <= status <= 599:
        raise MalformedProxyResponse(f"statusCode {status} is out of range")
    # Framing is the server's business: a Content-Length from the function would contradict the body.
    headers = [(k, v) for k, v in _headers(document) if k.lower() not in DROPPED_HEADERS]
    body_value = document.get("body")
    if body_value is not None and not isinstance(body_value, str):
        raise MalformedProxyResponse("body must be a string")
    is_base64 = document.get("isBase64Encoded")
    if is_base64 is not None and not isinstance(is_base64, bool):
        raise MalformedProxyResponse("isBase64Encoded must be a boolean")
    body = (body_value or "").encode("utf-8")
    if is_base64 and matches_media_type(accept, binary_media_types):
        # Decoded only when the request's Accept names a binary media type; else the base64 text goes out.
        try:
            body = base64.b64decode(body_value or "", validate=False)
        except (binascii.Error, ValueError):
            raise MalformedProxyResponse("body is not valid base64") from None
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.insert(0, ("Content-Type", "application/json"))
    return ExecuteResponse(status, headers, body)
