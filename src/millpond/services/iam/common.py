"""Shared IAM rules: ids, ARNs, name/path/tag validation, Marker/MaxItems pagination, AWS error texts."""

from __future__ import annotations

import base64
import re
import secrets
import string
from typing import Any
from urllib.parse import quote

from millpond.errors import AwsError
from millpond.services.iam.repository import Record

_ID_ALPHABET = string.ascii_uppercase + "234567"
NAME = re.compile(r"^[\w+=,.@-]+$")
PATH = re.compile(r"^/(?:[\x21-\x7e]*/)?$")
DEFAULT_MAX_ITEMS = 100
MAX_TAGS = 50


def unique_id(prefix: str) -> str:
    """AWS-style 21-character ids: a 4-letter prefix (AROA, AIDA, ANPA, AGPA) and 17 base32 characters."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(17))


def access_key_id() -> str:
    return "AKIA" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def secret_access_key() -> str:
    return base64.b64encode(secrets.token_bytes(30)).decode()


def arn(account: str, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


def url_encoded(document: str) -> str:
    # IAM returns policy documents URL-encoded (RFC 3986); SDKs decode them back to JSON.
    return quote(document, safe="-_.~")


def no_such_entity(message: str) -> AwsError:
    return AwsError("NoSuchEntityException", message)


def validation(field: str, value: Any, constraint: str) -> AwsError:
    return AwsError(
        "ValidationError",
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
        + constraint,
        400,
    )


def check_name(field: str, value: str | None, max_length: int = 64) -> str:
    if not value:
        raise AwsError(
            "ValidationError", f"The request must contain the parameter {field[0].upper()}{field[1:]}", 400
        )
    if len(value) > max_length:
        raise validation(field, value, f"Member must have length less than or equal to {max_length}")
    if not NAME.match(value):
        raise validation(field, value, "Member must satisfy regular expression pattern: [\\w+=,.@-]+")
    return value


def check_path(value: str | None, field: str = "path") -> str:
    path = "/" if value is None else value
    if len(path) > 512:
        raise validation(field, path, "Member must have length less than or equal to 512")
    if not PATH.match(path):
        raise AwsError(
            "ValidationError",
            "The specified value for path is invalid. It must begin and end with / and contain only "
            "alphanumeric characters and/or / characters.",
            400,
        )
    return path


def check_tags(tags: list[dict[str, str]] | None, kind: str) -> list[dict[str, str]]:
    found = list(tags or [])
    for tag in found:
        key, value = tag.get("Key", ""), tag.get("Value", "")
        if not 1 <= len(key) <= 128:
            raise validation("tags.member.key", key, "Member must have length less than or equal to 128")
        if len(value) > 256:
            raise validation("tags.member.value", value, "Member must have length less than or equal to 256")
    if len(found) > MAX_TAGS:
        raise AwsError("LimitExceededException", f"Cannot exceed quota for TagsPer{kind}: {MAX_TAGS}")
    return found


def merge_tags(current: list[dict[str, str]], new: list[dict[str, str]], kind: str) -> list[dict[str, str]]:
    merged = {tag["Key"]: tag.get("Value", "") for tag in current}
    for tag in new:
        merged[tag["Key"]] = tag.get("Value", "")
    return check_tags([{"Key": k, "Value": v} for k, v in merged.items()], kind)


def remove_tags(current: list[dict[str, str]], keys: list[str]) -> list[dict[str, str]]:
    drop = set(keys)
    return [tag for tag in current if tag["Key"] not in drop]


def paginate(items: list[Any], params: dict[str, Any], key: str) -> dict[str, Any]:
    """Marker/MaxItems/IsTruncated as every IAM List* operation pages; the Marker is an opaque offset."""
    max_items = params.get("MaxItems") or DEFAULT_MAX_ITEMS
    if not 1 <= max_items <= 1000:
        raise validation("maxItems", max_items, "Member must have value less than or equal to 1000")
    start = 0
    marker = params.get("Marker")
    if marker:
        try:
            start = int(base64.urlsafe_b64decode(marker.encode()).decode())
        except ValueError as exc:
            raise AwsError("ValidationError", "Invalid Marker.", 400) from exc
    page = items[start : start + max_items]
    result: dict[str, Any] = {key: page, "IsTruncated": start + max_items < len(items)}
    if result["IsTruncated"]:
        result["Marker"] = base64.urlsafe_b64encode(str(start + max_items).encode()).decode()
    return result


def with_prefix(records: list[Record], prefix: str | None) -> list[Record]:
    return [r for r in records if r.get("Path", "/").startswith(prefix or "/")]


def limit_size(document: str, limit: int, message: str) -> None:
    # IAM counts policy size without whitespace.
    if len("".join(document.split())) > limit:
        raise AwsError("LimitExceededException", message)


def boundary(policy_arn: str | None) -> dict[str, Any]:
    """The PermissionsBoundary field a role or user is created with (none: no field)."""
    if not policy_arn:
        return {}
    if not policy_arn.startswith("arn:"):
        raise AwsError("InvalidInputException", f"ARN {policy_arn} is not valid.")
    return {
        "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": policy_arn}
    }
