"""Required members, checked once for every operation before its provider runs.

AWS's front ends refuse a request that lacks a member the model marks required (at any depth: a tag
without its Key counts too) before the service sees it; the error code and wording differ by service.
Providers may therefore index required members directly.
"""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from millpond.errors import AwsError

# service -> the error code its front end answers a missing required member with
MISSING_CODES: dict[str, str] = {
    "sqs": "MissingRequiredParameterException",  # query code MissingParameter
    "cloudwatch": "MissingRequiredParameterException",  # query code MissingParameter
    "kinesis": "ValidationException",
    "logs": "InvalidParameterException",
    "lambda": "InvalidParameterValueException",
    "apigateway": "BadRequestException",
    "iam": "ValidationError",
    "sts": "ValidationError",
}


def camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _missing(shape: Shape, value: Any) -> tuple[str, list[str]] | None:
    """The first required member absent from `value` and its path, depth first (built only when found)."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        if shape.is_document_type:
            return None
        for name in shape.required_members:
            if value.get(name) is None:
                return name, [camel(name)]
        for name, item in value.items():
            member = shape.members.get(name)
            if member is not None and item is not None and member.type_name in _NESTED:
                found = _missing(member, item)
                if found:
                    return found[0], [camel(name), *found[1]]
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value, 1):
            found = _missing(shape.member, item)
            if found:
                return found[0], [str(index), "member", *found[1]]
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        for key, item in value.items():
            found = _missing(shape.value, item)
            if found:
                return found[0], [str(key), *found[1]]
    return None


_NESTED = frozenset({"structure", "list", "map"})


def check_required(service: str, shape: StructureShape | None, params: dict[str, Any]) -> None:
    """Raise the AWS error for the first required member `params` lacks."""
    if shape is None:
        return
    found = _missing(shape, params)
    if found is None:
        return
    name, parts = found
    path = ".".join(parts)
    code = MISSING_CODES.get(service, "ValidationException")
    if code == "MissingRequiredParameterException":
        message = f"The request must contain the parameter {name}."
    else:
        message = f"1 validation error detected: Value null at '{path}' failed to satisfy constraint: " + (
            "Member must not be null"
        )
    raise AwsError(code, message, 400)
