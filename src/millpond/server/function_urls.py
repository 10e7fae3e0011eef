"""Lambda function URLs on millpond's port, ahead of the AWS gateway.

Two forms reach a function's URL:
  http://<url-id>.lambda-url.<region>.localhost:4566/<path>    the FunctionUrl CreateFunctionUrlConfig returns
                                                               (AWS: https://<url-id>.lambda-url.<region>.on.aws/)
  http://localhost:4566/_millpond/lambda-url/<url-id>/<path>   for clients that cannot resolve *.localhost
The request is handed to services/lambda_/url_invoke.py, which invokes the function and shapes the answer.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.server.execute_api import client_headers
from millpond.services.lambda_ import url_invoke
from millpond.services.lambda_.provider import LambdaProvider

if TYPE_CHECKING:
    from millpond.server.wiring import System

log = logging.getLogger("millpond.requests")

PATH_FORM = re.compile(r"^/_millpond/lambda-url/(?P<id>[a-z0-9]+)(?P<path>/.*)?$")
URL_HOST = re.compile(r"^(?P<id>[a-z0-9]+)\.lambda-url\.", re.IGNORECASE)


def target(request: HttpRequest) -> tuple[str, str] | None:
    """(url-id, path) when `request` is for a function URL, else None."""
    found = PATH_FORM.match(request.raw_path)
    if found is not None:
        return found.group("id"), found.group("path") or "/"
    host = URL_HOST.match(request.headers.get("host", ""))
    if host is None:
        return None
    return host.group("id").lower(), request.raw_path or "/"


async def handle(
    system: System, scope: dict[str, Any], request: HttpRequest, endpoint_url: str
) -> HttpResponse:
    found = target(request)
    assert found is not None
    url_id, path = found
    provider = system.providers.get("lambda")
    if not isinstance(provider, LambdaProvider):
        answer = url_invoke.not_found()
        return HttpResponse(answer.status, answer.headers, answer.body)
    client = scope.get("client") or ("127.0.0.1", 0)
    host = request.headers.get("host", "")
    url_request = url_invoke.UrlRequest(
        url_id=url_id,
        method=request.method,
        path=path,
        query_string=request.query_string,
        headers=client_headers(scope),
        body=request.body,
        source_ip=str(client[0]),
        protocol=f"HTTP/{scope.get('http_version', '1.1')}",
        domain_name=host.rsplit(":", 1)[0] if URL_HOST.match(host) else f"{url_id}.lambda-url.localhost",
        endpoint_url=endpoint_url,
    )
    started = time.perf_counter()
    answer = await url_invoke.serve(provider, url_request)
    if log.isEnabledFor(logging.INFO):
        elapsed = (time.perf_counter() - started) * 1000
        log.info("lambda-url %s %s%s %s %.1fms", request.method, url_id, path, answer.status, elapsed)
    return HttpResponse(answer.status, answer.headers, answer.body)
