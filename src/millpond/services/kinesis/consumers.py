"""Enhanced fan-out consumers: register, describe, list, deregister (SubscribeToShard is in provider.py).

A consumer's ARN is its stream's ARN plus `/consumer/<name>:<creation second>`, so a consumer registered
again under the same name gets a new ARN and old ARNs stop resolving.
"""

from __future__ import annotations

from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.kinesis.core import Core
from millpond.services.kinesis.describe import decode_token, encode_token
from millpond.services.kinesis.names import CONSUMER_ARN, StreamRef, consumer_arn, stream_arn
from millpond.services.kinesis.repository import Consumer, ConsumerExists, Stream

MAX_CONSUMERS = 20
LIST_DEFAULT = 100


def consumer_status(consumer: Consumer, now: float) -> str:
    if consumer.status == "CREATING" and now >= consumer.settles_at:
        return "ACTIVE"
    return consumer.status


def _shown(core: Core, consumer: Consumer) -> dict[str, Any]:
    return {
        "ConsumerName": consumer.name,
        "ConsumerARN": consumer.arn,
        "ConsumerStatus": consumer_status(consumer, core.now()),
        "ConsumerCreationTimestamp": consumer.created_at,
    }


def _not_found(what: str, account_id: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Consumer {what}, account {account_id} not found.")


def find(core: Core, ctx: RequestContext, params: dict[str, Any]) -> tuple[Stream, Consumer]:
    """The consumer named by ConsumerARN, or by StreamARN and ConsumerName."""
    arn: str | None = params.get("ConsumerARN")
    name: str | None = params.get("ConsumerName")
    if arn is not None:
        match = CONSUMER_ARN.match(arn)
        if match is None:
            raise _not_found(arn, ctx.account_id)
        ref = StreamRef(match.group("account"), match.group("region"), match.group("stream"))
        stream = core.repo.find_stream(ref.account_id, ref.region, ref.name)
        found = [c for c in core.repo.consumers(stream.pk) if c.arn == arn] if stream else []
        if stream is None or not found:
            raise _not_found(arn, ref.account_id)
        return stream, found[0]
    if name is None or params.get("StreamARN") is None:
        raise AwsError(
            "InvalidArgumentException", "Must specify either ConsumerARN, or both StreamARN and ConsumerName."
        )
    stream = core.stream(ctx, {"StreamARN": params["StreamARN"]})
    found = [c for c in core.repo.consumers(stream.pk) if c.name == name]
    if not found:
        raise _not_found(name, stream.account_id)
    return stream, found[0]


async def register_stream_consumer(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, {"StreamARN": params["StreamARN"]})
    core.require_settled(stream)
    name: str = params["ConsumerName"]
    existing = core.repo.consumers(stream.pk)
    if any(c.name == name for c in existing):
        raise AwsError("ResourceInUseException", f"Consumer {name} under stream {stream.arn} already exists.")
    if len(existing) >= MAX_CONSUMERS:
        raise AwsError(
            "LimitExceededException",
            f"Stream {stream.arn} already has the maximum of {MAX_CONSUMERS} registered consumers.",
        )
    now = core.now()
    settles_at = now + core.options.create_delay
    consumer = Consumer(name, consumer_arn(stream.arn, name, now), now, "CREATING", settles_at)
    try:
        await core.repo.add_consumer(stream.pk, consumer)
    except ConsumerExists:
        raise AwsError(
            "ResourceInUseException", f"Consumer {name} under stream {stream.arn} already exists."
        ) from None
    if params.get("Tags"):
        await core.repo.put_tags(consumer.arn, stream.pk, params["Tags"])
    # AWS answers CREATING; the consumer turns ACTIVE moments later (at once unless a delay is configured).
    return {"Consumer": {**_shown(core, consumer), "ConsumerStatus": "CREATING"}}


def describe_stream_consumer(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream, consumer = find(core, ctx, params)
    return {"ConsumerDescription": {**_shown(core, consumer), "StreamARN": stream.arn}}


def list_stream_consumers(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    now = core.now()
    token = params.get("NextToken")
    if token is not None:
        state = decode_token(token, now, "consumers")
        arn = stream_arn(state["region"], state["account"], state["name"])
        offset: int = state["offset"]
    else:
        arn, offset = params["StreamARN"], 0
    stream = core.stream(ctx, {"StreamARN": arn})
    limit = params.get("MaxResults") or LIST_DEFAULT
    listed = core.repo.consumers(stream.pk)
    page = listed[offset : offset + limit]
    result: dict[str, Any] = {"Consumers": [_shown(core, c) for c in page]}
    if offset + limit < len(listed):
        payload = {
            "k": "consumers",
            "region": stream.region,
            "account": stream.account_id,
            "name": stream.name,
            "offset": offset + limit,
        }
        result["NextToken"] = encode_token(payload, now)
    return result


async def deregister_stream_consumer(
    core: Core, ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    stream, consumer = find(core, ctx, params)
    await core.repo.remove_consumer(stream.pk, consumer.name)
    return {}
