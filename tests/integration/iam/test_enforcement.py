"""IAM enforcement through real clients on a server started with --enforce-iam: signatures, keys,
per-user prefixes (via `millpond users add`), AccessDenied shapes, presigned URL expiry."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.integration.iam.conftest import ACCOUNT, client, code_of
from tests.support.server import ServerProcess, server_env


def add_user(server: ServerProcess, name: str, prefix: str) -> tuple[str, str]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "millpond",
            "users",
            "add",
            name,
            "--prefix",
            prefix,
            "--port",
            str(server.port),
        ],
        capture_output=True,
        text=True,
        env=server_env(),
        timeout=30,
        check=True,
    )
    lines = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return lines["AWS_ACCESS_KEY_ID"], lines["AWS_SECRET_ACCESS_KEY"]


@pytest.fixture(scope="module")
def users(enforced: ServerProcess) -> dict[str, tuple[str, str]]:
    tag = uuid.uuid4().hex[:6]
    return {
        "user2": add_user(enforced, f"user2-{tag}", "user2-"),
        "user3": add_user(enforced, f"user3-{tag}", "user3-"),
    }


def test_root_keys_do_everything(enforced: ServerProcess) -> None:
    sqs = client(enforced, "sqs", "test", "test")
    url = sqs.create_queue(QueueName="root-q")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hi")
    who = client(enforced, "sts", "test", "test").get_caller_identity()
    assert who["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_prefix_users_are_kept_apart(enforced: ServerProcess, users: dict[str, tuple[str, str]]) -> None:
    user2, user3 = users["user2"], users["user3"]
    sqs2, sqs3 = client(enforced, "sqs", *user2), client(enforced, "sqs", *user3)
    mine = sqs2.create_queue(QueueName="user2-orders")["QueueUrl"]
    theirs = sqs3.create_queue(QueueName="user3-orders")["QueueUrl"]
    sqs2.send_message(QueueUrl=mine, MessageBody="ok")
    assert sqs2.receive_message(QueueUrl=mine)["Messages"][0]["Body"] == "ok"
    assert theirs in sqs2.list_queues()["QueueUrls"]  # ListQueues is account-wide on AWS too
    code, status, message = code_of(lambda: sqs2.send_message(QueueUrl=theirs, MessageBody="x"))
    user2_arn = client(enforced, "sts", *user2).get_caller_identity()["Arn"]
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: {user2_arn} is not authorized to perform: sqs:sendmessage on resource: "
        f"arn:aws:sqs:us-east-1:{ACCOUNT}:user3-orders because no identity-based policy allows the "
        "sqs:sendmessage action"
    )
    for denied in (
        lambda: sqs2.receive_message(QueueUrl=theirs),
        lambda: sqs2.get_queue_attributes(QueueUrl=theirs, AttributeNames=["All"]),
        lambda: sqs2.delete_queue(QueueUrl=theirs),
        lambda: sqs2.list_dead_letter_source_queues(QueueUrl=theirs),
    ):
        assert code_of(denied)[:2] == ("AccessDenied", 403)

    kinesis2, kinesis3 = client(enforced, "kinesis", *user2), client(enforced, "kinesis", *user3)
    kinesis2.create_stream(StreamName="user2-clicks", ShardCount=1)
    kinesis3.create_stream(StreamName="user3-clicks", ShardCount=1)
    kinesis2.put_record(StreamName="user2-clicks", Data=b"x", PartitionKey="k")
    assert kinesis2.list_shards(StreamName="user2-clicks")["Shards"]
    for denied in (
        lambda: kinesis2.put_record(StreamName="user3-clicks", Data=b"x", PartitionKey="k"),
        lambda: kinesis2.list_shards(StreamName="user3-clicks"),
        lambda: kinesis2.describe_stream(StreamName="user3-clicks"),
        lambda: kinesis2.delete_stream(StreamName="user3-clicks"),
    ):
        code, status, message = code_of(denied)
        assert (code, status) == ("AccessDeniedException", 400)
        assert "kinesis:" in message and "stream/user3-clicks" in message

    logs2, logs3 = client(enforced, "logs", *user2), client(enforced, "logs", *user3)
    logs2.create_log_group(logGroupName="user2-app")
    logs3.create_log_group(logGroupName="user3-app")
    logs3.create_log_stream(logGroupName="user3-app", logStreamName="s")
    logs2.create_log_stream(logGroupName="user2-app", logStreamName="s")
    assert logs2.describe_log_streams(logGroupName="user2-app")["logStreams"]
    for denied in (
        lambda: logs2.describe_log_streams(logGroupName="user3-app"),
        lambda: logs2.get_log_events(logGroupName="user3-app", logStreamName="s"),
        lambda: logs2.delete_log_group(logGroupName="user3-app"),
    ):
        assert code_of(denied)[:2] == ("AccessDeniedException", 400)

    lambda3 = client(enforced, "lambda", *user3)
    lambda2 = client(enforced, "lambda", *user2)
    code, status, message = code_of(lambda: lambda2.get_function(FunctionName="user3-anything"))
    assert (code, status) == ("AccessDeniedException", 403)
    assert (
        f"lambda:GetFunction on resource: arn:aws:lambda:us-east-1:{ACCOUNT}:function:user3-anything"
        in message
    )
    assert (
        code_of(lambda: lambda3.get_function(FunctionName="user3-missing"))[0] == "ResourceNotFoundException"
    )
    assert code_of(lambda: lambda2.invoke(FunctionName="user3-anything"))[:2] == (
        "AccessDeniedException",
        403,
    )


def test_explicit_deny_and_conditions(enforced: ServerProcess, users: dict[str, tuple[str, str]]) -> None:
    root_iam = client(enforced, "iam", "test", "test")
    user2 = users["user2"]
    name = client(enforced, "sts", *user2).get_caller_identity()["Arn"].split("/")[-1]
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Action": "sqs:DeleteQueue", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "sqs:SendMessage",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:username": name},
                    "Bool": {"aws:SecureTransport": "false"},
                },
            },
        ],
    }
    root_iam.put_user_policy(UserName=name, PolicyName="deny", PolicyDocument=json.dumps(deny))
    try:
        sqs2 = client(enforced, "sqs", *user2)
        url = sqs2.create_queue(QueueName="user2-denied")["QueueUrl"]
        code, _, message = code_of(lambda: sqs2.delete_queue(QueueUrl=url))
        assert code == "AccessDenied" and message.endswith(
            "with an explicit deny in an identity-based policy"
        )
        assert code_of(lambda: sqs2.send_message(QueueUrl=url, MessageBody="x"))[0] == "AccessDenied"
    finally:
        root_iam.delete_user_policy(UserName=name, PolicyName="deny")
    sqs2.send_message(QueueUrl=url, MessageBody="x")


def test_queue_policy_grants_another_user(enforced: ServerProcess, users: dict[str, tuple[str, str]]) -> None:
    user2, user3 = users["user2"], users["user3"]
    arn2 = client(enforced, "sts", *user2).get_caller_identity()["Arn"]
    sqs2, sqs3 = client(enforced, "sqs", *user2), client(enforced, "sqs", *user3)
    url = sqs3.create_queue(QueueName="user3-shared")["QueueUrl"]
    assert code_of(lambda: sqs2.send_message(QueueUrl=url, MessageBody="x"))[0] == "AccessDenied"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": arn2}, "Action": "sqs:SendMessage", "Resource": "*"}
        ],
    }
    sqs3.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    sqs2.send_message(QueueUrl=url, MessageBody="granted")
    assert code_of(lambda: sqs2.receive_message(QueueUrl=url))[0] == "AccessDenied"


# -- signatures ------------------------------------------------------------------------------------------

CASES = {
    # service: (unknown key code, bad signature code, status of both)
    "sqs": ("InvalidClientTokenId", "SignatureDoesNotMatch", 403),
    "kinesis": ("UnrecognizedClientException", "InvalidSignatureException", 400),
    "lambda": ("UnrecognizedClientException", "InvalidSignatureException", 403),
    "iam": ("InvalidClientTokenId", "SignatureDoesNotMatch", 403),
    "logs": ("UnrecognizedClientException", "InvalidSignatureException", 400),
}
CALLS: dict[str, Callable[[Any], Any]] = {
    "sqs": lambda c: c.list_queues(),
    "kinesis": lambda c: c.list_streams(),
    "lambda": lambda c: c.list_functions(),
    "iam": lambda c: c.list_users(),
    "logs": lambda c: c.describe_log_groups(),
}


@pytest.mark.parametrize("service", sorted(CASES))
def test_unknown_key_and_wrong_secret(enforced: ServerProcess, service: str) -> None:
    unknown, mismatch, status = CASES[service]
    assert code_of(lambda: CALLS[service](client(enforced, service, "AKIAUNKNOWN000000000", "x")))[:2] == (
        unknown,
        status,
    )
    code, got, message = code_of(lambda: CALLS[service](client(enforced, service, "test", "wrong")))
    assert (code, got) == (mismatch, status)
    assert message.startswith("The request signature we calculated does not match")


def _signed(
    server: ServerProcess, service: str, headers: dict[str, str], body: bytes, secret: str = "test"
) -> AWSRequest:
    request = AWSRequest("POST", server.url + "/", data=body, headers=headers)
    SigV4Auth(Credentials("test", secret), service, "us-east-1").add_auth(request)
    return request


def _send(request: AWSRequest, body: bytes | None = None) -> tuple[int, str]:
    prepared = request.prepare()
    data = prepared.body if body is None else body
    headers = {k: v for k, v in prepared.headers.items() if k.lower() != "content-length"}
    raw = urllib.request.Request(prepared.url, data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(raw, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_tampered_bodies_are_refused(enforced: ServerProcess) -> None:
    query = b"Action=ListQueues&Version=2012-11-05"
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    assert _send(_signed(enforced, "sqs", form, query))[0] == 200
    status, body = _send(_signed(enforced, "sqs", form, query), b"Action=ListQueues&Version=2012-11-05&X=1")
    assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in body
    status, body = _send(_signed(enforced, "sqs", {**form}, b"Action=ListQueues&Version=2012-11-05", "bad"))
    assert status == 403 and "SignatureDoesNotMatch" in body
    target = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"}
    status, body = _send(_signed(enforced, "kinesis", target, b"{}"), b'{"Limit": 1}')
    assert status == 400 and "InvalidSignatureException" in body
    unsigned = urllib.request.Request(enforced.url + "/", data=query, method="POST", headers=form)
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(unsigned, timeout=10)
    assert raised.value.code == 403 and b"MissingAuthenticationToken" in raised.value.read()


def test_presigned_url_expires_on_the_virtual_clock(enforced: ServerProcess) -> None:
    sts = client(enforced, "sts", "test", "test")
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200 and b"<Arn>arn:aws:iam::000000000000:root</Arn>" in response.read()
    tampered = url.replace("X-Amz-Expires=60", "X-Amz-Expires=600")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(tampered, timeout=10)
    assert raised.value.code == 403
    enforced.post("/_millpond/clock", {"advance": 120})
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(url, timeout=10)
    assert raised.value.code == 400 and b"Request has expired" in raised.value.read()


def test_enforcement_off_takes_any_credentials(server: ServerProcess) -> None:
    sqs = client(server, "sqs", "AKIAUNKNOWN000000000", "whatever")
    url = sqs.create_queue(QueueName=f"anyone-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="fine")
