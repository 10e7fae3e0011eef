"""How an AwsError reads on the wire, worked out from the service model once for every protocol.

A modeled error shape (`"exception": true`) carries its HTTP status and, on query-compatible services
(SQS, CloudWatch), the legacy query code that older SDKs and `x-amzn-query-error` use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.model import ServiceModel, StructureShape

from millpond.errors import AwsError
from millpond.protocol import specs


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


# Error traits no model carries: SQS's current JSON model dropped them and the legacy one lacks these.
EXTRA_ERROR_TRAITS: dict[tuple[str, str], dict[str, Any]] = {
    ("sqs", "InvalidParameterValueException"): {"code": "InvalidParameterValue", "httpStatusCode": 400},
    ("sqs", "MissingRequiredParameterException"): {"code": "MissingParameter", "httpStatusCode": 400},
    # AWS answers 404 for these in JSON mode (recorded against real SQS).
    ("sqs", "ReceiptHandleIsInvalid"): {"code": "ReceiptHandleIsInvalid", "httpStatusCode": 404},
    ("sqs", "InvalidAddress"): {"code": "InvalidAddress", "httpStatusCode": 404},
}


def _trait(service: ServiceModel, code: str, shape: StructureShape | None) -> dict[str, Any]:
    if shape is not None and shape.metadata.get("error"):
        return dict(shape.metadata["error"])
    name = service.service_name
    for protocol in specs.legacy_protocols(name):
        legacy = error_shape(specs.service_model(name, protocol), code)
        if legacy is not None and legacy.metadata.get("error"):
            return dict(legacy.metadata["error"])
    return EXTRA_ERROR_TRAITS.get((name, code), {})


def resolve(service: ServiceModel, error: AwsError) -> WireError:
    shape = error_shape(service, error.code)
    if shape is None and service.service_name in specs.SERVED_SERVICES:
        # A legacy protocol model (SQS query) lacks shapes added since; the current model has them.
        shape = error_shape(specs.service_model(service.service_name), error.code)
    trait = _trait(service, error.code, shape)
    status = error.status
    if status is None:
        status = int(trait.get("httpStatusCode", 400))
    query_code = trait.get("code", error.code)
    sender_fault = error.sender_fault
    if "senderFault" in trait:
        sender_fault = bool(trait["senderFault"])
    elif status >= 500:
        sender_fault = False
    message_key = "message"
    if shape is not None and "Message" in shape.members and "message" not in shape.members:
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
