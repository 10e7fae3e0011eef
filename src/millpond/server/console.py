"""The console's hook into the server: hands the console its host (providers, clock, defaults) and adapts
HTTP requests under /_millpond/console/ to its plain (method, path, ...) interface."""

from __future__ import annotations

from typing import TYPE_CHECKING

from millpond import console
from millpond.protocol.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from millpond.server.wiring import System

PREFIX = console.PREFIX


def matches(request: HttpRequest) -> bool:
    # raw_path: no unquoting on the hot path of every AWS request.
    return request.raw_path == PREFIX or request.raw_path.startswith(PREFIX + "/")


def host(system: System) -> console.ConsoleHost:
    async def advance(seconds: float) -> None:
        system.clock.advance(seconds)
        await system.save_clock()

    return console.ConsoleHost(
        providers=system.providers,
        clock=system.clock,
        account_id=system.settings.account_id,
        region=system.settings.region,
        advance_clock=advance,
    )


async def handle(system: System, request: HttpRequest, endpoint_url: str) -> HttpResponse:
    response = await console.handle(
        host(system),
        request.method,
        request.path,
        request.query_string,
        request.headers,
        request.body,
        endpoint_url,
    )
    return HttpResponse(response.status, response.headers, response.body)
