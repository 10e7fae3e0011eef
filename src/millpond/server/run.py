"""Serving the app on granian (HTTP/1.1 and HTTP/2 cleartext on one port) inside our own event loop."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from granian.constants import HTTPModes, Interfaces
from granian.server.embed import Server

from millpond.clock import VirtualClock
from millpond.config import Settings
from millpond.server.app import MillpondApp

log = logging.getLogger("millpond")


class _ReadyApp(MillpondApp):
    """Calls `on_ready` once storage and services are up (the socket is bound before that)."""

    def __init__(self, settings: Settings, on_ready: Callable[[MillpondApp], None] | None) -> None:
        super().__init__(settings, VirtualClock())
        self._on_ready = on_ready

    async def startup(self) -> None:
        await super().startup()
        if self._on_ready is not None:
            self._on_ready(self)


def quiet_granian(level: int) -> None:
    for name in ("_granian", "granian", "granian.access"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


async def serve(
    settings: Settings,
    on_ready: Callable[[MillpondApp], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set); what was acknowledged is committed on the way out."""
    app = _ReadyApp(settings, on_ready)
    server = Server(
        app,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        http=HTTPModes.auto,
        websockets=False,
        log_enabled=False,
        backlog=1024,
    )
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    async def stopper() -> None:
        await stop.wait()
        app.stopping.set()  # end open event streams first: granian waits for every response to finish
        server.stop()

    watcher = asyncio.create_task(stopper())
    try:
        await server.serve()
    finally:
        watcher.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
