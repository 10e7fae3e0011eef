"""A small keep-alive HTTP/1.1 load generator (asyncio, raw sockets), used when wrk is not installed.

It is the same client for every target in one run, so ratios between targets are fair even though
the client itself costs CPU.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


async def _worker(host: str, port: int, request: bytes, stop_at: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    done = 0
    try:
        while time.perf_counter() < stop_at:
            writer.write(request)
            await writer.drain()
            length = -1
            while True:
                line = await reader.readline()
                if not line:
                    raise ConnectionError("server closed the connection")
                if line == b"\r\n":
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length > 0:
                await reader.readexactly(length)
            done += 1
    finally:
        counts.append(done)
        writer.close()


def requests_per_second(
    host: str, port: int, request: bytes, seconds: float = 3.0, connections: int = 16
) -> float:
    async def run() -> float:
        counts: list[int] = []
        started = time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(*(_worker(host, port, request, stop_at, counts) for _ in range(connections)))
        return sum(counts) / (time.perf_counter() - started)

    return asyncio.run(run())


def post(path: str, host: str, port: int, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def start_bare(reply: bytes) -> tuple[subprocess.Popen[bytes], int]:
    """The bare ASGI app (_bare_app.py) on a free port, answering `reply`; returns once it answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    bare = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("_bare_app.py")), str(port), reply.decode()]
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", data=b"x").read()
            break
        except OSError:
            time.sleep(0.02)
    return bare, port
