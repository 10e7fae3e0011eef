"""Identifiers and errors shared by API Gateway's modules."""

from __future__ import annotations

import secrets
import string
from typing import Any

from millpond.errors import AwsError

_ALPHABET = string.ascii_lowercase + string.digits

# AWS ids: REST APIs and root resources 10 lowercase alphanumerics, other resources and deployments 6.
API_ID_LENGTH = 10
RESOURCE_ID_LENGTH = 6
DEPLOYMENT_ID_LENGTH = 6


def new_id(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def not_found(message: str) -> AwsError:
    return AwsError("NotFoundException", message)


def bad_request(message: str) -> AwsError:
    return AwsError("BadRequestException", message)


def conflict(message: str) -> AwsError:
    return AwsError("ConflictException", message)


def api_not_found(account: str, api_id: str) -> AwsError:
    return not_found(f"Invalid API identifier specified {account}:{api_id}")


def page(items: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    """{"items": [...], "position"?} for the list operations (position is an offset here)."""
    position = params.get("position") or "0"
    if not (position.isascii() and position.isdigit()):
        raise bad_request("Invalid position parameter")
    start = int(position)
    limit = int(params.get("limit") or 25)
    result: dict[str, Any] = {"items": items[start : start + limit]}
    if start + limit < len(items):
        result["position"] = str(start + limit)
    return result


def compact(document: dict[str, Any]) -> dict[str, Any]:
    """Drop members that are None: AWS omits unset members rather than sending null."""
    return {key: value for key, value in document.items() if value is not None}
