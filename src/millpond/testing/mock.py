"""`mock_aws()`: moto's ergonomics with a real server behind them.

As a context manager or a decorator it points AWS_ENDPOINT_URL and dummy credentials at a millpond
started once per process, with its state wiped on entry, and restores the environment on exit.
"""

from __future__ import annotations

import atexit
import functools
import inspect
import os
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from millpond.testing.server import Server

F = TypeVar("F", bound=Callable[..., Any])

_shared: Server | None = None
_lock = threading.Lock()


def shared_server() -> Server:
    """The process-wide server behind mock_aws, started on first use and stopped at exit."""
    global _shared
    with _lock:
        if _shared is None or not _shared.running:
            _shared = Server().start()
            atexit.register(_shared.stop)
        return _shared


# Lower-case like moto's decorator, which users are replacing.
class mock_aws:
    def __init__(self, server: Server | None = None) -> None:
        self._server = server
        self._saved: dict[str, str | None] = {}

    @property
    def server(self) -> Server:
        if self._server is None:
            self._server = shared_server()
        return self._server

    def __enter__(self) -> Server:
        server = self.server
        server.reset()
        for name, value in server.env.items():
            self._saved[name] = os.environ.get(name)
            os.environ[name] = value
        return server

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()

    def __call__(self, func: F) -> F:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with mock_aws(self._server):
                    return await func(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with mock_aws(self._server):
                return func(*args, **kwargs)

        return run  # type: ignore[return-value]
