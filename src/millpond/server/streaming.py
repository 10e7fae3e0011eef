"""Sending a response whose body is an async iterator of chunks (AWS event streams) over ASGI.

Each chunk goes out as its own `http.response.body` message with `more_body`, so HTTP/1.1 sends it as a
chunk of a chunked body and HTTP/2 as DATA frames, the moment it is produced. A client that goes away
(`http.disconnect`, or a send that fails) stops the iterator: its `finally` blocks run at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from millpond.protocol.http import HttpResponse

log = logging.getLogger("millpond")


async def _until_disconnect(receive: Any) -> None:
    while True:
        message = await receive()
        if message.get("type") == "http.disconnect":
            return


async def _pump(send: Any, chunks: AsyncIterator[bytes]) -> None:
    async for chunk in chunks:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _close(chunks: AsyncIterator[bytes]) -> None:
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(Exception):
            await aclose()


async def send_stream(
    send: Any, receive: Any, response: HttpResponse, stopping: asyncio.Event | None = None
) -> None:
    """Send every chunk, until the iterator ends, the client leaves, or `stopping` is set (shutdown:
    granian waits for open responses before it stops, so streams end cleanly first)."""
    assert response.stream is not None
    chunks = response.stream
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in response.headers]
    try:
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
    except BaseException:
        await _close(chunks)
        raise
    pump = asyncio.ensure_future(_pump(send, chunks))
    watcher = asyncio.ensure_future(_until_disconnect(receive))
    tasks: list[asyncio.Future[Any]] = [pump, watcher]
    if stopping is not None:
        tasks.append(asyncio.ensure_future(stopping.wait()))
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        if not pump.done() and not watcher.done():
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if pump.done() and not pump.cancelled() and pump.exception() is not None:
            log.debug("event stream ended early: %r", pump.exception())
        await _close(chunks)
