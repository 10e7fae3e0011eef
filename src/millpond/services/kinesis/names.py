"""Names and ARNs: streams, shards and consumers, and finding which stream a request means.

Streams are addressed by StreamName (in the caller's account and region) or by StreamARN (which names
both); shard ids are `shardId-` plus a 12-digit index; consumer ARNs hang off the stream ARN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError

STREAM_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,128}$")
STREAM_ARN = re.compile(
    r"^arn:(?P<partition>aws[\w-]*):kinesis:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):stream/(?P<name>[a-zA-Z0-9_.-]{1,128})$"
)
CONSUMER_ARN = re.compile(
    r"^arn:(?P<partition>aws[\w-]*):kinesis:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):stream/(?P<stream>[a-zA-Z0-9_.-]{1,128})"
    r"/consumer/(?P<name>[a-zA-Z0-9_.-]{1,128}):(?P<created>\d+)$"
)
SHARD_ID_PREFIX = "shardId-"
# The largest shard index a shard id may carry (AWS keeps them within a signed 32-bit int).
MAX_SHARD_INDEX = 2_147_483_647


@dataclass(frozen=True, slots=True)
class StreamRef:
    """Which stream a request names: account, region and name (from StreamName or StreamARN)."""

    account_id: str
    region: str
    name: str

    @property
    def arn(self) -> str:
        return stream_arn(self.region, self.account_id, self.name)


def stream_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:kinesis:{region}:{account_id}:stream/{name}"


def consumer_arn(stream: str, name: str, created_at: float) -> str:
    return f"{stream}/consumer/{name}:{int(created_at)}"


def shard_id(index: int) -> str:
    return f"{SHARD_ID_PREFIX}{index:012d}"


def shard_index(text: str) -> int | None:
    """The index a shard id names, or None; AWS also takes `shardId-5`, `shard-5` and plain `5`."""
    tail = text.rsplit("-", 1)[-1] if "-" in text else text
    if not tail.isdigit() or not tail.isascii():
        return None
    index = int(tail)
    return index if index <= MAX_SHARD_INDEX else None


def parse_stream_arn(arn: str) -> StreamRef | None:
    match = STREAM_ARN.match(arn)
    if match is None:
        return None
    return StreamRef(match.group("account"), match.group("region"), match.group("name"))


def stream_ref(ctx: RequestContext, params: dict[str, Any], *, arn_key: str = "StreamARN") -> StreamRef:
    """The stream a request names by StreamName and/or StreamARN (both must agree when both are given)."""
    name: str | None = params.get("StreamName")
    arn: str | None = params.get(arn_key)
    if arn is not None:
        ref = parse_stream_arn(arn)
        if ref is None:
            raise AwsError("InvalidArgumentException", f"Invalid StreamARN {arn}.")
        if name is not None and name != ref.name:
            raise AwsError(
                "InvalidArgumentException",
                f"StreamARN {arn} and StreamName {name} refer to different streams.",
            )
        return ref
    if name is None:
        raise AwsError("InvalidArgumentException", "Either StreamName or StreamARN should be provided.")
    return StreamRef(ctx.account_id, ctx.region, name)


def stream_not_found(ref: StreamRef) -> AwsError:
    return AwsError(
        "ResourceNotFoundException", f"Stream {ref.name} under account {ref.account_id} not found."
    )
