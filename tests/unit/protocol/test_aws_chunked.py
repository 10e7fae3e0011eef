"""aws-chunked bodies decoded as they arrive: chunk boundaries anywhere, signed and unsigned framing,
trailers, and framing errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from millpond.protocol import aws_chunked


def frame(data: bytes, size: int, signed: bool, trailers: dict[str, str]) -> bytes:
    ext = b";chunk-signature=" + b"a" * 64 if signed else b""
    out = b"".join(
        f"{len(data[i : i + size]):x}".encode() + ext + b"\r\n" + data[i : i + size] + b"\r\n"
        for i in range(0, len(data), size)
    )
    out += b"0" + ext + b"\r\n" + b"".join(f"{k}:{v}\r\n".encode() for k, v in trailers.items())
    return out + b"\r\n"


async def _pieces(raw: bytes, cut: int) -> AsyncIterator[bytes]:
    for i in range(0, len(raw), cut):
        yield raw[i : i + cut]


def decode(raw: bytes, cut: int) -> tuple[bytes, dict[str, str]]:
    async def run() -> tuple[bytes, dict[str, str]]:
        body = aws_chunked.decode(_pieces(raw, cut))
        data = b"".join([chunk async for chunk in body])
        return data, body.trailers

    return asyncio.run(run())


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=3000),
    size=st.integers(1, 700),
    cut=st.integers(1, 900),
    signed=st.booleans(),
    trailer=st.booleans(),
)
def test_decodes_whatever_the_boundaries(
    data: bytes, size: int, cut: int, signed: bool, trailer: bool
) -> None:
    trailers = {"x-amz-checksum-crc32": "AAAAAA=="} if trailer else {}
    assert decode(frame(data, size, signed, trailers), cut) == (data, trailers)


@pytest.mark.parametrize(
    "raw",
    [b"zz\r\nabc\r\n0\r\n\r\n", b"5\r\nab", b"3\r\nabcX0\r\n\r\n", b"3\r\nabc\r\n", b"0\r\nno-colon\r\n\r\n"],
)
def test_bad_framing_is_a_chunk_error(raw: bytes) -> None:
    with pytest.raises(aws_chunked.ChunkError):
        decode(raw, 4)


def test_is_chunked() -> None:
    assert aws_chunked.is_chunked({"content-encoding": "aws-chunked,gzip"})
    assert aws_chunked.is_chunked({"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
    assert not aws_chunked.is_chunked({"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
