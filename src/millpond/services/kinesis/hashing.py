"""The hash-key space: partition key -> MD5 -> 128-bit integer -> the open shard whose range holds it.

A stream of N shards splits 0 .. 2^128-1 evenly: shard i starts at i * (2^128 // N) and the last one ends
at 2^128-1 (aws-facts §3.2, matching the AWS CLI documentation's 3-shard example).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Sequence

from millpond.errors import AwsError

HASH_SPACE = 2**128
MAX_HASH_KEY = HASH_SPACE - 1
HASH_KEY_PATTERN = re.compile(r"^(0|[1-9]\d{0,38})$")


def hash_key(partition_key: str) -> int:
    """The 128-bit hash key of a partition key: its UTF-8 bytes through MD5, read big-endian."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def explicit_hash_key(text: str) -> int:
    """An ExplicitHashKey as an integer, or AWS's InvalidArgumentException when out of range."""
    value = int(text) if HASH_KEY_PATTERN.match(text) else -1
    if not 0 <= value <= MAX_HASH_KEY:
        raise AwsError(
            "InvalidArgumentException",
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value "
            f"was {text}",
        )
    return value


def even_ranges(count: int, start: int = 0, end: int = MAX_HASH_KEY) -> list[tuple[int, int]]:
    """`count` contiguous ranges over start..end: equal steps, the last one absorbing the remainder."""
    step = (end - start + 1) // count
    bounds = [start + i * step for i in range(count)] + [end + 1]
    return [(bounds[i], bounds[i + 1] - 1) for i in range(count)]


class ShardRouter:
    """Finds the open shard for a hash key: a binary search over the open shards' starting keys."""

    def __init__(self, shards: Sequence[tuple[int, int, int]]) -> None:
        """`shards`: (shard index, starting hash key, ending hash key) of every open shard."""
        ordered = sorted(shards, key=lambda shard: shard[1])
        self._starts = [start for _, start, _ in ordered]
        self._shards = ordered

    def route(self, key: int) -> int:
        """The index of the open shard whose range holds `key`."""
        position = bisect.bisect_right(self._starts, key) - 1
        index, start, end = self._shards[position]
        if not start <= key <= end:  # open shards always cover the whole space; a gap is a bug
            raise AssertionError(f"hash key {key} falls in no open shard")
        return index
