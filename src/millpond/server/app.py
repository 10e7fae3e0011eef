"""The ASGI application, read top to bottom: lifespan, then /_millpond/ routes, then the AWS gateway."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any, cast

from millpond.clock import VirtualClock
from millpond.config import Settings
from millpond.protocol import s3_form, s3_routing
from millpond.protocol.http import BodyStream, HttpRequest, HttpResponse
from millpond.protocol.sigv4 import credential_scope
from millpond.server import console, execute_api, function_urls, internal, s3
from millpond.server.streaming import send_stream
from millpond.server.wiring import System, build_system
from millpond.services.s3.provider import S3Provider

log = logging.getLogger("millpond")

Scope = dict[str, Any]


class MillpondApp:
    def __init__(self, settings: Settings, clock: VirtualClock | None = None) -> None:
        self.settings = settings
        self.clock = clock or VirtualClock()
        self.started_at = time.monotonic()
        self._system: System | None = None
        self.stopping = asyncio.Event()  # set on shutdown: open event streams end

    @property
    def system(self) -> System:
        if self._system is None:
            raise RuntimeError("millpond has not started")
        return self._system

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            request = await read_request(scope, receive)
            if function_urls.target(request) is not None:  # Lambda function URLs, both forms
                response = await function_urls.handle(
                    self.system, scope, request, endpoint_url(scope, request)
                )
            elif console.matches(request):  # the web console (millpond.console), ahead of internal routes
                response = await console.handle(self.system, request, endpoint_url(scope, request))
            elif request.raw_path.startswith((internal.PREFIX, internal.LOCALSTACK_PREFIX)) or (
                self.settings.moto_api and request.raw_path.startswith(internal.MOTO_PREFIX)
            ):
                response = await internal.handle(self.system, request, self.started_at)
            elif execute_api.target(request) is not None:
                response = await execute_api.handle(self.system, scope, request, endpoint_url(scope, request))
            elif s3_form.is_form_upload(request) and credential_scope(request) is None:
                response = await s3.form_upload(self.system, request, endpoint_url(scope, request))
            elif s3_routing.is_preflight(request) and s3_routing.bucket_of(request):
                # A preflight naming a bucket is S3's (its CORS rules); one to "/" gets the endpoint's own.
                response = await s3.preflight(cast(S3Provider, self.system.providers["s3"]), request)
            else:
                response = await self.system.gateway.handle(request, endpoint_url(scope, request))
                if "origin" in request.headers and s3_routing.is_s3(request, credential_scope(request)):
                    s3.add_cors(cast(S3Provider, self.system.providers["s3"]), request, response)
            if response.stream is None:
                await send_response(send, response, head=request.method == "HEAD")
            else:
                await send_stream(send, receive, response, self.stopping)  # event streams, chunk by chunk
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def startup(self) -> None:
        self._system = await build_system(self.settings, self.clock)
        self.started_at = time.monotonic()

    async def shutdown(self) -> None:
        if self._system is not None:
            await self._system.close()
            self._system = None

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as error:
                    log.exception("millpond failed to start")
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _body_chunks(receive: Any) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionError("the client went away before the body was sent")
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body"):
            return


async def read_request(scope: Scope, receive: Any) -> HttpRequest:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    raw_path = scope.get("raw_path")
    request = HttpRequest(
        method=scope["method"],
        raw_path=raw_path.decode("latin-1") if raw_path else scope["path"],
        query_string=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        client_ip=str((scope.get("client") or ("",))[0]),
    )
    if request.method in ("PUT", "POST") and s3_routing.is_s3(request, credential_scope(request)):
        request.stream = BodyStream(_body_chunks(receive))  # S3 uploads are streamed, never held whole
        return request
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    request.body = b"".join(chunks)
    return request


def endpoint_url(scope: Scope, request: HttpRequest) -> str:
    host = request.headers.get("host")
    if not host:
        server = scope.get("server") or ("localhost", 4566)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


async def send_response(send: Any, response: HttpResponse, head: bool = False) -> None:
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in response.headers]
    if response.header("content-length") is None:  # S3's HEAD answers give the object's length
        headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else response.body})
