"""A bare ASGI app on the same granian, answering fixed bytes: the floor our stack is measured against."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from granian.constants import HTTPModes, Interfaces
from granian.server.embed import Server

BODY = sys.argv[2].encode() if len(sys.argv) > 2 else b"ok"


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-type", b"text/xml"), (b"content-length", str(len(BODY)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


async def main() -> None:
    server = Server(
        app,
        address="127.0.0.1",
        port=int(sys.argv[1]),
        interface=Interfaces.ASGI,
        http=HTTPModes.auto,
        websockets=False,
        log_enabled=False,
        backlog=1024,
    )
    await server.serve()


if __name__ == "__main__":
    asyncio.run(main())
