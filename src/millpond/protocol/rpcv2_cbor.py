"""smithy-rpc-v2-cbor (CloudWatch from newer SDKs): `POST /service/<Service>/operation/<Op>`, CBOR bodies.

Requests carry `smithy-protocol: rpc-v2-cbor`; responses must carry it too, with Content-Type
`application/cbor`. Timestamps are tag 1 epoch seconds (int, or float with a fraction). Errors are a
CBOR map with `__type` and `message`, plus `x-amzn-query-error` on query-compatible services.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, ServiceModel

from millpond.errors import AwsError
from millpond.protocol.cbor import CborReader, CborWriter, error_body, read_params, write_result
from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.protocol.json_ import error_parts

__all__ = ["CONTENT_TYPE", "parse_request", "serialize_error", "serialize_response"]

CONTENT_TYPE = "application/cbor"
_READER = CborReader(millis=False)
_WRITER = CborWriter(millis=False)


def _headers(request_id: str) -> list[tuple[str, str]]:
    return [
        ("smithy-protocol", "rpc-v2-cbor"),
        ("Content-Type", CONTENT_TYPE),
        ("x-amzn-RequestId", request_id),
    ]


def parse_request(operation: OperationModel, request: HttpRequest, labels: dict[str, str]) -> dict[str, Any]:
    return read_params(_READER, operation, request.body)


def serialize_response(operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
    return HttpResponse(200, _headers(request_id), write_result(_WRITER, operation, result))


def serialize_error(service: ServiceModel, error: AwsError, request_id: str) -> HttpResponse:
    body, status, extra = error_parts(service, error, _WRITER)
    return HttpResponse(status, [*_headers(request_id), *extra], error_body(body))
