"""rest-xml codec and S3 routing against botocore's own serializer and parser: every S3 operation.

Requests: generated params -> botocore's rest-xml serializer -> our s3_routing finds the same operation ->
our parse_request -> the same params. Responses: generated output -> our serialize_response -> botocore's
rest-xml parser -> the same output. Errors: S3's <Error> document, modeled codes and an unmodeled one.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from botocore.model import OperationModel
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from millpond.errors import AwsError
from millpond.protocol import rest_xml, s3_routing, specs

from .botocore_wire import ABSENT, canon, parse_response, timestamp, to_http_request, wire_value
from .strategies import input_strategy, output_strategy

PROTOCOL = "rest-xml"
SETTINGS = settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
SERIALIZER = create_serializer(PROTOCOL)
MODEL = specs.service_model("s3")
# Operations that share method, path and query with another; routing answers the one S3 serves.
ALIASES = {
    "GetBucketLifecycle": "GetBucketLifecycleConfiguration",
    "PutBucketLifecycle": "PutBucketLifecycleConfiguration",
    "GetBucketNotification": "GetBucketNotificationConfiguration",
    "PutBucketNotification": "PutBucketNotificationConfiguration",
    "ListDirectoryBuckets": "ListBuckets",
}
# botocore's client reads these responses through handlers of its own (not the plain parser); the
# deprecated GetBucketNotification names two members `Event` (a flattened list and a string).
CUSTOM_RESPONSES = {"GetBucketLocation", "SelectObjectContent", "GetBucketNotification"}


@cache
def inputs(name: str) -> st.SearchStrategy[dict[str, Any]]:
    return input_strategy(MODEL.operation_model(name), PROTOCOL)


@cache
def outputs(name: str) -> st.SearchStrategy[dict[str, Any]]:
    return output_strategy(MODEL.operation_model(name), PROTOCOL)


def _located(member: Any, value: Any) -> Any:
    if member.type_name == "list":
        return [_located(member.member, item) for item in value] or ABSENT
    if member.type_name == "map":
        return {key: _located(member.value, item) for key, item in value.items()} or ABSENT
    if member.type_name == "timestamp":
        return timestamp(value)
    return wire_value(member, value, "xml")


def _seconds(shape: Any, value: Any) -> Any:
    """Timestamps whose format is rfc822 (http-date) carry whole seconds in a body too."""
    if value is ABSENT or value is None:
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: _seconds(shape.members[k], v) for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_seconds(shape.member, v) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _seconds(shape.value, v) for k, v in value.items()}
    if shape.type_name == "timestamp" and shape.serialization.get("timestampFormat") == "rfc822":
        return timestamp(value, "second")
    return value


def expected(shape: Any, values: dict[str, Any], lower_header_maps: bool) -> dict[str, Any]:
    if shape is None:
        return {}
    payload = shape.serialization.get("payload")
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        value = values.get(name)
        location = member.serialization.get("location")
        if name == payload and member.type_name == "blob":
            value = wire_value(member, value if value is not None else b"", "xml")
        elif value is None:
            continue
        elif location == "headers":
            value = {(k.lower() if lower_header_maps else k): v for k, v in value.items()} or ABSENT
        elif location is not None:
            value = _seconds(member, _located(member, value))
        else:
            value = _seconds(member, wire_value(member, value, "xml"))
        if value is not ABSENT:
            out[name] = value
    return out


def _cases(skip: set[str]) -> list[Any]:
    return [
        pytest.param(name, marks=[pytest.mark.skip(reason="custom client handler")] if name in skip else [])
        for name in MODEL.operation_names
    ]


# Sent to a host of its own (`{RequestRoute}.` prefix), never to a bucket endpoint.
HOST_PREFIXED = {"WriteGetObjectResponse"}


@pytest.mark.parametrize("name", _cases(HOST_PREFIXED))
@SETTINGS
@given(data=st.data())
def test_request_roundtrip(name: str, data: st.DataObject) -> None:
    operation = MODEL.operation_model(name)
    params = data.draw(inputs(name))
    request = to_http_request(SERIALIZER.serialize_to_request(params, operation))
    request.headers.setdefault(
        "authorization", "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/s3/aws4_request"
    )

    found = s3_routing.match(request)
    assert found is not None
    assert found[0].name == ALIASES.get(name, name)
    if name in ALIASES:
        return  # the deprecated operation's shapes differ: it is answered as the current one
    parsed = rest_xml.parse_request(operation, request, found[1])
    want = expected(operation.input_shape, params, lower_header_maps=True)
    payload = operation.input_shape.serialization.get("payload") if operation.input_shape else None
    if operation.has_streaming_input and payload:
        parsed.setdefault(payload, b"")
        if "ContentLength" not in params and "ContentLength" in parsed:
            # the HTTP layer sends the body's length, which the model reads into ContentLength
            assert parsed.pop("ContentLength") == len(want.get(payload) or b"")
    if payload and want.get(payload) == "":
        del want[payload]  # an empty string payload is an empty body
    assert canon(parsed) == canon(want)


@pytest.mark.parametrize("name", _cases(CUSTOM_RESPONSES))
@SETTINGS
@given(data=st.data())
def test_response_roundtrip(name: str, data: st.DataObject) -> None:
    operation: OperationModel = MODEL.operation_model(name)
    result = data.draw(outputs(name))
    response = rest_xml.serialize_response(operation, result, "req-123")

    assert response.header("x-amz-request-id") == "req-123"
    parsed = parse_response(PROTOCOL, operation, response)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-123"
    want = expected(operation.output_shape, result, lower_header_maps=False)
    payload = operation.output_shape.serialization.get("payload") if operation.output_shape else None
    if payload and operation.output_shape.members[payload].type_name == "structure" and payload not in want:
        want[payload] = {}
    if payload and operation.output_shape.members[payload].type_name == "string" and payload not in want:
        parsed.pop(payload, None)
    for member_name, member in (operation.output_shape.members if operation.output_shape else {}).items():
        if member.serialization.get("location") == "headers":
            want.setdefault(member_name, {})  # botocore always answers a header map, empty or not
    assert canon(parsed) == canon(want)


@pytest.mark.parametrize(
    ("code", "status", "fields"),
    [
        ("NoSuchBucket", 404, {"BucketName": "b"}),
        ("NoSuchKey", 404, {"Key": "a/b c"}),
        ("BucketNotEmpty", 409, {"BucketName": "b"}),
        ("InvalidRange", 416, {"ActualObjectSize": 3}),
        ("SomethingElse", 400, {}),
    ],
)
def test_error_document(code: str, status: int, fields: dict[str, Any]) -> None:
    error = AwsError(code, 'Bad "thing" <\u00e9>', status, fields=fields)
    response = rest_xml.serialize_error(MODEL, error, "req-err")
    operation = MODEL.operation_model("GetObject")
    parsed = parse_response(PROTOCOL, operation, response)
    assert response.status == status
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == error.message
    assert parsed["ResponseMetadata"]["RequestId"] == "req-err"
    for name, value in fields.items():
        assert parsed["Error"][name] == str(value)
    assert b"<HostId>" in response.body


def test_routing_tells_shared_paths_apart() -> None:
    from millpond.protocol.http import HttpRequest

    auth = {"authorization": "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/s3/aws4_request"}

    def op(method: str, path: str, query: str = "", **headers: str) -> str:
        found = s3_routing.match(HttpRequest(method, path, query, {**auth, **headers}))
        assert found is not None
        return found[0].name

    assert op("PUT", "/b/k") == "PutObject"
    assert op("PUT", "/b/k", **{"x-amz-copy-source": "/b/o"}) == "CopyObject"
    assert op("PUT", "/b/k", "partNumber=1&uploadId=u") == "UploadPart"
    assert op("PUT", "/b/k", "partNumber=1&uploadId=u", **{"x-amz-copy-source": "/b/o"}) == "UploadPartCopy"
    assert op("GET", "/b/k", "uploadId=u") == "ListParts"
    assert op("DELETE", "/b/k", "uploadId=u") == "AbortMultipartUpload"
    assert op("GET", "/b", "list-type=2") == "ListObjectsV2"
    assert op("GET", "/b/dir/") == "GetObject"
    assert op("GET", "/", host="b.s3.localhost:4566") == "ListObjects"
    assert op("GET", "/k/x", host="bucket.s3.us-east-1.amazonaws.com") == "GetObject"
    assert op("GET", "/", host="bucket.localhost:4566") == "ListObjects"
    assert op("GET", "/") == "ListBuckets"


def test_s3_recognition_leaves_other_services_alone() -> None:
    from millpond.protocol.http import HttpRequest
    from millpond.protocol.sigv4 import credential_scope

    def is_s3(method: str, path: str, query: str = "", **headers: str) -> bool:
        request = HttpRequest(method, path, query, headers)
        return s3_routing.is_s3(request, credential_scope(request))

    lambda_auth = "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/lambda/aws4_request, Signature=x"
    assert not is_s3("GET", "/2015-03-31/functions", authorization=lambda_auth)
    assert not is_s3("GET", "/no/such/path", host="localhost:4566")
    assert not is_s3("GET", "/prod/x", host="abc123.execute-api.localhost:4566")
    assert not is_s3("POST", "/", **{"x-amz-target": "AmazonSQS.ListQueues", "host": "localhost"})
    assert is_s3("GET", "/b/k", "X-Amz-Credential=k%2F20260101%2Fus-east-1%2Fs3%2Faws4_request")
    assert is_s3("GET", "/b/k", "AWSAccessKeyId=test&Signature=x&Expires=1")
    assert is_s3("GET", "/k", host="bucket.s3.localhost:4566")
    assert is_s3("POST", "/b", **{"content-type": "multipart/form-data; boundary=x", "host": "localhost"})
