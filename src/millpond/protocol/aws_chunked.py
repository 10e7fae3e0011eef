"""aws-chunked request bodies (`Content-Encoding: aws-chunked`, x-amz-content-sha256 STREAMING-*): the
SDKs' framing of an upload as `<hex size>[;chunk-signature=...]\\r\\n<data>\\r\\n` chunks, ended by a
zero-size chunk and optional trailing headers (`x-amz-checksum-crc32:...`), decoded as the bytes arrive.

Chunk signatures are not checked (IAM enforcement verifies the seed signature of the headers).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

from millpond.protocol.http import BodyStream

__all__ = ["ChunkError", "decode", "decode_bytes", "is_chunked"]

MAX_LINE = 4096


class ChunkError(ValueError):
    """The body does not follow the aws-chunked framing."""


def is_chunked(headers: Mapping[str, str]) -> bool:
    if "aws-chunked" in headers.get("content-encoding", "").lower():
        return True
    return headers.get("x-amz-content-sha256", "").startswith("STREAMING-")


class _Buffer:
    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks.__aiter__()
        self._data = bytearray()
        self._ended = False

    async def _more(self) -> bool:
        if self._ended:
            return False
        try:
            self._data += await self._chunks.__anext__()
        except StopAsyncIteration:
            self._ended = True
            return False
        return True

    async def line(self) -> bytes | None:
        while True:
            end = self._data.find(b"\r\n")
            if end >= 0:
                line = bytes(self._data[:end])
                del self._data[: end + 2]
                return line
            if len(self._data) > MAX_LINE:
                raise ChunkError("chunk header line too long")
            if not await self._more():
                if self._data:
                    line = bytes(self._data)
                    self._data.clear()
                    return line
                return None

    async def take(self, size: int) -> AsyncIterator[bytes]:
        """`size` bytes, yielded as they come (not gathered)."""
        left = size
        while left:
            if not self._data and not await self._more():
                raise ChunkError("body ended inside a chunk")
            piece = bytes(self._data[:left])
            del self._data[: len(piece)]
            left -= len(piece)
            yield piece


class _ChunkedBody(BodyStream):
    def __init__(self, raw: AsyncIterator[bytes]) -> None:
        super().__init__(self._decode(raw))

    async def _decode(self, raw: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        buffer = _Buffer(raw)
        while True:
            line = await buffer.line()
            if line is None:
                raise ChunkError("body ended before the final chunk")
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise ChunkError(f"bad chunk size {size_text[:20]!r}") from None
            if size == 0:
                break
            async for piece in buffer.take(size):
                yield piece
            if await buffer.line() != b"":
                raise ChunkError("chunk not followed by CRLF")
        while (line := await buffer.line()) not in (None, b""):
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep:
                raise ChunkError(f"bad trailer {line[:40]!r}")
            self.trailers[name.strip().lower()] = value.strip()


def decode(raw: AsyncIterator[bytes] | BodyStream) -> BodyStream:
    return _ChunkedBody(aiter(raw))


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


def decode_bytes(data: bytes) -> BodyStream:
    return _ChunkedBody(_one(data))
