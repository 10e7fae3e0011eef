"""Serving the console's static files (static/): index.html for the app's own paths, modules and styles
by name. Files are read once and kept; nothing is fetched from anywhere else."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from millpond.console.routes import ConsoleResponse

ROOT = Path(__file__).resolve().parent / "static"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}


@functools.cache
def _read(relative: str) -> bytes | None:
    path = (ROOT / relative).resolve()
    if ROOT not in path.parents or not path.is_file():
        return None
    return path.read_bytes()


def serve(rest: str) -> ConsoleResponse:
    from millpond.console.routes import ConsoleResponse

    relative = rest.lstrip("/")
    if relative.startswith("static/"):
        relative = relative[len("static/") :]
        body = _read(relative)
        if body is None:
            return ConsoleResponse(404, [("Content-Type", "text/plain")], b"no such console file\n")
        kind = TYPES.get(Path(relative).suffix, "application/octet-stream")
        return ConsoleResponse(200, [("Content-Type", kind), ("Cache-Control", "no-cache")], body)
    # Every other path is a page of the single-page app: the shell routes it in the browser.
    shell = _read("index.html") or b"console files are missing\n"
    return ConsoleResponse(200, [("Content-Type", TYPES[".html"]), ("Cache-Control", "no-cache")], shell)
