"""The Lambda Runtime API (2018-06-01) for ONE execution environment, on 127.0.0.1:<free port>.

awslambdaric takes AWS_LAMBDA_RUNTIME_API as host:port with no path prefix, so every environment gets
its own listener. A minimal HTTP/1.1 server (keep-alive, Content-Length or chunked bodies) serves
invocation/next, invocation/<id>/response, invocation/<id>/error and init/error.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field

PREFIX = "/2018-06-01/runtime/"
MAX_RESPONSE = 6_291_556  # AWS's limit, in the words of its error message
_REASONS = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    413: "Payload Too Large",
}


@dataclass
class Invocation:
    request_id: str
    payload: bytes
    deadline_ms: int
    invoked_arn: str
    trace_id: str
    client_context: str | None = None
    # Set once: ("response", body, None) or ("error", body, error type header).
    outcome: asyncio.Future[tuple[str, bytes, str | None]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


def _json(status: int, document: object) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(document).encode()


class RuntimeApi:
    """Serves one worker: hands it invocations one at a time and collects what it posts back."""

    def __init__(self) -> None:
        self._pending: asyncio.Queue[Invocation] = asyncio.Queue()
        self.current: Invocation | None = None
        self.initialized = asyncio.Event()  # the worker asked for its first event: init is over
        self.init_error: asyncio.Future[tuple[bytes, str | None]] = asyncio.get_running_loop().create_future()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=1 << 16)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        for task in list(self._connections):
            with contextlib.suppress(BaseException):
                await task

    def submit(self, invocation: Invocation) -> None:
        self._pending.put_nowait(invocation)

    # -- HTTP ----------------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                # The request line and headers in one read: a readline per header costs more than the rest.
                raw = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request_line, *lines = raw[:-4].split("\r\n")
                method, target, _ = request_line.split(" ", 2)
                headers: dict[str, str] = {}
                for header in lines:
                    name, _, value = header.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await _read_body(reader, headers)
                status, out_headers, out_body = await self._route(method, target, headers, body)
                head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}"]
                head += [f"{k}: {v}" for k, v in out_headers.items()]
                head.append(f"Content-Length: {len(out_body)}")
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + out_body)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            return  # the worker hung up (an incomplete head at EOF too) or sent something unreadable
        except asyncio.CancelledError:
            return  # close() ends it; left raised, 3.11's start_server logs the cancelled task as an error
        finally:
            self._connections.discard(task)
            writer.close()

    async def _route(
        self, method: str, target: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, dict[str, str], bytes]:
        path = target.split("?", 1)[0]
        if not path.startswith(PREFIX):
            return _json(404, {"errorMessage": "Not found", "errorType": "NotFound"})
        parts = path[len(PREFIX) :].split("/")
        if method == "GET" and parts == ["invocation", "next"]:
            return await self._next()
        if method == "POST" and parts == ["init", "error"]:
            if not self.init_error.done():
                self.init_error.set_result((body or b"", headers.get("lambda-runtime-function-error-type")))
            return _json(202, {"status": "OK"})
        if (
            method == "POST"
            and len(parts) == 3
            and parts[0] == "invocation"
            and parts[2] in ("response", "error")
        ):
            current = self.current
            if current is None or current.request_id != parts[1] or current.outcome.done():
                return _json(400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"})
            if body is None:  # over the limit: the invocation fails, the worker is told so
                current.outcome.set_result(("too-large", b"", None))
                message = f"Exceeded maximum allowed payload size ({MAX_RESPONSE} bytes)."
                return _json(413, {"errorMessage": message, "errorType": "RequestEntityTooLarge"})
            error_type = headers.get("lambda-runtime-function-error-type")
            current.outcome.set_result((parts[2], body, error_type))
            return _json(202, {"status": "OK"})
        return _json(404, {"errorMessage": "Not found", "errorType": "NotFound"})

    async def _next(self) -> tuple[int, dict[str, str], bytes]:
        self.initialized.set()
        invocation = await self._pending.get()
        self.current = invocation
        headers = {
            # awslambdaric's native client crashes on a /next answer without a Content-Type.
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": invocation.invoked_arn,
            "Lambda-Runtime-Trace-Id": invocation.trace_id,
        }
        if invocation.client_context:
            headers["Lambda-Runtime-Client-Context"] = invocation.client_context
        return 200, headers, invocation.payload


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes | None:
    """The body, or None when it is larger than a response may be (read and dropped)."""
    if "content-length" in headers:
        remaining = int(headers["content-length"])
        if remaining <= MAX_RESPONSE:
            return await reader.readexactly(remaining)
        while remaining:
            remaining -= len(await reader.readexactly(min(remaining, 1 << 20)))
        return None
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        size = 0
        while True:
            length = int((await reader.readline()).split(b";")[0].strip(), 16)
            chunk = await reader.readexactly(length + 2)
            if length == 0:
                break
            size += length
            if size <= MAX_RESPONSE:
                chunks.append(chunk[:-2])
        return b"".join(chunks) if size <= MAX_RESPONSE else None
    return b""
