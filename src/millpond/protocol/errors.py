"""How an AwsError reads on the wire, worked out from the service model once for every protocol.

A modeled error shape (`"exception": true`) carries its HTTP status and, on query-compatible services
(SQS, CloudWatch), the legacy query code that older SDKs and `x-amzn-query-error` use.
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.model import ServiceModel, StructureShape

from millpond.errors import AwsError


@dataclass(frozen=True, slots=True)
class WireError:
    code: str  # the shape name (JSON __type, rest-json x-amzn-ErrorType)
    query_code: str  # the code in query XML and in x-amzn-query-error
    status: int
    sender_fault: bool
    message: str
    message_key: str  # "message" or "Message", as the error shape names its member
    shape: StructureShape | None
    fields: dict


def error_shape(service: ServiceModel, code: str) -> StructureShape | None:
    try:
        shape = service.shape_for(code)
    except Exception:
        return None
    if isinstance(shape, StructureShape) and shape.metadata.get("exception"):
        return shape
    return None


def resolve(service: ServiceModel, error: AwsError) -> WireError:
    shape = error_shape(service, error.code)
    status = error.status
    query_code = error.code
    sender_fault = error.sender_fault
    message_key = "message"
    if shape is not None:
        trait = shape.metadata.get("error") or {}
        if status is None:
            status = int(trait.get("httpStatusCode", 400))
        query_code = trait.get("code", error.code)
        if "senderFault" in trait:
            sender_fault = bool(trait["senderFault"])
        elif status >= 500:
            sender_fault = False
        if "Message" in shape.members and "message" not in shape.members:
            message_key = "Message"
    return WireError(
        code=error.code,
        query_code=query_code,
        status=status if status is not None else 400,
        sender_fault=sender_fault,
        message=error.message,
        message_key=message_key,
        shape=shape,
        fields=error.fields,
    )
