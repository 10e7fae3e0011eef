"""Tags (the stream APIs and the ARN-based ones, which also reach consumers) and resource policies."""

from __future__ import annotations

import json
import re
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.kinesis import consumers
from millpond.services.kinesis.core import Core
from millpond.services.kinesis.names import CONSUMER_ARN, parse_stream_arn, stream_not_found

MAX_TAGS = 50
LIST_TAGS_DEFAULT = 50
# kinesalite, recorded against AWS: letters (\w and these Unicode ranges), digits, a plain space (no tab or
# newline) and _ . / = + - @ : % are valid; a % then fails with a second, operation-worded message.
_INVALID_TAG_CHARACTER = re.compile(r"[^\u00C0-\u1FFF\u2C00-\uD7FF\w./=+\- @%:]")
_ILLEGAL_TAG_TEXT = (
    "because some tags contained illegal characters. The allowed characters are Unicode letters, "
    "white-spaces, '_',',','/','=','+','-','@',':'."
)


def _check_tag_text(texts: list[str], failed_to: str, name: str, account_id: str) -> None:
    if any(_INVALID_TAG_CHARACTER.search(text) for text in texts):
        raise AwsError(
            "InvalidArgumentException",
            "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, "
            "_ . / = + - % @ :.",
        )
    if any("%" in text for text in texts):
        raise AwsError(
            "InvalidArgumentException",
            f"Failed to {failed_to} stream {name} under account {account_id} {_ILLEGAL_TAG_TEXT}",
        )


def _resource(core: Core, ctx: RequestContext, arn: str) -> tuple[int, str]:
    """(stream pk, ARN) of the stream or consumer a ResourceARN names."""
    ref = parse_stream_arn(arn)
    if ref is not None:
        stream = core.repo.find_stream(ref.account_id, ref.region, ref.name)
        if stream is None:
            raise stream_not_found(ref)
        return stream.pk, stream.arn
    if CONSUMER_ARN.match(arn):
        stream, consumer = consumers.find(core, ctx, {"ConsumerARN": arn})
        return stream.pk, consumer.arn
    raise AwsError("ResourceNotFoundException", f"Resource {arn} under account {ctx.account_id} not found.")


async def _add(
    core: Core, arn: str, stream_pk: int, name: str, account_id: str, tags: dict[str, str]
) -> None:
    _check_tag_text([text for pair in tags.items() for text in pair], "add tags to", name, account_id)
    merged = core.repo.tags(arn) | tags
    if len(merged) > MAX_TAGS:
        raise AwsError(
            "InvalidArgumentException",
            f"Failed to add tags to stream {name} under account {account_id} because a given stream cannot "
            f"have more than {MAX_TAGS} tags associated with it.",
        )
    await core.repo.put_tags(arn, stream_pk, tags)


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]


async def add_tags_to_stream(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    await _add(core, stream.arn, stream.pk, stream.name, stream.account_id, params["Tags"])
    return {}


async def remove_tags_from_stream(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    _check_tag_text(list(params["TagKeys"]), "remove tags from", stream.name, stream.account_id)
    await core.repo.remove_tags(stream.arn, params["TagKeys"])
    return {}


def list_tags_for_stream(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    tags = sorted(core.repo.tags(stream.arn).items())
    start: str | None = params.get("ExclusiveStartTagKey")
    if start is not None:
        tags = [(key, value) for key, value in tags if key > start]
    limit = params.get("Limit") or LIST_TAGS_DEFAULT
    return {"Tags": _tag_list(dict(tags[:limit])), "HasMoreTags": len(tags) > limit}


async def tag_resource(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream_pk, arn = _resource(core, ctx, params["ResourceARN"])
    await _add(core, arn, stream_pk, arn, ctx.account_id, params["Tags"])
    return {}


async def untag_resource(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    _, arn = _resource(core, ctx, params["ResourceARN"])
    _check_tag_text(list(params["TagKeys"]), "remove tags from", arn, ctx.account_id)
    await core.repo.remove_tags(arn, params["TagKeys"])
    return {}


def list_tags_for_resource(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    _, arn = _resource(core, ctx, params["ResourceARN"])
    return {"Tags": _tag_list(core.repo.tags(arn))}


async def put_resource_policy(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream_pk, arn = _resource(core, ctx, params["ResourceARN"])
    policy: str = params["Policy"]
    try:
        document = json.loads(policy)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise AwsError("InvalidArgumentException", "Policy is not a valid JSON policy document.")
    await core.repo.put_policy(arn, stream_pk, policy)
    return {}


def get_resource_policy(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    _, arn = _resource(core, ctx, params["ResourceARN"])
    # With no policy attached the answer is an empty policy document.
    return {"Policy": core.repo.policy(arn) or "{}"}


async def delete_resource_policy(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    _, arn = _resource(core, ctx, params["ResourceARN"])
    if core.repo.policy(arn) is None:  # AWS-recorded: deleting a policy that is not there is an error
        raise AwsError("ResourceNotFoundException", f"No resource policy found for resource ARN {arn}.")
    await core.repo.delete_policy(arn)
    return {}
