"""The contract every protocol codec module fulfils (json_, cbor, query, rest_json).

parse_request(operation, request, labels) -> params
    The operation's input as botocore's client had it before serializing: a dict keyed by member
    names, blobs as bytes, timestamps as timezone-aware datetimes (UTC), numbers as int/float.
    `labels` are rest-json URI labels already matched by routing (empty for other protocols).
    Bad input raises AwsError with the code AWS answers with (SerializationException, MissingParameter,
    InvalidQueryParameter, ...), never another exception.

serialize_response(operation, result, request_id) -> HttpResponse
    `result` is the provider's dict for the output shape, same value types as above; members the
    shape does not have are ignored.

serialize_error(service, error, request_id) -> HttpResponse
    The AWS error in the form this protocol's SDKs parse, with request id headers.
"""

from __future__ import annotations

from typing import Any, Protocol

from botocore.model import OperationModel, ServiceModel

from millpond.errors import AwsError
from millpond.protocol.http import HttpRequest, HttpResponse


class Codec(Protocol):
    def parse_request(
        self, operation: OperationModel, request: HttpRequest, labels: dict[str, str]
    ) -> dict[str, Any]: ...

    def serialize_response(
        self, operation: OperationModel, result: dict[str, Any], request_id: str
    ) -> HttpResponse: ...

    def serialize_error(self, service: ServiceModel, error: AwsError, request_id: str) -> HttpResponse: ...
