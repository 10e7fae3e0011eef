"""Hash-key routing: MD5 of the partition key, even ranges, ExplicitHashKey bounds."""

from __future__ import annotations

import hashlib

import pytest

from millpond.errors import AwsError
from millpond.services.kinesis.hashing import (
    MAX_HASH_KEY,
    ShardRouter,
    even_ranges,
    explicit_hash_key,
    hash_key,
)


def test_three_shards_match_the_ranges_in_the_aws_cli_documentation() -> None:
    assert even_ranges(3) == [
        (0, 113427455640312821154458202477256070484),
        (113427455640312821154458202477256070485, 226854911280625642308916404954512140969),
        (226854911280625642308916404954512140970, 340282366920938463463374607431768211455),
    ]


@pytest.mark.parametrize("count", [1, 2, 4, 7, 500])
def test_even_ranges_cover_the_whole_space_without_gaps(count: int) -> None:
    ranges = even_ranges(count)
    assert ranges[0][0] == 0 and ranges[-1][1] == MAX_HASH_KEY
    assert all(ranges[i][1] + 1 == ranges[i + 1][0] for i in range(count - 1))


def test_two_shards_split_at_two_to_the_127() -> None:
    assert even_ranges(2)[1][0] == 170141183460469231731687303715884105728


def test_partition_key_hashes_through_md5() -> None:
    assert hash_key("user-1") == 285573413173782752570879317399258818820
    assert hash_key("ünïcode") == int(hashlib.md5("ünïcode".encode()).hexdigest(), 16)


def test_router_finds_the_shard_holding_a_key() -> None:
    router = ShardRouter([(index, start, end) for index, (start, end) in enumerate(even_ranges(4))])
    assert router.route(hash_key("user-1")) == 3
    assert router.route(0) == 0
    assert router.route(MAX_HASH_KEY) == 3
    # Non-consecutive indexes after resharding route too.
    router = ShardRouter([(7, 2**127, MAX_HASH_KEY), (5, 0, 2**127 - 1)])
    assert router.route(2**127) == 7 and router.route(2**127 - 1) == 5


def test_explicit_hash_key_must_be_in_range() -> None:
    assert explicit_hash_key("0") == 0
    assert explicit_hash_key(str(MAX_HASH_KEY)) == MAX_HASH_KEY
    with pytest.raises(AwsError) as raised:
        explicit_hash_key(str(MAX_HASH_KEY + 1))
    assert raised.value.code == "InvalidArgumentException"
    assert raised.value.message == (
        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was "
        f"{MAX_HASH_KEY + 1}"
    )
