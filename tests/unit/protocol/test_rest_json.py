"""rest-json routing and codec on the wire forms Lambda and API Gateway use (round trips are elsewhere)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from botocore.model import ServiceModel

from millpond.errors import AwsError
from millpond.protocol import rest_json, specs
from millpond.protocol.http import HttpRequest

LAMBDA = specs.service_model("lambda")
APIGATEWAY = specs.service_model("apigateway")


def route(model: ServiceModel, method: str, path: str, query: str = "") -> tuple[str, dict[str, str]] | None:
    found = rest_json.match_operation(model, method, path, query)
    return None if found is None else (found[0].name, found[1])


def test_literal_segments_beat_labels() -> None:
    assert route(LAMBDA, "GET", "/2015-03-31/functions") == ("ListFunctions", {})
    assert route(LAMBDA, "GET", "/2015-03-31/functions/") == ("ListFunctions", {})
    assert route(LAMBDA, "GET", "/2015-03-31/functions/f1") == ("GetFunction", {"FunctionName": "f1"})
    assert route(LAMBDA, "GET", "/2015-03-31/functions/f1/configuration") == (
        "GetFunctionConfiguration",
        {"FunctionName": "f1"},
    )
    assert route(LAMBDA, "POST", "/2015-03-31/functions") == ("CreateFunction", {})


def test_labels_are_percent_decoded() -> None:
    arn = "arn:aws:lambda:us-east-1:000000000000:function:f/x y"
    encoded = "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af%2Fx%20y"
    path = f"/2015-03-31/functions/{encoded}/invocations"
    assert route(LAMBDA, "POST", path) == ("Invoke", {"FunctionName": arn})


def test_query_literal_in_request_uri_must_be_present() -> None:
    assert route(APIGATEWAY, "POST", "/restapis", "mode=import&failonwarnings=true") == ("ImportRestApi", {})
    assert route(APIGATEWAY, "POST", "/restapis?mode=import") == ("ImportRestApi", {})
    assert route(APIGATEWAY, "POST", "/restapis") == ("CreateRestApi", {})
    assert route(APIGATEWAY, "POST", "/restapis", "mode=merge") == ("CreateRestApi", {})
    assert route(LAMBDA, "GET", "/2018-10-31/layers", "find=LayerVersion&Arn=a") == (
        "GetLayerVersionByArn",
        {},
    )
    assert route(LAMBDA, "GET", "/2018-10-31/layers") == ("ListLayers", {})


def test_no_match() -> None:
    assert route(LAMBDA, "GET", "/2015-03-31/nothing") is None
    assert route(LAMBDA, "PATCH", "/2015-03-31/functions") is None
    assert route(APIGATEWAY, "GET", "/") is None


def test_greedy_labels() -> None:
    model = ServiceModel(
        {
            "metadata": {"protocol": "rest-json", "apiVersion": "1", "endpointPrefix": "t", "serviceId": "T"},
            "operations": {
                "GetObject": {
                    "name": "GetObject",
                    "http": {"method": "GET", "requestUri": "/{Bucket}/{Key+}"},
                },
                "GetAcl": {"name": "GetAcl", "http": {"method": "GET", "requestUri": "/{Bucket}/{Key+}/acl"}},
                "GetInfo": {"name": "GetInfo", "http": {"method": "GET", "requestUri": "/{Bucket}/info"}},
            },
            "shapes": {},
        },
        service_name="t",
    )
    assert route(model, "GET", "/b/a/b%2Fc/d") == ("GetObject", {"Bucket": "b", "Key": "a/b/c/d"})
    assert route(model, "GET", "/b/a/b/acl") == ("GetAcl", {"Bucket": "b", "Key": "a/b"})
    assert route(model, "GET", "/b/info") == ("GetInfo", {"Bucket": "b"})
    assert route(model, "GET", "/b") is None


def test_invoke_raw_payload_without_content_type() -> None:
    operation = LAMBDA.operation_model("Invoke")
    request = HttpRequest(
        "POST",
        "/2015-03-31/functions/f/invocations",
        "Qualifier=live",
        {"x-amz-invocation-type": "Event", "x-amz-log-type": "Tail"},
        b"not json at all",
    )
    assert rest_json.parse_request(operation, request, {"FunctionName": "f"}) == {
        "FunctionName": "f",
        "Qualifier": "live",
        "InvocationType": "Event",
        "LogType": "Tail",
        "Payload": b"not json at all",
    }


def test_invoke_response() -> None:
    operation = LAMBDA.operation_model("Invoke")
    result = {
        "StatusCode": 200,
        "FunctionError": "Unhandled",
        "ExecutedVersion": "$LATEST",
        "Payload": b'{"a":1}',
    }
    response = rest_json.serialize_response(operation, result, "rid")
    assert response.status == 200
    assert response.header("X-Amz-Function-Error") == "Unhandled"
    assert response.header("X-Amz-Executed-Version") == "$LATEST"
    assert response.header("x-amzn-RequestId") == "rid"
    assert response.body == b'{"a":1}'
    accepted = rest_json.serialize_response(operation, {"StatusCode": 202}, "rid")
    assert (accepted.status, accepted.body) == (202, b"")


def test_json_body_response_codes_and_timestamps() -> None:
    created = rest_json.serialize_response(
        LAMBDA.operation_model("CreateFunction"),
        {"FunctionName": "f", "LastModified": "2024-05-01T12:00:00.000+0000", "Timeout": 3},
        "rid",
    )
    assert created.status == 201
    assert json.loads(created.body) == {
        "FunctionName": "f",
        "LastModified": "2024-05-01T12:00:00.000+0000",
        "Timeout": 3,
    }
    mapping = rest_json.serialize_response(
        LAMBDA.operation_model("CreateEventSourceMapping"),
        {"UUID": "u", "LastModified": datetime(2024, 5, 1, 12, tzinfo=UTC), "BatchSize": 10},
        "rid",
    )
    assert mapping.status == 202
    assert json.loads(mapping.body) == {"UUID": "u", "LastModified": 1714564800, "BatchSize": 10}
    deleted = rest_json.serialize_response(APIGATEWAY.operation_model("DeleteRestApi"), {}, "rid")
    assert (deleted.status, deleted.body) == (202, b"")


def test_json_body_request_with_uri_and_query_members() -> None:
    operation = APIGATEWAY.operation_model("PutIntegration")
    body = json.dumps({"type": "AWS_PROXY", "httpMethod": "POST", "uri": "arn:x", "timeoutInMillis": 29000})
    request = HttpRequest("PUT", "/x", "", {"content-type": "application/json"}, body.encode())
    labels = {"restapi_id": "a1", "resource_id": "r1", "http_method": "GET"}
    assert rest_json.parse_request(operation, request, labels) == {
        "restApiId": "a1",
        "resourceId": "r1",
        "httpMethod": "GET",
        "type": "AWS_PROXY",
        "integrationHttpMethod": "POST",
        "uri": "arn:x",
        "timeoutInMillis": 29000,
    }


def test_querystring_lists_and_maps() -> None:
    untag = LAMBDA.operation_model("UntagResource")
    request = HttpRequest("DELETE", "/x", "tagKeys=a&tagKeys=b%20c")
    assert rest_json.parse_request(untag, request, {"Resource": "arn"}) == {
        "Resource": "arn",
        "TagKeys": ["a", "b c"],
    }
    export = APIGATEWAY.operation_model("ImportRestApi")
    imported = HttpRequest("POST", "/restapis", "mode=import&failonwarnings=true&basepath=ignore", {}, b"{}")
    assert rest_json.parse_request(export, imported, {}) == {
        "failOnWarnings": True,
        "parameters": {"basepath": "ignore"},
        "body": b"{}",
    }


@pytest.mark.parametrize(
    ("model", "code"), [(LAMBDA, "InvalidRequestContentException"), (APIGATEWAY, "BadRequestException")]
)
def test_unreadable_json_body(model: ServiceModel, code: str) -> None:
    name = "CreateFunction" if model is LAMBDA else "CreateRestApi"
    request = HttpRequest("POST", "/x", "", {"content-type": "application/json"}, b"{not json")
    with pytest.raises(AwsError) as raised:
        rest_json.parse_request(model.operation_model(name), request, {})
    assert raised.value.code == code
    wrong_type = HttpRequest("POST", "/x", "", {}, b'{"Timeout": "three", "name": 5}')
    with pytest.raises(AwsError) as raised:
        rest_json.parse_request(model.operation_model(name), wrong_type, {})
    assert raised.value.code == code


def test_malformed_query_value() -> None:
    request = HttpRequest("GET", "/2015-03-31/functions", "MaxItems=lots")
    with pytest.raises(AwsError) as raised:
        rest_json.parse_request(LAMBDA.operation_model("ListFunctions"), request, {})
    assert raised.value.code == "InvalidRequestContentException"


def test_lambda_errors() -> None:
    missing = rest_json.serialize_error(
        LAMBDA, AwsError("ResourceNotFoundException", "Function not found: f"), "r"
    )
    assert missing.status == 404
    assert missing.header("x-amzn-ErrorType") == "ResourceNotFoundException"
    assert json.loads(missing.body) == {"Type": "User", "Message": "Function not found: f"}
    throttled = AwsError(
        "TooManyRequestsException",
        "Rate Exceeded.",
        fields={"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "retryAfterSeconds": "1"},
    )
    response = rest_json.serialize_error(LAMBDA, throttled, "r")
    assert response.status == 429
    assert response.header("Retry-After") == "1"
    assert json.loads(response.body) == {
        "Type": "User",
        "message": "Rate Exceeded.",
        "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
    }


def test_api_gateway_error() -> None:
    response = rest_json.serialize_error(
        APIGATEWAY, AwsError("NotFoundException", "Invalid API identifier"), "r"
    )
    assert response.status == 404
    assert response.header("x-amzn-ErrorType") == "NotFoundException"
    assert json.loads(response.body) == {"message": "Invalid API identifier"}
