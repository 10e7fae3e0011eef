"""MOCK integrations: the status from the request template, then the matching integration response with
its static response parameters and template, enough for the console's "Enable CORS" OPTIONS method.

Mapping templates are not evaluated (no VTL): a template's text is sent as it is.
"""

from __future__ import annotations

import re
from typing import Any

from millpond.services.apigateway.request import ExecuteRequest, ExecuteResponse

STATUS_IN_TEMPLATE = re.compile(r'"?statusCode"?\s*:\s*"?(\d{3})')
HEADER_PARAMETER = "method.response.header."


def _template(templates: dict[str, str] | None, content_type: str | None) -> str | None:
    if not templates:
        return None
    wanted = (content_type or "application/json").split(";", 1)[0].strip().lower()
    if wanted in templates:
        return templates[wanted]
    return templates.get("application/json", next(iter(templates.values())))


def select_response(integration: dict[str, Any], status: str) -> dict[str, Any] | None:
    """The integration response whose selectionPattern matches `status`, else the default one."""
    responses = list((integration.get("integrationResponses") or {}).values())
    for response in responses:
        pattern = response.get("selectionPattern")
        if pattern and re.fullmatch(pattern, status):
            return dict(response)
    return next((dict(r) for r in responses if not r.get("selectionPattern")), None)


def static_headers(parameters: dict[str, str] | None) -> list[tuple[str, str]]:
    """Headers from responseParameters with static values ('quoted'); other sources are skipped."""
    headers: list[tuple[str, str]] = []
    for target, source in (parameters or {}).items():
        if target.startswith(HEADER_PARAMETER) and len(source) >= 2 and source[0] == source[-1] == "'":
            headers.append((target[len(HEADER_PARAMETER) :], source[1:-1]))
    return headers


def respond(request: ExecuteRequest, integration: dict[str, Any]) -> ExecuteResponse | None:
    """The MOCK integration's response, or None when no integration response applies (AWS: 500)."""
    template = _template(integration.get("requestTemplates"), request.header("Content-Type"))
    found = STATUS_IN_TEMPLATE.search(template or "")
    status = found.group(1) if found else "200"
    response = select_response(integration, status)
    if response is None:
        return None
    headers = [("Content-Type", "application/json"), *static_headers(response.get("responseParameters"))]
    body = _template(response.get("responseTemplates"), request.header("Accept")) or ""
    return ExecuteResponse(int(response["statusCode"]), headers, body.encode("utf-8"))
