"""awsJson codec against botocore's own client serializer and parser, for every operation of every
service that speaks it (SQS, Kinesis, Logs, CloudWatch over JSON 1.0).

Event-stream operations (Kinesis SubscribeToShard, Logs StartLiveTail and GetLogObject) are skipped:
their responses are event streams, not one JSON document.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from botocore.model import OperationModel, ServiceModel, StructureShape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from millpond.errors import AwsError
from millpond.protocol import json_, specs
from millpond.protocol.errors import resolve
from millpond.protocol.http import HttpRequest

from .strategies import (
    input_strategy,
    normalize,
    output_strategy,
    params_strategy,
    to_http_request,
    to_response_dict,
)

SERVICES = ("sqs", "kinesis", "logs", "cloudwatch")
PROTOCOL = "json"
SETTINGS = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
SKIP_REASON = "event-stream operation: the response is a stream of events, not one document"
SERIALIZER = create_serializer(PROTOCOL)
PARSER = create_parser(PROTOCOL)


def is_event_stream(operation: OperationModel) -> bool:
    return bool(operation.has_event_stream_input or operation.has_event_stream_output)


def operations(services: tuple[str, ...]) -> list[Any]:
    cases = []
    for service in services:
        for name in specs.service_model(service).operation_names:
            operation = specs.operation_model(service, name)
            marks = [pytest.mark.skip(reason=SKIP_REASON)] if is_event_stream(operation) else []
            cases.append(pytest.param(service, name, id=f"{service}.{name}", marks=marks))
    return cases


def error_shapes(services: tuple[str, ...]) -> list[Any]:
    cases = []
    for service in services:
        model = specs.service_model(service)
        for shape in model.error_shapes:
            cases.append(pytest.param(service, shape.name, id=f"{service}.{shape.name}"))
        cases.append(pytest.param(service, None, id=f"{service}.<unmodeled>"))
    return cases


@cache
def inputs(service: str, name: str) -> st.SearchStrategy[dict[str, Any]]:
    return input_strategy(specs.operation_model(service, name), PROTOCOL)


@cache
def outputs(service: str, name: str) -> st.SearchStrategy[dict[str, Any]]:
    return output_strategy(specs.operation_model(service, name), PROTOCOL)


@pytest.mark.parametrize(("service", "name"), operations(SERVICES))
@SETTINGS
@given(data=st.data())
def test_request_roundtrip(service: str, name: str, data: st.DataObject) -> None:
    operation = specs.operation_model(service, name)
    params = data.draw(inputs(service, name))
    request = to_http_request(SERIALIZER.serialize_to_request(params, operation))
    assert normalize(json_.parse_request(operation, request, {})) == normalize(params)


@pytest.mark.parametrize(("service", "name"), operations(SERVICES))
@SETTINGS
@given(data=st.data())
def test_response_roundtrip(service: str, name: str, data: st.DataObject) -> None:
    operation = specs.operation_model(service, name)
    result = data.draw(outputs(service, name))
    response = json_.serialize_response(operation, result, "req-123")
    assert response.status == 200
    assert response.header("Content-Type") == f"application/x-amz-json-{operation.metadata['jsonVersion']}"
    parsed = PARSER.parse(to_response_dict(response, operation), operation.output_shape)
    assert parsed["ResponseMetadata"]["RequestId"] == "req-123"
    assert normalize(parsed) == normalize(result)


def check_error(
    model: ServiceModel, code: str, error: AwsError, parse_error: Any, parse_modeled: Any
) -> None:
    """Shared by the JSON and CBOR error tests: what botocore's client makes of our error response."""
    wire = resolve(model, error)
    parsed = parse_error()
    assert parsed["ResponseMetadata"]["RequestId"] == "req-err"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == wire.status
    assert parsed["Error"]["Message"] == error.message
    if model.is_query_compatible:
        assert parsed["Error"]["Code"] == wire.query_code
        assert parsed["Error"]["QueryErrorCode"] == code
        assert parsed["Error"]["Type"] == ("Sender" if wire.sender_fault else "Receiver")
    else:
        assert parsed["Error"]["Code"] == code
    if wire.shape is not None:
        modeled = normalize(parse_modeled(wire.shape))
        expected = {key: value for key, value in error.fields.items() if key in wire.shape.members}
        expected[wire.message_key] = error.message
        assert modeled == normalize({k: v for k, v in expected.items() if k in wire.shape.members})


def error_fields(shape: StructureShape | None, protocol: str) -> st.SearchStrategy[dict[str, Any]]:
    if shape is None:
        return st.just({})
    fields = params_strategy(shape, protocol)
    return fields.map(lambda f: {k: v for k, v in f.items() if k.lower() != "message"})


def make_error(service: str, code: str | None, fields: dict[str, Any]) -> tuple[str, AwsError]:
    if code is None:
        return "ValidationException", AwsError("ValidationException", "1 validation error detected", 400)
    return code, AwsError(code, f"{code} happened: \u00e9\u4e2d", fields=fields)


@pytest.mark.parametrize(("service", "code"), error_shapes(SERVICES))
@SETTINGS
@given(data=st.data())
def test_error_roundtrip(service: str, code: str | None, data: st.DataObject) -> None:
    model = specs.service_model(service)
    shape = model.shape_for(code) if code else None
    assert shape is None or isinstance(shape, StructureShape)
    code, error = make_error(service, code, data.draw(error_fields(shape, PROTOCOL)))
    response = json_.serialize_error(model, error, "req-err")
    check_error(
        model,
        code,
        error,
        lambda: PARSER.parse(to_response_dict(response), None),
        lambda error_shape: PARSER.parse(to_response_dict(response), error_shape),
    )


@pytest.mark.parametrize("service", SERVICES)
def test_server_fault_is_receiver(service: str) -> None:
    model = specs.service_model(service)
    error = AwsError("InternalFailure", "boom", 500, sender_fault=False)
    parsed = PARSER.parse(to_response_dict(json_.serialize_error(model, error, "r")), None)
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert parsed["Error"]["Code"] == "InternalFailure"
    if model.is_query_compatible:
        assert parsed["Error"]["Type"] == "Receiver"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
FUZZED = [
    ("sqs", "SendMessageBatch"),
    ("kinesis", "PutRecords"),
    ("kinesis", "GetShardIterator"),
    ("logs", "PutLogEvents"),
    ("cloudwatch", "PutMetricData"),
]


@pytest.mark.parametrize(("service", "name"), FUZZED)
@SETTINGS
@given(data=st.data())
def test_bad_input_is_serialization_exception(service: str, name: str, data: st.DataObject) -> None:
    operation = specs.operation_model(service, name)
    members = list(operation.input_shape.members) if operation.input_shape else []
    # Well-typed params, with some members replaced by arbitrary JSON values.
    document = json.loads(
        to_http_request(SERIALIZER.serialize_to_request(data.draw(inputs(service, name)), operation)).body
    )
    for member in data.draw(st.lists(st.sampled_from(members), max_size=3)):
        document[member] = data.draw(JSON_VALUES)
    body = data.draw(st.sampled_from([json.dumps(document).encode(), b"{", b"\xff", b"[]", b"null"]))
    try:
        json_.parse_request(operation, HttpRequest("POST", "/", body=body), {})
    except AwsError as error:
        assert (error.code, error.status) == ("SerializationException", 400)
