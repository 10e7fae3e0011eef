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


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _missing(shape: Shape, value: Any, path: str) -> tuple[str, str] | None:
    """(member name, path) of the first required member absent from `value`, depth first."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        if shape.is_document_type:
            return None
        for name in shape.required_members:
            if value.get(name) is None:
                return name, f"{path}.{_camel(name)}" if path else _camel(name)
        for name, item in value.items():
            member = shape.members.get(name)
            if member is not None and item is not None:
                found = _missing(member, item, f"{path}.{_camel(name)}" if path else _camel(name))
                if found:
                    return found
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value, 1):
            found = _missing(shape.member, item, f"{path}.{index}.member")
            if found:
                return found
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        for key, item in value.items():
            found = _missing(shape.value, item, f"{path}.{key}")
            if found:
                return found
    return None


def check_required(service: str, shape: StructureShape | None, params: dict[str, Any]) -> None:
    """Raise the AWS error for the first required member `params` lacks."""
    if shape is None:
        return
    found = _missing(shape, params, "")
    if found is None:
        return
    name, path = found
    code = MISSING_CODES.get(service, "ValidationException")
    if code == "MissingRequiredParameterException":
        message = f"The request must contain the parameter {name}."
    else:
        message = f"1 validation error detected: Value null at '{path}' failed to satisfy constraint: " + (
            "Member must not be null"
        )
    raise AwsError(code, message, 400)
