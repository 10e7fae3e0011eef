"""API Gateway invoke URLs on millpond's port, ahead of the AWS gateway.

Two forms reach a stage: http://localhost:4566/restapis/<api>/<stage>/_user_request_/<path> and
http://<api>.execute-api.localhost:4566/<stage>/<path>. The request is handed to the API Gateway data
plane with the client's header names and repeated headers intact, which the AWS path folds together.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.services.apigateway.invoke import forbidden
from millpond.services.apigateway.provider import ApiGatewayProvider
from millpond.services.apigateway.request import ExecuteRequest

if TYPE_CHECKING:
    from millpond.server.wiring import System

log = logging.getLogger("millpond.requests")

USER_REQUEST_PATH = re.compile(r"^/restapis/(?P<api>[^/]+)/(?P<stage>[^/]+)/_user_request_(?P<path>/.*)?$")
EXECUTE_API_HOST = re.compile(r"^(?P<api>[a-z0-9]+)\.execute-api\.", re.IGNORECASE)
HOST_PATH = re.compile(r"^/(?P<stage>[^/]+)(?P<path>/.*)?$")


def target(request: HttpRequest) -> tuple[str, str | None, str] | None:
    """(api id, stage or None, path after the stage) when `request` is for an invoke URL, else None."""
    found = USER_REQUEST_PATH.match(request.raw_path)
    if found is not None:
        return found.group("api"), found.group("stage"), found.group("path") or "/"
    host = EXECUTE_API_HOST.match(request.headers.get("host", ""))
    if host is None:
        return None
    in_path = HOST_PATH.match(request.raw_path)
    if in_path is None:
        return host.group("api").lower(), None, "/"
    return host.group("api").lower(), in_path.group("stage"), in_path.group("path") or "/"


def _header_name(name: str, lowered: bool) -> str:
    # Servers that fold header names to lower case lose the client's spelling; HTTP/1 clients send
    # Title-Case (Content-Type, User-Agent), so that is what the integration sees, as AWS would show it.
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-")) if lowered else name


def client_headers(scope: dict[str, Any]) -> list[tuple[str, str]]:
    raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
    http1 = str(scope.get("http_version", "1.1")).startswith("1")
    lowered = http1 and all(name == name.lower() for name, _ in raw)
    return [(_header_name(name, lowered), value) for name, value in raw]


async def handle(
    system: System, scope: dict[str, Any], request: HttpRequest, endpoint_url: str
) -> HttpResponse:
    found = target(request)
    assert found is not None
    api_id, stage, path = found
    provider = system.providers.get("apigateway")
    if stage is None or not isinstance(provider, ApiGatewayProvider):
        refused = forbidden()
        return HttpResponse(refused.status, refused.headers, refused.body)
    client = scope.get("client") or ("127.0.0.1", 0)
    server = scope.get("server") or ("127.0.0.1", 4566)
    host = request.headers.get("host") or f"{server[0]}:{server[1]}"
    execute = ExecuteRequest(
        api_id=api_id,
        stage=stage,
        method=request.method,
        path=path,
        query_string=request.query_string,
        headers=client_headers(scope),
        body=request.body,
        source_ip=str(client[0]),
        protocol=f"HTTP/{scope.get('http_version', '1.1')}",
        host=host,
        port=host.rsplit(":", 1)[1] if ":" in host else str(server[1]),
        scheme=str(scope.get("scheme", "http")),
        endpoint_url=endpoint_url,
    )
    started = time.perf_counter()
    response = await provider.data_plane.handle(execute)
    if log.isEnabledFor(logging.INFO):
        elapsed = (time.perf_counter() - started) * 1000
        log.info(
            "execute-api %s %s/%s%s %s %.1fms", request.method, api_id, stage, path, response.status, elapsed
        )
    return HttpResponse(response.status, response.headers, response.body)
