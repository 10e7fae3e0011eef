"""millpond's own routes under /_millpond/: health, reset, the virtual clock, the Prometheus metrics and
the Lambda runtimes; and the health routes of /_localstack/ that local-cloud wrappers and test tools poll."""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

from millpond import __version__
from millpond.protocol import specs
from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.server import prometheus
from millpond.server.lambda_ import serve_code
from millpond.server.sns import serve_certificate
from millpond.services.lambda_.functions import PYTHON_RUNTIMES

if TYPE_CHECKING:
    from millpond.server.wiring import System

PREFIX = "/_millpond/"
LOCALSTACK_PREFIX = "/_localstack/"
MOTO_PREFIX = "/moto-api/"  # served only with --moto-api: the reset moto's server-mode test harness calls


def json_response(payload: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], json.dumps(payload).encode())


def health(system: System, started_at: float) -> HttpResponse:
    services = {
        name: {"name": title, "state": "running" if name in system.providers else "not implemented"}
        for name, title in specs.SERVED_SERVICES.items()
    }
    return json_response(
        {
            "status": "ok",
            "version": __version__,
            "services": services,
            "uptime": round(time.monotonic() - started_at, 3),
            "durability": system.settings.durability,
            "data_dir": None if system.settings.in_memory else str(system.settings.data_dir),
        }
    )


async def runtimes(system: System) -> HttpResponse:
    """Each Python runtime and the interpreter that serves it (found once, then remembered)."""
    provider = system.providers.get("lambda")
    interpreters = getattr(getattr(provider, "runtime", None), "interpreters", None)
    if interpreters is None:
        return json_response({"runtimes": []})
    # Looking an interpreter up runs it once (to ask its version): off the event loop.
    return json_response({"runtimes": await asyncio.to_thread(interpreters.describe, PYTHON_RUNTIMES)})


def localstack_health(system: System) -> HttpResponse:
    """The shape of LocalStack's /_localstack/health, which local-cloud tools and test containers poll."""
    services = {name: "running" for name in specs.SERVED_SERVICES if name in system.providers}
    return json_response({"services": services, "edition": "millpond", "version": __version__})


def clock_state(system: System) -> dict[str, float]:
    return {"now": system.clock.now(), "offset": system.clock.offset}


async def handle(system: System, request: HttpRequest, started_at: float) -> HttpResponse:
    if (code := serve_code(system, request)) is not None:
        return code
    if request.raw_path.startswith(MOTO_PREFIX):
        return await moto_api(system, request)
    if (certificate := serve_certificate(system, request)) is not None:
        return certificate
    if request.path.startswith(LOCALSTACK_PREFIX):
        if request.path.rstrip("/") in ("/_localstack/health", "/_localstack/info") and request.method in (
            "GET",
            "HEAD",
        ):
            return localstack_health(system)
        return json_response({"error": f"no such route: {request.method} {request.path}"}, 404)
    path = request.path[len(PREFIX) :].rstrip("/")
    if path == "health" and request.method in ("GET", "HEAD"):
        return health(system, started_at)
    if path == "runtimes" and request.method == "GET":
        return await runtimes(system)
    if path == "reset" and request.method == "POST":
        await system.reset()
        return json_response({"reset": True})
    if path == "metrics" and request.method == "GET":
        return await prometheus.exposition(system)
    if path == "clock" and request.method == "GET":
        return json_response(clock_state(system))
    if path == "clock" and request.method == "POST":
        try:
            body = json.loads(request.body or b"{}")
            seconds = float(body["advance"])
            system.clock.advance(seconds)
        except (ValueError, KeyError, TypeError) as error:
            message = f'expected {{"advance": <non-negative seconds>}}: {error}'
            return json_response({"error": message}, 400)
        await system.save_clock()
        return json_response(clock_state(system))
    return json_response({"error": f"no such millpond route: {request.method} {request.path}"}, 404)


async def moto_api(system: System, request: HttpRequest) -> HttpResponse:
    if request.path.rstrip("/") == "/moto-api/reset" and request.method == "POST":
        await system.reset()
        return json_response({"status": "ok"})
    return json_response({"error": f"no such route under --moto-api: {request.method} {request.path}"}, 404)
