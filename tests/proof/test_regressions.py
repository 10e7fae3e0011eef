"""Regressions for the bugs the proof harnesses found (each answered 500 or misbehaved before its fix)."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.support.server import ServerProcess

QUERY = "application/x-www-form-urlencoded"


def send(
    server: ServerProcess, method: str, path: str, body: bytes = b"", **headers: str
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = conn.getresponse()
        body = response.read()
        # rest-json names the error in a header only
        return response.status, body + (response.getheader("x-amzn-ErrorType") or "").encode()
    finally:
        conn.close()


def json_call(
    server: ServerProcess, target: str, payload: dict[str, Any], version: str = "1.1"
) -> tuple[int, Any]:
    status, body = send(
        server,
        "POST",
        "/",
        json.dumps(payload).encode(),
        X_Amz_Target=target,
        Content_Type=f"application/x-amz-json-{version}",
    )
    return status, json.loads(body)


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ("Action=ListGroupsForUser&Version=2010-05-08", b"ValidationError"),
        ("Action=GetPolicyVersion&Version=2010-05-08&VersionId=v1", b"ValidationError"),
        ("Action=TagResource&Version=2010-08-01&Tags.member.1.Key=a", b"MissingParameter"),
        ("Action=AssumeRole&Version=2011-06-15&RoleSessionName=s", b"ValidationError"),
    ],
)
def test_missing_required_query_members_are_refused_before_the_provider(
    server: ServerProcess, form: str, code: bytes
) -> None:
    status, body = send(server, "POST", "/", form.encode(), Content_Type=QUERY)
    assert status == 400 and code in body, body


def test_missing_required_json_members_get_each_services_code(server: ServerProcess) -> None:
    status, body = json_call(server, "Logs_20140328.UntagResource", {"tagKeys": ["a"]})
    assert (status, body["__type"]) == (400, "InvalidParameterException")
    assert "Value null at 'resourceArn'" in body["message"]
    status, body = json_call(server, "Kinesis_20131202.PutRecord", {"StreamName": "s", "PartitionKey": "k"})
    assert (status, body["__type"]) == (400, "ValidationException")
    status, body = json_call(server, "AmazonSQS.SendMessage", {"QueueUrl": "http://x/000000000000/q"}, "1.0")
    assert status == 400 and "MessageBody" in body["message"]


def test_missing_required_nested_member(server: ServerProcess) -> None:
    status, body = json_call(
        server,
        "Logs_20140328.TagResource",
        {"resourceArn": "arn:aws:logs:us-east-1:000000000000:log-group:x", "tags": {}},
    )
    assert status == 400
    status, body = send(
        server,
        "POST",
        "/",
        b"Action=TagUser&Version=2010-05-08&UserName=u&Tags.member.1.Value=v",
        Content_Type=QUERY,
    )
    assert status == 400 and b"ValidationError" in body


def test_create_function_without_a_name_is_a_client_error(server: ServerProcess) -> None:
    status, body = send(server, "POST", "/2015-03-31/functions/", b"{}", Content_Type="application/json")
    assert status == 400 and b"InvalidParameterValueException" in body


@pytest.mark.parametrize("marker", ["x", "\u00b2"])
def test_bad_pagination_tokens_are_client_errors(server: ServerProcess, marker: str) -> None:
    from urllib.parse import quote

    token = quote(marker)
    status, body = send(server, "GET", f"/2015-03-31/functions/?Marker={token}")
    assert status == 400 and b"InvalidParameterValueException" in body
    status, body = send(server, "GET", f"/restapis?position={token}")
    assert status == 400 and b"BadRequestException" in body
    status, body = send(server, "GET", f"/2015-03-31/event-source-mappings/?Marker={token}")
    assert status == 200
    server.client("logs").create_log_group(logGroupName=f"proof-{ord(marker[0])}")
    status, reply = json_call(
        server,
        "Logs_20140328.DescribeLogStreams",
        {"logGroupName": f"proof-{ord(marker[0])}", "nextToken": marker},
    )
    assert (status, reply["__type"]) == (400, "InvalidParameterException")


def test_non_decimal_digits_are_not_numbers(server: ServerProcess) -> None:
    """'\u00b2' is a digit to str.isdigit() but not to int()."""
    status, body = send(
        server,
        "POST",
        "/",
        "Action=ListUsers&Version=2010-05-08&Tags.member.\u00b2.Key=a".encode(),
        Content_Type=QUERY,
    )
    assert status < 500, body
    lam = server.client("lambda")
    lam.create_function(
        FunctionName="proof-digits",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of("def handler(e, c):\n    return 1\n")},
    )
    status, body = send(server, "DELETE", "/2015-03-31/functions/proof-digits?Qualifier=%C2%B2")
    assert 400 <= status < 500, body


def test_a_function_that_outgrows_its_memory_is_killed(server: ServerProcess) -> None:
    source = (
        "def handler(event, context):\n    hoard = []\n"
        "    for _ in range(60):\n        hoard.append(b'x' * (10 * 1024 * 1024))\n    return len(hoard)\n"
    )
    lam = server.client("lambda")
    lam.create_function(
        FunctionName="proof-hog",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of(source)},
        MemorySize=128,
        Timeout=30,
    )
    reply = lam.invoke(FunctionName="proof-hog")
    payload = json.loads(reply["Payload"].read())
    assert reply.get("FunctionError") == "Unhandled"
    assert payload["errorType"] == "Runtime.OutOfMemory"
    assert "signal: killed" in payload["errorMessage"]


def test_query_errors_echoing_control_characters_stay_valid_xml(server: ServerProcess) -> None:
    import xml.etree.ElementTree as ElementTree
    from urllib.parse import urlencode

    form = urlencode({"Action": "GetQueueAttributes", "Version": "2012-11-05", "QueueUrl": "\x00bad\x01"})
    status, body = send(server, "POST", "/", form.encode(), Content_Type=QUERY)
    assert status >= 400
    error = ElementTree.fromstring(body).find(".//{*}Error")  # raised on the NUL before the fix
    assert error is not None and error.findtext("{*}Code")
