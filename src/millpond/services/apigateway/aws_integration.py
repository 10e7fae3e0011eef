"""Non-proxy AWS integrations: Lambda called with a mapped payload, and any millpond action through
`arn:aws:apigateway:<region>:<service>:action/<Action>` or `...:<service>:path/<path>`.

The request: the integration's requestTemplates (by Content-Type; passthroughBehavior when none matches,
415 for NEVER or WHEN_NO_TEMPLATES with templates defined) over the method request, its requestParameters
(integration.request.header/querystring/path.X = 'literal' or method.request.header/querystring/path.Y).
The response: the integration response whose selectionPattern matches (the status code for services,
the errorMessage for a failing Lambda function; the one without a pattern otherwise), its statusCode,
responseParameters (method.response.header.X = 'literal' or integration.response.header.Y) and
responseTemplates over the integration's body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from millpond.services.apigateway import mapping
from millpond.services.apigateway.request import ExecuteRequest, ExecuteResponse

AWS_TARGET = re.compile(
    r"^arn:[^:]+:apigateway:(?P<region>[^:]*):(?P<service>[^:]+):(?P<kind>action|path)/(?P<rest>.+)$"
)


@dataclass
class ServiceCall:
    service: str
    region: str
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


# (call) -> (status, headers, body): a millpond service answering as its wire protocol does.
AwsCall = Callable[[ServiceCall], Awaitable[tuple[int, list[tuple[str, str]], bytes]]]


def _source_value(source: str, request: ExecuteRequest, params: dict[str, dict[str, str]]) -> str | None:
    if source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    found = re.match(r"^method\.request\.(header|querystring|path)\.(.+)$", source)
    if found is None:
        return None
    where, name = found.groups()
    if where == "header":
        return request.header(name)
    return params[where].get(name)


def integration_parts(
    integration: dict[str, Any], request: ExecuteRequest, params: dict[str, dict[str, str]]
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(headers, query, path) the integration's requestParameters make."""
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    path: dict[str, str] = {}
    for target, source in (integration.get("requestParameters") or {}).items():
        value = _source_value(str(source), request, params)
        found = re.match(r"^integration\.request\.(header|querystring|path)\.(.+)$", target)
        if value is None or found is None:
            continue
        {"header": headers, "querystring": query, "path": path}[found.group(1)][found.group(2)] = value
    return headers, query, path


def request_body(
    integration: dict[str, Any],
    request: ExecuteRequest,
    params: dict[str, dict[str, str]],
    context: dict[str, Any],
    variables: dict[str, str],
) -> bytes | None:
    """The integration request's body; None means 415 Unsupported Media Type."""
    body = request.body.decode("utf-8", "replace")
    template, defined = mapping.choose_template(
        integration.get("requestTemplates"), request.header("Content-Type")
    )
    if template is None:
        behavior = integration.get("passthroughBehavior") or "WHEN_NO_MATCH"
        if behavior == "NEVER" or (behavior == "WHEN_NO_TEMPLATES" and defined):
            return None
        return request.body
    return mapping.render(template, body, params, context, variables).encode()


def service_call(
    integration: dict[str, Any],
    request: ExecuteRequest,
    params: dict[str, dict[str, str]],
    body: bytes,
) -> ServiceCall | None:
    target = AWS_TARGET.match(integration.get("uri") or "")
    if target is None:
        return None
    headers, query, path_values = integration_parts(integration, request, params)
    if target.group("kind") == "action":
        path = "/"
        query = {"Action": target.group("rest"), **query}
    else:
        path = "/" + target.group("rest")
        for name, value in path_values.items():
            path = path.replace("{" + name + "}", value)
    return ServiceCall(
        target.group("service"),
        target.group("region") or "us-east-1",
        str(integration.get("httpMethod") or "POST"),
        path,
        urlencode(query),
        headers,
        body,
    )


def choose_response(responses: dict[str, dict[str, Any]], selector: str) -> dict[str, Any] | None:
    default = None
    for response in responses.values():
        pattern = response.get("selectionPattern")
        if not pattern:
            default = default or response
        elif re.fullmatch(pattern, selector, re.DOTALL):
            return response
    return default


def method_response(
    integration: dict[str, Any],
    selector: str,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    params: dict[str, dict[str, str]],
    context: dict[str, Any],
    variables: dict[str, str],
) -> ExecuteResponse:
    chosen = choose_response(integration.get("integrationResponses") or {}, selector)
    if chosen is None:
        # No integration response: AWS passes the body through with the integration's status.
        return ExecuteResponse(status, [("Content-Type", "application/json")], body)
    out_headers = [("Content-Type", "application/json")]
    given = {name.lower(): value for name, value in headers}
    for target, source in (chosen.get("responseParameters") or {}).items():
        name = target.removeprefix("method.response.header.")
        if source.startswith("'") and source.endswith("'"):
            out_headers.append((name, source[1:-1]))
        elif source.startswith("integration.response.header."):
            value = given.get(source.removeprefix("integration.response.header.").lower())
            if value is not None:
                out_headers.append((name, value))
    templates = chosen.get("responseTemplates") or {}
    template = templates.get("application/json") or next(iter(templates.values()), None)
    text = body.decode("utf-8", "replace")
    rendered = mapping.render(template, text, params, context, variables).encode() if template else body
    return ExecuteResponse(int(chosen.get("statusCode") or 200), out_headers, rendered)


def lambda_selector(payload: bytes, function_error: str | None) -> str:
    """What a Lambda non-proxy integration's selectionPattern is matched against."""
    if not function_error:
        return ""
    try:
        message = json.loads(payload).get("errorMessage", "")
    except (ValueError, AttributeError):
        message = ""
    return str(message)
