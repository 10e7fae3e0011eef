"""HTTP_PROXY integrations: the request passed through to the integration URI, the answer passed back.

Path variables in the URI ({proxy}, {id}) are filled from the method's path parameters through the
integration's requestParameters (integration.request.path.X = method.request.path.Y), or by name.
"""

from __future__ import annotations

import asyncio
import re
import urllib.error
import urllib.request
from typing import Any

from millpond.services.apigateway.proxy_event import DROPPED_HEADERS
from millpond.services.apigateway.request import ExecuteRequest, ExecuteResponse
from millpond.services.apigateway.routing import RouteMatch

URI_VARIABLE = re.compile(r"\{([a-zA-Z0-9._-]+)\}")
STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([a-zA-Z0-9_]+)\}")
NOT_FORWARDED = DROPPED_HEADERS | {"host"}


def target_url(
    request: ExecuteRequest, found: RouteMatch, integration: dict[str, Any], variables: dict[str, str]
) -> str:
    mapped: dict[str, str] = {}
    for target, source in (integration.get("requestParameters") or {}).items():
        if target.startswith("integration.request.path.") and source.startswith("method.request.path."):
            value = found.path_parameters.get(source[len("method.request.path.") :])
            if value is not None:
                mapped[target[len("integration.request.path.") :]] = value
    uri = STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), integration["uri"])
    url = URI_VARIABLE.sub(lambda m: mapped.get(m.group(1), found.path_parameters.get(m.group(1), "")), uri)
    return f"{url}?{request.query_string}" if request.query_string else url


def _send(
    url: str, method: str, headers: list[tuple[str, str]], body: bytes, timeout: float
) -> ExecuteResponse:
    outgoing = urllib.request.Request(url, data=body or None, method=method)
    for name, value in headers:
        outgoing.add_header(name, value)
    try:
        with urllib.request.urlopen(outgoing, timeout=timeout) as answer:
            return ExecuteResponse(answer.status, list(answer.headers.items()), answer.read())
    except urllib.error.HTTPError as answer:
        return ExecuteResponse(answer.code, list(answer.headers.items()), answer.read())


async def forward(
    request: ExecuteRequest, found: RouteMatch, integration: dict[str, Any], variables: dict[str, str]
) -> ExecuteResponse:
    url = target_url(request, found, integration, variables)
    method = request.method if integration.get("httpMethod") in (None, "ANY") else integration["httpMethod"]
    headers = [(k, v) for k, v in request.headers if k.lower() not in NOT_FORWARDED]
    timeout = int(integration.get("timeoutInMillis") or 29_000) / 1000
    try:
        response = await asyncio.to_thread(_send, url, method, headers, request.body, timeout + 1)
    except (OSError, ValueError):
        return ExecuteResponse(
            502, [("Content-Type", "application/json")], b'{"message": "Internal server error"}'
        )
    response.headers = [(k, v) for k, v in response.headers if k.lower() not in DROPPED_HEADERS]
    return response
