"""Plain HTTP request and response values that the codecs read and write (no framework types)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote


class BodyStream:
    """A request body read as it arrives: `async for chunk in body`; `trailers` (lower-case names) are
    filled once the whole body has been read, for bodies that carry trailing headers (aws-chunked)."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks
        self.trailers: dict[str, str] = {}
        self.announced: list[str] = []  # trailer names the request announced (x-amz-trailer)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks.__aiter__()

    async def read(self, limit: int) -> bytes:
        """The whole body, refused (ValueError) past `limit` bytes."""
        parts: list[bytes] = []
        size = 0
        async for chunk in self:
            size += len(chunk)
            if size > limit:
                raise ValueError(f"body larger than {limit} bytes")
            parts.append(chunk)
        return b"".join(parts)


@dataclass(slots=True)
class HttpRequest:
    method: str
    # The path exactly as sent, still percent-encoded (greedy labels and queue URLs need the raw form).
    raw_path: str
    query_string: str = ""
    # Header names in lower case; repeated headers joined with ", ".
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    client_ip: str = ""  # the peer's address (aws:SourceIp)
    # The body still to be read, chunk by chunk (S3 object uploads); `body` is then empty.
    stream: BodyStream | None = None

    @property
    def path(self) -> str:
        return unquote(self.raw_path)

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@dataclass(slots=True)
class HttpResponse:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    # A body sent in chunks as they come (event streams); `body` is then unused.
    stream: AsyncIterator[bytes] | None = None

    def header(self, name: str) -> str | None:
        lower = name.lower()
        for key, value in self.headers:
            if key.lower() == lower:
                return value
        return None
