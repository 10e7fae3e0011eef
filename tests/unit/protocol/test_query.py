"""Query codec on the wire examples AWS documents and on malformed input (round trips are elsewhere)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from millpond.errors import AwsError
from millpond.protocol import query, specs
from millpond.protocol.http import HttpRequest

FORM = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}


def post(body: str) -> HttpRequest:
    return HttpRequest("POST", "/", "", dict(FORM), body.encode())


def sqs(name: str) -> object:
    return specs.operation_model("sqs", name, "query")


def test_sqs_send_message_with_attributes() -> None:
    request = post(
        "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fq%2F000000000000%2Fq&MessageBody=hi"
        "&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String"
        "&MessageAttribute.1.Value.StringValue=v&MessageAttribute.2.Name=b"
        "&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AAE%3D"
        "&DelaySeconds=5"
    )
    assert query.request_action(request) == ("SendMessage", "2012-11-05")
    assert query.parse_request(sqs("SendMessage"), request, {}) == {
        "QueueUrl": "http://q/000000000000/q",
        "MessageBody": "hi",
        "DelaySeconds": 5,
        "MessageAttributes": {
            "a": {"DataType": "String", "StringValue": "v"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    }


def test_flattened_lists_and_maps_by_location_name() -> None:
    request = post(
        "Action=ReceiveMessage&QueueUrl=u&AttributeName.1=All&AttributeName.2=SenderId"
        "&MessageAttributeName.1=foo&MaxNumberOfMessages=10"
    )
    assert query.parse_request(sqs("ReceiveMessage"), request, {}) == {
        "QueueUrl": "u",
        "AttributeNames": ["All", "SenderId"],
        "MessageAttributeNames": ["foo"],
        "MaxNumberOfMessages": 10,
    }
    attributes = post(
        "Action=SetQueueAttributes&QueueUrl=u&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=5"
    )
    assert query.parse_request(sqs("SetQueueAttributes"), attributes, {}) == {
        "QueueUrl": "u",
        "Attributes": {"VisibilityTimeout": "5"},
    }


def test_members_entries_and_index_order() -> None:
    operation = specs.operation_model("iam", "CreateRole")
    document = '{"Version":"2012-10-17","Statement":[]}'
    request = post(
        f"Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument={quote(document)}"
        "&Tags.member.2.Key=k2&Tags.member.2.Value=v2&Tags.member.1.Key=k1&Tags.member.1.Value=v1"
    )
    assert query.parse_request(operation, request, {}) == {
        "RoleName": "r",
        "AssumeRolePolicyDocument": document,
        "Tags": [{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}],
    }


def test_get_request_with_params_in_the_query_string() -> None:
    request = HttpRequest("GET", "/", "Action=GetCallerIdentity&Version=2011-06-15")
    assert query.request_action(request) == ("GetCallerIdentity", "2011-06-15")
    assert query.parse_request(specs.operation_model("sts", "GetCallerIdentity"), request, {}) == {}
    assume = HttpRequest("GET", "/", "Action=AssumeRole&RoleArn=arn&RoleSessionName=s&DurationSeconds=900")
    params = query.parse_request(specs.operation_model("sts", "AssumeRole"), assume, {})
    assert params == {"RoleArn": "arn", "RoleSessionName": "s", "DurationSeconds": 900}


def test_timestamps_and_empty_lists() -> None:
    operation = specs.operation_model("cloudwatch", "GetMetricStatistics", "query")
    request = post(
        "Action=GetMetricStatistics&Namespace=n&MetricName=m&StartTime=2024-05-01T12%3A00%3A00Z"
        "&EndTime=2024-05-01T13%3A00%3A00.250Z&Period=60&Statistics=&Dimensions.member.1.Name=d"
        "&Dimensions.member.1.Value=x"
    )
    assert query.parse_request(operation, request, {}) == {
        "Namespace": "n",
        "MetricName": "m",
        "StartTime": datetime(2024, 5, 1, 12, tzinfo=UTC),
        "EndTime": datetime(2024, 5, 1, 13, 0, 0, 250000, tzinfo=UTC),
        "Period": 60,
        "Statistics": [],
        "Dimensions": [{"Name": "d", "Value": "x"}],
    }


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ("MaxNumberOfMessages=ten", "MaxNumberOfMessages"),
        ("VisibilityTimeout=1.5", "VisibilityTimeout"),
    ],
)
def test_malformed_values_are_invalid_parameter_value(body: str, parameter: str) -> None:
    with pytest.raises(AwsError) as raised:
        query.parse_request(sqs("ReceiveMessage"), post(f"Action=ReceiveMessage&QueueUrl=u&{body}"), {})
    assert raised.value.code == "InvalidParameterValue"
    assert raised.value.status == 400
    assert parameter in raised.value.message


def test_malformed_boolean_blob_and_timestamp() -> None:
    cases = [
        (specs.operation_model("iam", "ListRoles"), "MaxItems=x"),
        (specs.operation_model("cloudwatch", "PutMetricAlarm", "query"), "ActionsEnabled=yes"),
        (specs.operation_model("cloudwatch", "GetMetricData", "query"), "StartTime=yesterday"),
        (sqs("SendMessage"), "MessageAttribute.1.Name=a&MessageAttribute.1.Value.BinaryValue=%21%21"),
    ]
    for operation, body in cases:
        with pytest.raises(AwsError) as raised:
            query.parse_request(operation, post(f"Action={operation.name}&{body}"), {})
        assert raised.value.code == "InvalidParameterValue"


def test_undecodable_form_is_malformed_query_string() -> None:
    request = HttpRequest("POST", "/", "", dict(FORM), b"Action=SendMessage&MessageBody=%FF")
    with pytest.raises(AwsError) as raised:
        query.parse_request(sqs("SendMessage"), request, {})
    assert (raised.value.code, raised.value.status) == ("MalformedQueryString", 404)


def test_sts_get_caller_identity_response() -> None:
    operation = specs.operation_model("sts", "GetCallerIdentity")
    result = {"Arn": "arn:aws:iam::000000000000:root", "UserId": "000000000000", "Account": "000000000000"}
    response = query.serialize_response(operation, result, "rid")
    assert response.status == 200
    assert response.headers == [("Content-Type", "text/xml"), ("x-amzn-RequestId", "rid")]
    assert response.body.decode() == (
        '<?xml version="1.0"?><GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        "<GetCallerIdentityResult><UserId>000000000000</UserId><Account>000000000000</Account>"
        "<Arn>arn:aws:iam::000000000000:root</Arn></GetCallerIdentityResult>"
        "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    )


def test_receive_message_response_escapes_like_sqs() -> None:
    message = {
        "MessageId": "m1",
        "ReceiptHandle": "r1",
        "MD5OfBody": "x",
        "Body": 'say "hi"\r\n<&>',
        "Attributes": {"SenderId": "AID", "SentTimestamp": "1"},
        "MessageAttributes": {"k": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}},
    }
    body = query.serialize_response(sqs("ReceiveMessage"), {"Messages": [message]}, "rid").body.decode()
    assert "<Body>say &quot;hi&quot;&#xD;\n&lt;&amp;&gt;</Body>" in body
    assert "<Attribute><Name>SenderId</Name><Value>AID</Value></Attribute>" in body
    assert "<MessageAttribute><Name>k</Name><Value><BinaryValue>AAE=</BinaryValue>" in body
    assert body.count("<Message>") == 1
    assert "<ReceiveMessageResult><Message><" in body
    assert "<MessageId>m1</MessageId>" in body


def test_no_output_has_no_result_element() -> None:
    response = query.serialize_response(sqs("DeleteMessage"), {}, "rid")
    assert response.body.decode() == (
        '<?xml version="1.0"?><DeleteMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'
        "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></DeleteMessageResponse>"
    )


def test_scalars_in_responses() -> None:
    operation = specs.operation_model("iam", "GetRole")
    role = {
        "Path": "/",
        "RoleName": "r",
        "RoleId": "AROA",
        "Arn": "arn:aws:iam::000000000000:role/r",
        "CreateDate": datetime(2024, 5, 1, 12, tzinfo=UTC),
        "MaxSessionDuration": 3600,
    }
    body = query.serialize_response(operation, {"Role": role}, "rid").body.decode()
    assert "<CreateDate>2024-05-01T12:00:00Z</CreateDate>" in body
    assert "<MaxSessionDuration>3600</MaxSessionDuration>" in body
    truncated = specs.operation_model("iam", "ListRoles")
    listed = query.serialize_response(truncated, {"Roles": [], "IsTruncated": False}, "rid").body.decode()
    assert "<Roles></Roles><IsTruncated>false</IsTruncated>" in listed


def test_error_response() -> None:
    model = specs.service_model("sqs", "query")
    error = AwsError("QueueDoesNotExist", "The specified queue does not exist for this wsdl version.")
    response = query.serialize_error(model, error, "rid")
    assert response.status == 400
    assert response.body.decode() == (
        '<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error>'
        "<Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>"
        "<Message>The specified queue does not exist for this wsdl version.</Message><Detail/></Error>"
        "<RequestId>rid</RequestId></ErrorResponse>"
    )
    iam = query.serialize_error(specs.service_model("iam"), AwsError("NoSuchEntityException", "nope"), "r")
    assert iam.status == 404
    assert b"<Code>NoSuchEntity</Code>" in iam.body


def test_control_characters_survive_botocore_parsing() -> None:
    from botocore.parsers import create_parser

    from .strategies import to_response_dict

    operation = sqs("ReceiveMessage")
    body = "a\r\nb\rc\td \"q\" 's' <x> &amp;"
    response = query.serialize_response(operation, {"Messages": [{"MessageId": "m", "Body": body}]}, "rid")
    parsed = create_parser("query").parse(to_response_dict(response), operation.output_shape)
    assert parsed["Messages"] == [{"MessageId": "m", "Body": body}]


def test_request_without_action() -> None:
    assert query.request_action(post("Version=2012-11-05")) == (None, "2012-11-05")
    assert query.request_action(HttpRequest("GET", "/")) == (None, None)
