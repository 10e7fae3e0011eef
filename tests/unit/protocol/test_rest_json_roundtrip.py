"""rest-json codec and routing against botocore's own serializer and parser: every Lambda and API Gateway
operation.

Requests: generated params -> botocore's rest-json serializer -> our match_operation finds the same
operation -> our parse_request -> the same params. Responses: generated output -> our serialize_response
-> botocore's rest-json parser -> the same output. Errors: every modeled error shape and an unmodeled code.
Lambda InvokeWithResponseStream's response is an event stream, not one document: its response is skipped.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from botocore.model import OperationModel, StructureShape
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from millpond.errors import AwsError
from millpond.protocol import rest_json, specs
from millpond.protocol.errors import resolve

from .botocore_wire import ABSENT, canon, parse_response, timestamp, to_http_request, wire_value
from .strategies import input_strategy, output_strategy, params_strategy

PROTOCOL = "rest-json"
SERVICES = ("lambda", "apigateway")
SETTINGS = settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
SERIALIZER = create_serializer(PROTOCOL)


def operations(skip_event_streams: bool) -> list[Any]:
    cases = []
    for service in SERVICES:
        for name in specs.service_model(service).operation_names:
            operation = specs.operation_model(service, name)
            streams = operation.has_event_stream_output and skip_event_streams
            marks = [pytest.mark.skip(reason="event-stream response")] if streams else []
            cases.append(pytest.param(service, name, id=f"{service}.{name}", marks=marks))
    return cases


def error_cases() -> list[Any]:
    cases = []
    for service in SERVICES:
        shapes = specs.service_model(service).error_shapes
        cases += [pytest.param(service, shape.name, id=f"{service}.{shape.name}") for shape in shapes]
        cases.append(pytest.param(service, None, id=f"{service}.<unmodeled>"))
    return cases


@cache
def inputs(service: str, name: str) -> st.SearchStrategy[dict[str, Any]]:
    return input_strategy(specs.operation_model(service, name), PROTOCOL)


@cache
def outputs(service: str, name: str) -> st.SearchStrategy[dict[str, Any]]:
    return output_strategy(specs.operation_model(service, name), PROTOCOL)


def _located(member: Any, value: Any) -> Any:
    """A uri, querystring or header value as it reads back (scalars, lists of scalars, string maps)."""
    if member.type_name == "list":
        return [_located(member.member, item) for item in value] or ABSENT
    if member.type_name == "map":
        return {key: _located(member.value, item) for key, item in value.items()} or ABSENT
    if member.type_name == "timestamp":
        return timestamp(value)
    return wire_value(member, value, "json")


def expected_input(operation: OperationModel, params: dict[str, Any]) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    payload = shape.serialization.get("payload")
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        value = params.get(name)
        location = member.serialization.get("location")
        if name == payload and member.type_name == "structure":
            # botocore sends `{}` for a missing structure payload.
            value = {} if value is None else wire_value(member, value, "json")
        elif name == payload:
            value = wire_value(member, value, "json") if value else ABSENT
        elif value is None:
            continue
        elif location == "headers":
            value = {key.lower(): item for key, item in value.items()} or ABSENT
        elif location is not None:
            value = _located(member, value)
        else:
            value = wire_value(member, value, "json")
        if value is not ABSENT:
            out[name] = value
    return out


def expected_output(operation: OperationModel, result: dict[str, Any]) -> dict[str, Any]:
    shape = operation.output_shape
    if shape is None:
        return {}
    payload = shape.serialization.get("payload")
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        value = result.get(name)
        location = member.serialization.get("location")
        if location == "header" and member.serialization.get("name", "").lower() == "content-type":
            value = rest_json.CONTENT_TYPE if value is None else value
        if location == "statusCode" and value is None:
            # The client always reads the status into a statusCode member.
            value = operation.http.get("responseCode", 200)
        if name == payload:
            if member.type_name in ("blob", "string"):
                value = b"" if value is None else wire_value(member, value, "json")
            else:
                value = {} if value is None else wire_value(member, value, "json")
        elif value is None:
            continue
        elif location in ("header", "statusCode"):
            value = _located(member, value)
        else:
            value = wire_value(member, value, "json")
        if value is not ABSENT:
            out[name] = value
    return out


@pytest.mark.parametrize(("service", "name"), operations(skip_event_streams=False))
@SETTINGS
@given(data=st.data())
def test_request_roundtrip(service: str, name: str, data: st.DataObject) -> None:
    operation = specs.operation_model(service, name)
    params = data.draw(inputs(service, name))
    request = to_http_request(SERIALIZER.serialize_to_request(params, operation))

    found = rest_json.match_operation(
        specs.service_model(service), request.method, request.raw_path, request.query_string
    )
    assert found is not None
    assert found[0].name == name
    parsed = rest_json.parse_request(operation, request, found[1])
    assert canon(parsed) == canon(expected_input(operation, params))


@pytest.mark.parametrize(("service", "name"), operations(skip_event_streams=True))
@SETTINGS
@given(data=st.data())
def test_response_roundtrip(service: str, name: str, data: st.DataObject) -> None:
    operation = specs.operation_model(service, name)
    result = data.draw(outputs(service, name))
    response = rest_json.serialize_response(operation, result, "req-123")

    status_members = [m for m in (operation.output_shape.members if operation.output_shape else {}).values()]
    if not any(m.serialization.get("location") == "statusCode" for m in status_members):
        assert response.status == operation.http.get("responseCode", 200)
    assert response.header("x-amzn-RequestId") == "req-123"
    parsed = parse_response(PROTOCOL, operation, response)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-123"
    assert canon(parsed) == canon(expected_output(operation, result))


@pytest.mark.parametrize(("service", "code"), error_cases())
@SETTINGS
@given(data=st.data())
def test_error_roundtrip(service: str, code: str | None, data: st.DataObject) -> None:
    model = specs.service_model(service)
    shape = model.shape_for(code) if code else None
    fields: dict[str, Any] = {}
    if isinstance(shape, StructureShape):
        drawn = data.draw(params_strategy(shape, PROTOCOL))
        fields = {key: value for key, value in drawn.items() if key.lower() != "message"}
    error = AwsError(code or "UnknownError", 'Bad "thing" \u00e9\u4e2d', 400, fields=fields)
    wire = resolve(model, error)
    operation = model.operation_model(model.operation_names[0])
    response = rest_json.serialize_error(model, error, "req-err")

    parsed = parse_response(PROTOCOL, operation, response)
    assert response.status == wire.status
    assert parsed["ResponseMetadata"]["RequestId"] == "req-err"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == wire.status
    assert parsed["Error"]["Code"] == error.code
    assert parsed["Error"]["Message"] == error.message
    if isinstance(shape, StructureShape):
        assert model.shape_for_error_code(error.code).name == shape.name
        expected = {name: value for name, value in fields.items()}
        if "Type" in shape.members and "Type" not in fields:
            expected["Type"] = "User" if wire.sender_fault else "Service"
        expected = {
            name: _located(shape.members[name], value)
            if shape.members[name].serialization.get("location")
            else wire_value(shape.members[name], value, "json")
            for name, value in expected.items()
        }
        assert canon({key: parsed[key] for key in expected if key in parsed}) == canon(expected)
