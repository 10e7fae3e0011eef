"""Query codec against botocore's own serializer and parser: every IAM, STS, CloudWatch and legacy SQS
(botocore 1.31.80 model) operation.

Requests: generated params -> botocore's query serializer -> our parse_request -> the same params.
Responses: generated output -> our serialize_response -> botocore's query parser -> the same output.
Errors: every modeled error shape and an unmodeled code -> our serialize_error -> botocore's parser.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from botocore.model import OperationModel, ServiceModel
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from millpond.errors import AwsError
from millpond.protocol import query, specs
from millpond.protocol.errors import resolve

from .botocore_wire import ABSENT, canon, parse_response, to_http_request, wire_value
from .strategies import input_strategy, output_strategy, params_strategy

PROTOCOL = "query"
# botocore service name -> the model variant that describes its query protocol
SERVICES: dict[str, str | None] = {"iam": None, "sts": None, "cloudwatch": PROTOCOL, "sqs": PROTOCOL}
SETTINGS = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
SERIALIZER = create_serializer(PROTOCOL)


def model(service: str) -> ServiceModel:
    return specs.service_model(service, SERVICES[service])


def operation_model(service: str, name: str) -> OperationModel:
    return specs.operation_model(service, name, SERVICES[service])


def operations() -> list[Any]:
    return [
        pytest.param(service, name, id=f"{service}.{name}")
        for service in SERVICES
        for name in model(service).operation_names
    ]


def error_cases() -> list[Any]:
    cases = []
    for service in SERVICES:
        cases += [
            pytest.param(service, s.name, id=f"{service}.{s.name}") for s in model(service).error_shapes
        ]
        cases.append(pytest.param(service, None, id=f"{service}.<unmodeled>"))
    return cases


@cache
def inputs(service: str, name: str) -> st.SearchStrategy[dict[str, Any]]:
    return input_strategy(operation_model(service, name), PROTOCOL)


@cache
def outputs(service: str, name: str) -> st.SearchStrategy[dict[str, Any]]:
    return output_strategy(operation_model(service, name), PROTOCOL)


@pytest.mark.parametrize(("service", "name"), operations())
@SETTINGS
@given(data=st.data())
def test_request_roundtrip(service: str, name: str, data: st.DataObject) -> None:
    operation = operation_model(service, name)
    params = data.draw(inputs(service, name))
    request = to_http_request(SERIALIZER.serialize_to_request(params, operation))

    assert query.request_action(request) == (name, operation.metadata["apiVersion"])
    expected = {} if operation.input_shape is None else wire_value(operation.input_shape, params, "query-in")
    assert canon(query.parse_request(operation, request, {})) == canon({} if expected is ABSENT else expected)


@pytest.mark.parametrize(("service", "name"), operations())
@SETTINGS
@given(data=st.data())
def test_response_roundtrip(service: str, name: str, data: st.DataObject) -> None:
    operation = operation_model(service, name)
    result = data.draw(outputs(service, name))
    response = query.serialize_response(operation, result, "req-123")

    assert response.status == 200
    assert response.header("Content-Type") == "text/xml"
    assert response.header("x-amzn-RequestId") == "req-123"
    parsed = parse_response(PROTOCOL, operation, response)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-123"
    expected = {} if operation.output_shape is None else wire_value(operation.output_shape, result, "xml")
    assert canon(parsed) == canon(expected)


@pytest.mark.parametrize(("service", "code"), error_cases())
@SETTINGS
@given(data=st.data())
def test_error_roundtrip(service: str, code: str | None, data: st.DataObject) -> None:
    service_model = model(service)
    shape = service_model.shape_for(code) if code else None
    fields: dict[str, Any] = {}
    if shape is not None:
        drawn = data.draw(params_strategy(shape, PROTOCOL))
        fields = {key: value for key, value in drawn.items() if key.lower() != "message"}
    error = AwsError(code or "Throttling", 'Bad "thing" <here> & there\r\nend', fields=fields)
    wire = resolve(service_model, error)
    operation = service_model.operation_model(service_model.operation_names[0])

    parsed = parse_response(PROTOCOL, operation, query.serialize_error(service_model, error, "req-err"))
    assert parsed["ResponseMetadata"] == {
        "RequestId": "req-err",
        "HTTPStatusCode": wire.status,
        "HTTPHeaders": {"content-type": "text/xml", "x-amzn-requestid": "req-err"},
    }
    assert parsed["Error"]["Code"] == wire.query_code
    assert parsed["Error"]["Message"] == error.message
    assert parsed["Error"]["Type"] == ("Sender" if wire.sender_fault else "Receiver")
    if shape is not None:
        # The client finds the modeled exception class for the code and fills in its fields. (CloudWatch's
        # DashboardNotFoundError and ResourceNotFound share the code ResourceNotFound; botocore picks one.)
        resolved = service_model.shape_for_error_code(wire.query_code)
        assert resolved.error_code == wire.query_code
        if resolved.name == shape.name:
            expected = wire_value(shape, fields, "xml")
            assert canon({key: parsed[key] for key in fields if key in parsed}) == canon(expected)


@pytest.mark.parametrize("service", SERVICES)
def test_server_fault_is_receiver(service: str) -> None:
    error = AwsError("InternalFailure", "boom", 500, sender_fault=False)
    response = query.serialize_error(model(service), error, "r")
    operation = operation_model(service, model(service).operation_names[0])
    parsed = parse_response(PROTOCOL, operation, response)
    assert response.status == 500
    assert parsed["Error"] == {
        "Type": "Receiver",
        "Code": "InternalFailure",
        "Message": "boom",
        "Detail": None,
    }
