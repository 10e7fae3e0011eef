"""The data plane's request and response values (an invoke URL call, as the server layer hands it over)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class ExecuteRequest:
    api_id: str
    stage: str
    method: str
    path: str  # after the stage, still percent-encoded, starting with "/"
    query_string: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)  # names as the client sent them, in order
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"
    host: str = "localhost"  # the Host header as sent (with its port)
    port: str = "4566"
    scheme: str = "http"
    endpoint_url: str = "http://localhost:4566"

    def header(self, name: str) -> str | None:
        lower = name.lower()
        found = None
        for key, value in self.headers:
            if key.lower() == lower:
                found = value
        return found


@dataclass(slots=True)
class ExecuteResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((value for key, value in self.headers if key.lower() == lower), None)
