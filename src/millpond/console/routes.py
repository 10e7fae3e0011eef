"""The console's routes under /_millpond/console/: the app shell, its static modules, and the JSON API.

API (all JSON; account and region come from the X-Millpond-Account / X-Millpond-Region headers):
  GET  api/state              account, region, clock, which services are served
  POST api/clock              {"advance": seconds} moves the virtual clock
  POST api/call               {"service", "operation", "params"}: one provider method, as the AWS API runs it
  GET  api/view/<name>?...    a page's worth of several calls in one round trip (see views.py)
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from millpond.clock import VirtualClock
from millpond.console import convert, static
from millpond.console.calls import Caller
from millpond.console.views import VIEWS
from millpond.context import RequestContext
from millpond.errors import AwsError

PREFIX = "/_millpond/console"
REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1",
    "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1",
)  # fmt: skip


@dataclass(frozen=True)
class ConsoleResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class ConsoleHost:
    """What the server hands the console: the providers by service name, the clock, and defaults."""

    providers: Mapping[str, object]
    clock: VirtualClock
    account_id: str
    region: str
    advance_clock: Callable[[float], Awaitable[None]]


def json_response(payload: Any, status: int = 200) -> ConsoleResponse:
    headers = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
    return ConsoleResponse(status, headers, convert.dumps(payload))


def error_response(error: AwsError) -> ConsoleResponse:
    status = error.status or (400 if error.sender_fault else 500)
    return json_response({"error": {"code": error.code, "message": error.message}}, status)


def request_context(
    host: ConsoleHost, headers: Mapping[str, str], endpoint_url: str, service: str = "", operation: str = ""
) -> RequestContext:
    account = headers.get("x-millpond-account") or host.account_id
    if not (len(account) == 12 and account.isdigit()):
        account = host.account_id
    region = headers.get("x-millpond-region") or host.region
    return RequestContext(
        account_id=account,
        region=region,
        request_id=str(uuid.uuid4()),
        endpoint_url=endpoint_url,
        service=service,
        operation=operation,
    )


def state(host: ConsoleHost, ctx: RequestContext) -> dict[str, Any]:
    return {
        "account": ctx.account_id,
        "region": ctx.region,
        "defaultAccount": host.account_id,
        "defaultRegion": host.region,
        "regions": list(REGIONS),
        "clock": {"now": host.clock.now(), "offset": host.clock.offset, "real": time.time()},
        "services": sorted(host.providers),
    }


async def handle(
    host: ConsoleHost,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    endpoint_url: str,
) -> ConsoleResponse:
    rest = path[len(PREFIX) :]
    if rest in ("", "/") or not rest.startswith("/api/"):
        if method not in ("GET", "HEAD"):
            return json_response({"error": {"code": "MethodNotAllowed", "message": method}}, 405)
        return static.serve(rest)
    route = rest[len("/api/") :].rstrip("/")
    ctx = request_context(host, headers, endpoint_url)
    try:
        if route == "state" and method == "GET":
            return json_response(state(host, ctx))
        if route == "clock" and method == "POST":
            seconds = float(json.loads(body or b"{}").get("advance", 0))
            if seconds < 0:
                raise AwsError("ValidationException", "the clock only moves forward", 400)
            await host.advance_clock(seconds)
            return json_response(state(host, ctx)["clock"])
        caller = Caller(host.providers, ctx)
        if route == "call" and method == "POST":
            request = json.loads(body or b"{}")
            params = convert.from_json(request.get("params") or {})
            return json_response(
                await caller.call(str(request["service"]), str(request["operation"]), params)
            )
        if route.startswith("view/") and method == "GET":
            view = VIEWS.get(route[len("view/") :])
            if view is not None:
                return json_response(await view(caller, dict(parse_qsl(query))))
    except AwsError as error:
        return error_response(error)
    except (ValueError, KeyError, TypeError) as error:
        return json_response({"error": {"code": "BadRequest", "message": str(error)}}, 400)
    return json_response(
        {"error": {"code": "NotFound", "message": f"no console route {method} {route}"}}, 404
    )
