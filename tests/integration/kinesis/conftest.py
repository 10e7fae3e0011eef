"""Kinesis test fixtures: stream names, servers of this package's own (for clock moves and opt-in settings),
and helpers that compute shards the way AWS does and read shards to their end."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.server import ServerProcess, make_server

_names = itertools.count()
HASH_SPACE = 2**128


@pytest.fixture
def name(request: pytest.FixtureRequest) -> str:
    """A stream name unique in the session."""
    base = request.node.name.split("[")[0].replace("test_", "")[:60]
    return f"{base}-{next(_names)}"


@pytest.fixture(scope="module")
def clock_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """An in-memory millpond whose virtual clock these tests may advance."""
    process = make_server(tmp_path_factory.mktemp("millpond-kinesis"), "--in-memory").start()
    yield process
    process.stop()


def advance(server: ServerProcess, seconds: float) -> None:
    server.post("/_millpond/clock", {"advance": seconds})


def shard_for(partition_key: str, shard_count: int) -> str:
    """The shard AWS routes a key to in a fresh stream: MD5 -> 128-bit int -> even ranges."""
    key = int(hashlib.md5(partition_key.encode("utf-8")).hexdigest(), 16)
    index = min(key // (HASH_SPACE // shard_count), shard_count - 1)
    return f"shardId-{index:012d}"


def read_shard(
    kinesis: Any, stream: str, shard: str, kind: str = "TRIM_HORIZON", **extra: Any
) -> list[dict[str, Any]]:
    """Every record from an iterator of `kind` until the shard has nothing more (or ends)."""
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType=kind, **extra)[
        "ShardIterator"
    ]
    records: list[dict[str, Any]] = []
    while iterator:
        page = kinesis.get_records(ShardIterator=iterator)
        records += page["Records"]
        if not page["Records"] and page["MillisBehindLatest"] == 0:
            break
        iterator = page.get("NextShardIterator")
    return records
