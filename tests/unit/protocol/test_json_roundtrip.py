"""awsJson codec against botocore's own client serializer and parser, for every operation of every
service that speaks it (SQS, Kinesis, Logs, CloudWatch over JSON 1.0).

Event-stream responses (Kinesis SubscribeToShard, Logs StartLiveTail and GetLogObject) go through
botocore's EventStream parser: an initial-response, then the generated events, or an exception event.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from functools import cache
from typing import Any

import pytest
from botocore.awsrequest import HeadersDict
from botocore.exceptions import EventStreamError
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
SKIP_REASON = "event-stream response: this codec's test reads one document (events have their own tests)"
INPUT_STREAM_REASON = "event-stream input: no served operation takes one, and the codecs do not parse them"
SERIALIZER = create_serializer(PROTOCOL)
PARSER = create_parser(PROTOCOL)


def skip_marks(operation: OperationModel, stream_output: bool) -> list[Any]:
    if operation.has_event_stream_input:
        return [pytest.mark.skip(reason=INPUT_STREAM_REASON)]
    if operation.has_event_stream_output and not stream_output:
        return [pytest.mark.skip(reason=SKIP_REASON)]
    return []


def operations(services: tuple[str, ...], stream_output: bool = False) -> list[Any]:
    """Every operation of `services`; with `stream_output`, event-stream responses are not skipped."""
    cases = []
    for service in services:
        for name in specs.service_model(service).operation_names:
            operation = specs.operation_model(service, name)
            marks = skip_marks(operation, stream_output)
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


@pytest.mark.parametrize(("service", "name"), operations(SERVICES, stream_output=True))
@SETTINGS
@given(data=st.data())
def test_request_roundtrip(service: str, name: str, data: st.DataObject) -> None:
    operation = specs.operation_model(service, name)
    params = data.draw(inputs(service, name))
    request = to_http_request(SERIALIZER.serialize_to_request(params, operation))
    assert normalize(json_.parse_request(operation, request, {})) == normalize(params)


@pytest.mark.parametrize(("service", "name"), operations(SERVICES, stream_output=True))
@SETTINGS
@given(data=st.data())
def test_response_roundtrip(service: str, name: str, data: st.DataObject) -> None:
    operation = specs.operation_model(service, name)
    result = data.draw(outputs(service, name))
    if operation.has_event_stream_output:
        check_event_stream(operation, result, data)
        return
    response = json_.serialize_response(operation, result, "req-123")
    assert response.status == 200
    assert response.header("Content-Type") == f"application/x-amz-json-{operation.metadata['jsonVersion']}"
    parsed = PARSER.parse(to_response_dict(response, operation), operation.output_shape)
    assert parsed["ResponseMetadata"]["RequestId"] == "req-123"
    assert normalize(parsed) == normalize(result)


class RawBody:
    """The urllib3 body botocore's EventStream reads: `stream()` yields the bytes in uneven chunks."""

    def __init__(self, data: bytes, cut: int) -> None:
        self.data, self.cut = data, max(cut, 1)

    def stream(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), self.cut):
            yield self.data[start : start + self.cut]

    def close(self) -> None:
        pass


async def _aiter(events: list[dict[str, Any]], error: AwsError | None) -> AsyncIterator[dict[str, Any]]:
    for event in events:
        yield event
    if error is not None:
        raise error


def streamed(
    operation: OperationModel, result: dict[str, Any], events: list[dict[str, Any]], error: AwsError | None
) -> bytes:
    name = operation.output_shape.event_stream_name
    response = json_.serialize_response(operation, {**result, name: _aiter(events, error)}, "req-123")
    assert response.status == 200 and response.stream is not None and response.body == b""
    assert response.header("Content-Type") == "application/vnd.amazon.eventstream"

    async def collect() -> bytes:
        assert response.stream is not None
        return b"".join([chunk async for chunk in response.stream])

    return asyncio.run(collect())


def event_strategy(union: StructureShape) -> st.SearchStrategy[dict[str, Any]]:
    names = [name for name, member in union.members.items() if member.serialization.get("event")]
    return st.sampled_from(names).flatmap(
        lambda name: params_strategy(union.members[name], PROTOCOL).map(lambda value: {name: value})
    )


def check_event_stream(operation: OperationModel, result: dict[str, Any], data: st.DataObject) -> None:
    """Generated events (and maybe a modeled exception) through botocore's event-stream parser."""
    shape = operation.output_shape
    name = shape.event_stream_name
    union = shape.members[name]
    events = data.draw(st.lists(event_strategy(union), max_size=3))
    exceptions = [n for n, m in union.members.items() if not m.serialization.get("event")]
    error_code = data.draw(st.none() | st.sampled_from(exceptions)) if exceptions else None
    error = AwsError(error_code, f"{error_code} in the stream") if error_code else None
    body = streamed(operation, result, events, error)
    raw = {
        "status_code": 200,
        "headers": HeadersDict({"x-amzn-RequestId": "req-123"}),
        "body": RawBody(body, data.draw(st.integers(1, 64))),
        "context": {"operation_name": operation.name},
    }
    parsed = PARSER.parse(raw, shape)
    assert parsed["ResponseMetadata"]["RequestId"] == "req-123"
    got: list[Any] = []
    if error is None:
        got = list(parsed[name])
    else:
        with pytest.raises(EventStreamError) as raised:
            got.extend(parsed[name])
        assert raised.value.response["Error"] == {"Code": error.code, "Message": error.message}
    assert normalize(got) == normalize(events)
    rest = {key: value for key, value in parsed.items() if key not in (name, "ResponseMetadata")}
    assert normalize(rest) == normalize(result)


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
