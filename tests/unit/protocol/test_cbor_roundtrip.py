"""The CBOR codecs: smithy-rpc-v2-cbor (CloudWatch) against botocore's own serializer and parser, and
Kinesis' CBOR against requests encoded the way the AWS SDK for Java encodes them (botocore has no
serializer for it): byte-string blobs, timestamps as tag 1 + epoch milliseconds, indefinite-length maps.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import cache
from typing import Any

import cbor2
import pytest
from botocore.model import ListShape, MapShape, Shape, StructureShape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from hypothesis import given
from hypothesis import strategies as st

from millpond.errors import AwsError
from millpond.protocol import cbor, eventstream, rpcv2_cbor, specs
from millpond.protocol.http import HttpRequest

from .strategies import input_strategy, normalize, output_strategy, to_http_request, to_response_dict
from .test_json_roundtrip import SETTINGS, check_error, error_fields, error_shapes, make_error, operations

RPC = "smithy-rpc-v2-cbor"
RPC_SERIALIZER = create_serializer(RPC)
RPC_PARSER = create_parser(RPC)


@cache
def rpc_inputs(name: str) -> st.SearchStrategy[dict[str, Any]]:
    return input_strategy(specs.operation_model("cloudwatch", name), RPC)


@cache
def rpc_outputs(name: str) -> st.SearchStrategy[dict[str, Any]]:
    return output_strategy(specs.operation_model("cloudwatch", name), RPC)


@pytest.mark.parametrize(("service", "name"), operations(("cloudwatch",)))
@SETTINGS
@given(data=st.data())
def test_rpcv2_request_roundtrip(service: str, name: str, data: st.DataObject) -> None:
    operation = specs.operation_model(service, name)
    params = data.draw(rpc_inputs(name))
    request = to_http_request(RPC_SERIALIZER.serialize_to_request(params, operation))
    assert request.raw_path == f"/service/GraniteServiceVersion20100801/operation/{name}"
    assert request.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert normalize(rpcv2_cbor.parse_request(operation, request, {})) == normalize(params)


@pytest.mark.parametrize(("service", "name"), operations(("cloudwatch",)))
@SETTINGS
@given(data=st.data())
def test_rpcv2_response_roundtrip(service: str, name: str, data: st.DataObject) -> None:
    operation = specs.operation_model(service, name)
    result = data.draw(rpc_outputs(name))
    response = rpcv2_cbor.serialize_response(operation, result, "req-123")
    assert response.status == 200
    assert response.header("smithy-protocol") == "rpc-v2-cbor"
    assert response.header("Content-Type") == "application/cbor"
    parsed = RPC_PARSER.parse(to_response_dict(response, operation), operation.output_shape)
    # botocore's rpcv2 parser reads the request id only for operations that have an output shape.
    assert response.header("x-amzn-RequestId") == "req-123"
    if operation.output_shape is not None:
        assert parsed["ResponseMetadata"]["RequestId"] == "req-123"
    assert normalize(parsed) == normalize(result)


@pytest.mark.parametrize(("service", "code"), error_shapes(("cloudwatch",)))
@SETTINGS
@given(data=st.data())
def test_rpcv2_error_roundtrip(service: str, code: str | None, data: st.DataObject) -> None:
    model = specs.service_model(service)
    shape = model.shape_for(code) if code else None
    assert shape is None or isinstance(shape, StructureShape)
    code, error = make_error(service, code, data.draw(error_fields(shape, RPC)))
    response = rpcv2_cbor.serialize_error(model, error, "req-err")
    assert response.header("smithy-protocol") == "rpc-v2-cbor"
    check_error(
        model,
        code,
        error,
        lambda: RPC_PARSER.parse(to_response_dict(response), None),
        lambda error_shape: RPC_PARSER.parse(to_response_dict(response), error_shape),
    )


def test_rpcv2_accepts_empty_body_and_fractional_seconds() -> None:
    operation = specs.operation_model("cloudwatch", "ListDashboards")
    assert rpcv2_cbor.parse_request(operation, HttpRequest("POST", "/"), {}) == {}
    history = specs.operation_model("cloudwatch", "DescribeAlarmHistory")
    body = cbor2.dumps(
        {"StartDate": cbor2.CBORTag(1, 1700000000.25), "EndDate": cbor2.CBORTag(1, 1700000001)}
    )
    params = rpcv2_cbor.parse_request(history, HttpRequest("POST", "/", body=body), {})
    assert params == {
        "StartDate": datetime(2023, 11, 14, 22, 13, 20, 250000, tzinfo=UTC),
        "EndDate": datetime(2023, 11, 14, 22, 13, 21, tzinfo=UTC),
    }


# --- Kinesis CBOR, as the AWS SDK for Java speaks it -------------------------------------------------


def java_value(shape: Shape, value: Any) -> Any:
    """What the Java SDK's CBOR marshaller puts on the wire for `value`."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return {name: java_value(shape.members[name], item) for name, item in value.items()}
    if isinstance(shape, ListShape):
        return [java_value(shape.member, item) for item in value]
    if isinstance(shape, MapShape):
        return {key: java_value(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        return cbor2.CBORTag(1, round(value.timestamp() * 1000))
    return value


def java_encode(shape: Shape | None, params: dict[str, Any]) -> bytes:
    # Jackson's CBORGenerator writes objects and arrays as indefinite-length items.
    return cbor2.dumps(java_value(shape, params) if shape else {}, indefinite_containers=True)


def java_request(target: str, body: bytes) -> HttpRequest:
    headers = {"content-type": "application/x-amz-cbor-1.1", "x-amz-target": f"Kinesis_20131202.{target}"}
    return HttpRequest("POST", "/", headers=headers, body=body)


def java_read(shape: Shape, value: Any) -> Any:
    """What the Java SDK's CBOR unmarshaller reads back; asserts the wire types it needs."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape) and isinstance(value, dict)
        return {k: java_read(shape.members[k], v) for k, v in value.items() if k in shape.members}
    if isinstance(shape, ListShape):
        return [java_read(shape.member, item) for item in value]
    if isinstance(shape, MapShape):
        return {k: java_read(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        # new Date(parser.getLongValue()): epoch millis as an integer, under tag 1.
        assert isinstance(value, cbor2.CBORTag) and value.tag == 1 and type(value.value) is int
        return datetime.fromtimestamp(value.value / 1000, UTC)
    if kind == "blob":
        assert type(value) is bytes
    if kind in ("integer", "long"):
        assert type(value) is int
    if kind == "string":
        assert type(value) is str
    return value


def java_decode(shape: Shape | None, body: bytes) -> Any:
    raw = cbor2.loads(body, semantic_decoders={1: lambda v, immutable: cbor2.CBORTag(1, v)})
    return java_read(shape, raw) if shape is not None else raw


@cache
def kinesis_inputs(name: str) -> st.SearchStrategy[dict[str, Any]]:
    return input_strategy(specs.operation_model("kinesis", name), "cbor")


@cache
def kinesis_outputs(name: str) -> st.SearchStrategy[dict[str, Any]]:
    return output_strategy(specs.operation_model("kinesis", name), "cbor")


@pytest.mark.parametrize(("service", "name"), operations(("kinesis",), stream_output=True))
@SETTINGS
@given(data=st.data())
def test_kinesis_cbor_request_roundtrip(service: str, name: str, data: st.DataObject) -> None:
    operation = specs.operation_model(service, name)
    params = data.draw(kinesis_inputs(name))
    request = java_request(name, java_encode(operation.input_shape, params))
    assert normalize(cbor.parse_request(operation, request, {})) == normalize(params)


@pytest.mark.parametrize(("service", "name"), operations(("kinesis",)))
@SETTINGS
@given(data=st.data())
def test_kinesis_cbor_response_roundtrip(service: str, name: str, data: st.DataObject) -> None:
    operation = specs.operation_model(service, name)
    result = data.draw(kinesis_outputs(name))
    response = cbor.serialize_response(operation, result, "req-123")
    assert response.status == 200
    assert response.header("Content-Type") == "application/x-amz-cbor-1.1"
    assert response.header("x-amzn-RequestId") == "req-123"
    assert normalize(java_decode(operation.output_shape, response.body)) == normalize(result)


def kinesis_op(name: str) -> Any:
    return specs.operation_model("kinesis", name)


def test_kinesis_put_record_as_java_sends_it() -> None:
    # {_ "StreamName": "s", "Data": h'00ff616263', "PartitionKey": "k"} as Jackson's CBORGenerator writes it
    body = (
        bytes.fromhex("bf6a")
        + b"StreamName"
        + bytes.fromhex("61")
        + b"s"
        + bytes.fromhex("64")
        + b"Data"
        + bytes.fromhex("4500ff616263")
        + bytes.fromhex("6c")
        + b"PartitionKey"
        + bytes.fromhex("61")
        + b"k"
        + bytes.fromhex("ff")
    )
    params = cbor.parse_request(kinesis_op("PutRecord"), java_request("PutRecord", body), {})
    assert params == {"StreamName": "s", "Data": b"\x00\xffabc", "PartitionKey": "k"}


def test_kinesis_put_records_as_java_sends_it() -> None:
    entries = [
        {"Data": b"one", "PartitionKey": "a"},
        {"Data": b"", "PartitionKey": "b", "ExplicitHashKey": "7"},
    ]
    body = cbor2.dumps({"Records": entries, "StreamName": "s"}, indefinite_containers=True)
    params = cbor.parse_request(kinesis_op("PutRecords"), java_request("PutRecords", body), {})
    assert params == {"Records": entries, "StreamName": "s"}


@pytest.mark.parametrize(
    "timestamp",
    [
        cbor2.CBORTag(1, 1700000000123),  # Java SDK v1/v2: tag 1 + epoch millis
        1700000000123,  # untagged millis
        cbor2.CBORTag(1, 1700000000.123),  # RFC 8949 epoch seconds with a fraction
        "2023-11-14T22:13:20.123Z",
    ],
)
def test_kinesis_get_shard_iterator_timestamp_forms(timestamp: Any) -> None:
    request = {"StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP"}
    body = cbor2.dumps({**request, "Timestamp": timestamp}, indefinite_containers=True)
    params = cbor.parse_request(kinesis_op("GetShardIterator"), java_request("GetShardIterator", body), {})
    assert params == {**request, "Timestamp": datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)}


def test_kinesis_get_records_response_as_java_reads_it() -> None:
    arrival = datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    record = {"SequenceNumber": "4959", "ApproximateArrivalTimestamp": arrival, "Data": b"\x01\x02"}
    result = {
        "Records": [{**record, "PartitionKey": "k"}],
        "NextShardIterator": "it",
        "MillisBehindLatest": 0,
    }
    response = cbor.serialize_response(kinesis_op("GetRecords"), result, "r")
    raw = cbor2.loads(response.body, semantic_decoders={1: lambda v, immutable: ("tag1", v)})
    assert raw["Records"][0]["ApproximateArrivalTimestamp"] == ("tag1", 1700000000123)
    assert raw["Records"][0]["Data"] == b"\x01\x02"
    assert raw["MillisBehindLatest"] == 0
    get = cbor.parse_request(
        kinesis_op("GetRecords"),
        java_request(
            "GetRecords", java_encode(kinesis_op("GetRecords").input_shape, {"ShardIterator": "it"})
        ),
        {},
    )
    assert get == {"ShardIterator": "it"}


@pytest.mark.parametrize(
    ("code", "status"), [("ResourceNotFoundException", 400), ("ProvisionedThroughputExceededException", 400)]
)
def test_kinesis_cbor_error(code: str, status: int) -> None:
    model = specs.service_model("kinesis")
    response = cbor.serialize_error(model, AwsError(code, "Stream s under account 1 not found."), "req-e")
    assert response.status == status
    assert response.header("Content-Type") == "application/x-amz-cbor-1.1"
    assert response.header("x-amzn-RequestId") == "req-e"
    assert cbor2.loads(response.body) == {"__type": code, "message": "Stream s under account 1 not found."}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xff", "CBOR"),
        (cbor2.dumps({"StreamName": 5}), "can not be converted"),
        (cbor2.dumps({"Data": 5}), "can not be converted"),
        (cbor2.dumps([1]), "Start of list"),
    ],
)
def test_kinesis_cbor_serialization_exception(body: bytes, message: str) -> None:
    with pytest.raises(AwsError) as caught:
        cbor.parse_request(kinesis_op("PutRecord"), java_request("PutRecord", body), {})
    assert caught.value.code == "SerializationException"
    assert caught.value.status == 400
    assert message in caught.value.message


CBOR_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | st.binary(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@pytest.mark.parametrize(("service", "name"), [("kinesis", "PutRecords"), ("kinesis", "GetShardIterator")])
@SETTINGS
@given(data=st.data())
def test_kinesis_cbor_bad_input_is_serialization_exception(
    service: str, name: str, data: st.DataObject
) -> None:
    operation = specs.operation_model(service, name)
    assert operation.input_shape is not None
    document = java_value(operation.input_shape, data.draw(kinesis_inputs(name)))
    for member in data.draw(st.lists(st.sampled_from(list(operation.input_shape.members)), max_size=3)):
        document[member] = data.draw(
            CBOR_VALUES | st.builds(cbor2.CBORTag, st.sampled_from([0, 1]), CBOR_VALUES)
        )
    body = cbor2.dumps(document, indefinite_containers=True)
    body = data.draw(st.sampled_from([body, body[: len(body) // 2], b"\xff", cbor2.dumps([1])]))
    try:
        cbor.parse_request(operation, java_request(name, body), {})
        rpcv2_cbor.parse_request(operation, java_request(name, body), {})
    except AwsError as error:
        assert (error.code, error.status) == ("SerializationException", 400)


def test_kinesis_cbor_event_stream_as_java_reads_it() -> None:
    # The Java SDK parses event payloads with the client's CBOR parser: byte strings, tag 1 + epoch millis.
    operation = kinesis_op("SubscribeToShard")
    arrival = datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=UTC)
    record = {
        "SequenceNumber": "1",
        "ApproximateArrivalTimestamp": arrival,
        "Data": b"\x00hi",
        "PartitionKey": "k",
    }
    event = {"Records": [record], "ContinuationSequenceNumber": "1", "MillisBehindLatest": 0}

    async def events() -> AsyncIterator[dict[str, Any]]:
        yield {"SubscribeToShardEvent": event}
        raise AwsError("ResourceInUseException", "taken over")

    response = cbor.serialize_response(operation, {"EventStream": events()}, "req-1")
    assert response.header("Content-Type") == "application/vnd.amazon.eventstream"

    async def collect() -> bytes:
        assert response.stream is not None
        return b"".join([chunk async for chunk in response.stream])

    initial, pushed, failure = eventstream.decode_messages(asyncio.run(collect()))
    assert initial.headers[":event-type"] == "initial-response" and cbor2.loads(initial.payload) == {}
    assert pushed.headers == {
        ":event-type": "SubscribeToShardEvent",
        ":content-type": "application/x-amz-cbor-1.1",
        ":message-type": "event",
    }
    union = operation.output_shape.members["EventStream"]
    assert normalize(java_decode(union.members["SubscribeToShardEvent"], pushed.payload)) == normalize(event)
    assert failure.headers[":message-type"] == "exception"
    assert failure.headers[":exception-type"] == "ResourceInUseException"
    assert cbor2.loads(failure.payload) == {"message": "taken over"}
