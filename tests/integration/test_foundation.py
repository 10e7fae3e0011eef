"""The foundation through real clients: STS, unsupported operations, internal routes, HTTP/2, restarts."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.server import CREDENTIALS, ServerProcess, make_server, run_aws, server_env


def test_boto3_get_caller_identity_returns_the_configured_account(tmp_path: Path) -> None:
    server = make_server(tmp_path, "--in-memory", MILLPOND_ACCOUNT_ID="123456789012").start()
    try:
        identity = server.client("sts").get_caller_identity()
        assert identity["Account"] == "123456789012"
        assert identity["Arn"] == "arn:aws:iam::123456789012:root"
        assert identity["ResponseMetadata"]["RequestId"]
    finally:
        server.stop()


def test_aws_cli_get_caller_identity(server: ServerProcess) -> None:
    result = run_aws(server, "sts", "get-caller-identity")
    identity = json.loads(result.stdout)
    assert identity["Account"] == "000000000000"
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"


def test_assumed_role_credentials_are_recognised(server: ServerProcess) -> None:
    sts = server.client("sts")
    assumed = sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/processor", RoleSessionName="job-1")
    creds = assumed["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert assumed["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/processor/job-1"
    as_role = server.client(
        "sts",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    identity = as_role.get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::000000000000:assumed-role/processor/job-1"
    assert identity["UserId"] == assumed["AssumedRoleUser"]["AssumedRoleId"]


def test_assume_role_rejects_a_malformed_role_arn(server: ServerProcess) -> None:
    with pytest.raises(ClientError) as raised:
        server.client("sts").assume_role(
            RoleArn="arn:aws:iam::000000000000:user/not-a-role", RoleSessionName="s1"
        )
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


# Operations no provider serves yet; as services land, these move to operations still missing.
UNSUPPORTED_CALLS = [
    ("kinesis", "list_channels", {}),
    ("lambda", "list_code_signing_configs", {}),
    ("apigateway", "get_domain_names", {}),
    ("iam", "list_organizations_features", {}),
    ("cloudwatch", "describe_alarm_contributors", {"AlarmName": "any"}),
    ("logs", "describe_deliveries", {}),
    ("sns", "list_platform_applications", {}),
]


@pytest.mark.parametrize(
    ("service", "method", "kwargs"), UNSUPPORTED_CALLS, ids=[c[0] for c in UNSUPPORTED_CALLS]
)
def test_unsupported_operations_answer_an_aws_shaped_error(
    server: ServerProcess, service: str, method: str, kwargs: dict[str, object]
) -> None:
    client = server.client(service)
    with pytest.raises(ClientError) as raised:
        getattr(client, method)(**kwargs)
    error = raised.value.response["Error"]
    assert error["Code"] == "NotImplemented"
    assert (
        "does not support" in error["Message"]
        and client.meta.method_to_api_mapping[method] in error["Message"]
    )
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_unknown_json_target_and_query_action_get_aws_errors(server: ServerProcess) -> None:
    json_reply = httpx.post(
        server.url + "/",
        headers={
            "X-Amz-Target": "Nonexistent_20200101.DoThing",
            "Content-Type": "application/x-amz-json-1.0",
        },
        content=b"{}",
    )
    assert json_reply.status_code == 400
    assert json_reply.json()["__type"] == "UnknownOperationException"
    query_reply = httpx.post(
        server.url + "/",
        data={"Action": "MakeCoffee", "Version": "2011-06-15"},
    )
    assert query_reply.status_code == 400
    assert "<Code>InvalidAction</Code>" in query_reply.text
    not_found = httpx.get(server.url + "/no/such/path")
    assert not_found.status_code == 404
    assert not_found.headers["x-amzn-ErrorType"] == "UnknownOperationException"


def test_health_reset_and_clock_routes(server: ServerProcess) -> None:
    health = server.get("/_millpond/health")
    assert health["status"] == "ok"
    assert health["version"]
    assert set(health["services"]) == {
        "sqs",
        "kinesis",
        "lambda",
        "apigateway",
        "iam",
        "sts",
        "cloudwatch",
        "logs",
        "sns",
        "s3",
    }
    assert health["services"]["sts"]["state"] == "running"
    assert health["uptime"] >= 0
    before = server.get("/_millpond/clock")
    after = server.post("/_millpond/clock", {"advance": 300})
    assert after["offset"] == pytest.approx(before["offset"] + 300)
    assert after["now"] >= before["now"] + 300
    bad = httpx.post(server.url + "/_millpond/clock", json={"advance": "soon"})
    assert bad.status_code == 400
    assert server.post("/_millpond/reset") == {"reset": True}


def test_moto_api_reset_is_served_only_with_the_setting(server: ServerProcess, tmp_path: Path) -> None:
    assert httpx.post(server.url + "/moto-api/reset").status_code == 404  # off by default
    moto = make_server(tmp_path, "--in-memory", MILLPOND_MOTO_API="true").start()
    try:
        sqs = moto.client("sqs")
        sqs.create_queue(QueueName="before-reset")
        reply = httpx.post(moto.url + "/moto-api/reset")
        assert reply.status_code == 200
        assert "QueueUrls" not in sqs.list_queues()
        assert httpx.post(moto.url + "/moto-api/unknown").status_code == 404
    finally:
        moto.stop()


def test_http2_prior_knowledge_is_answered(server: ServerProcess) -> None:
    with httpx.Client(http1=False, http2=True) as client:
        reply = client.get(server.url + "/_millpond/health")
        assert reply.http_version == "HTTP/2"
        assert reply.json()["status"] == "ok"
        sts = client.post(server.url + "/", data={"Action": "GetCallerIdentity", "Version": "2011-06-15"})
        assert sts.status_code == 200
        assert "<Account>000000000000</Account>" in sts.text


def _millpond_cli(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "millpond", *args, "--port", str(server.port)],
        capture_output=True,
        text=True,
        env=server_env(),
        timeout=30,
        check=True,
    )


def test_cli_status_clock_and_reset(server: ServerProcess) -> None:
    status = json.loads(_millpond_cli(server, "status").stdout)
    assert status["status"] == "ok"
    offset = json.loads(_millpond_cli(server, "clock").stdout)["offset"]
    advanced = json.loads(_millpond_cli(server, "clock", "advance", "60").stdout)
    assert advanced["offset"] == pytest.approx(offset + 60)
    assert "wiped" in _millpond_cli(server, "reset").stdout


def test_help_lists_every_option_with_its_environment_variable() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "millpond", "up", "--help"], capture_output=True, text=True, check=True
    )
    for flag, env in [
        ("--host", "MILLPOND_HOST"),
        ("--port", "MILLPOND_PORT"),
        ("--data-dir", "MILLPOND_DATA_DIR"),
        ("--in-memory", "MILLPOND_IN_MEMORY"),
        ("--durability", "MILLPOND_DURABILITY"),
        ("--account-id", "MILLPOND_ACCOUNT_ID"),
        ("--log-level", "MILLPOND_LOG_LEVEL"),
    ]:
        assert flag in result.stdout and env in result.stdout


@pytest.mark.parametrize("durability", ["normal", "full"])
def test_sigkill_keeps_what_was_acknowledged(tmp_path: Path, durability: str) -> None:
    data = tmp_path / "data"
    server = make_server(tmp_path, "--data-dir", str(data), "--durability", durability).start()
    sessions = []
    for n in range(20):
        assumed = server.client("sts").assume_role(
            RoleArn="arn:aws:iam::000000000000:role/worker", RoleSessionName=f"session-{n}"
        )
        sessions.append(assumed["Credentials"])
    server.post("/_millpond/clock", {"advance": 120})
    server.kill()

    restarted = make_server(
        tmp_path, "--data-dir", str(data), "--durability", durability, port=server.port
    ).start()
    try:
        for n, creds in enumerate(sessions):
            identity = restarted.client(
                "sts",
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            ).get_caller_identity()
            assert identity["Arn"].endswith(f"assumed-role/worker/session-{n}")
        assert restarted.get("/_millpond/clock")["offset"] >= 120
    finally:
        restarted.stop()


def test_ctrl_c_stops_cleanly(fresh_server: ServerProcess) -> None:
    fresh_server.start()
    fresh_server.client("sts").assume_role(RoleArn="arn:aws:iam::000000000000:role/r", RoleSessionName="s1")
    assert fresh_server.stop() == 0
    assert "everything acknowledged is committed" in fresh_server.log()


def test_up_prints_endpoint_data_dir_and_console(fresh_server: ServerProcess) -> None:
    fresh_server.start()
    log = fresh_server.log()
    assert f"http://localhost:{fresh_server.port}" in log
    assert "/_millpond/console/" in log
    assert str(Path(fresh_server.args[1]).resolve()) in log


def test_boto3_client_without_endpoint_argument_uses_aws_endpoint_url(server: ServerProcess) -> None:
    code = "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])"
    env = server_env(
        AWS_ENDPOINT_URL=server.url,
        AWS_ACCESS_KEY_ID=CREDENTIALS["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=CREDENTIALS["aws_secret_access_key"],
        AWS_DEFAULT_REGION="us-east-1",
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "000000000000"


def _kinesis_list_streams(server: ServerProcess, body: bytes, content_type: str) -> httpx.Response:
    headers = {"X-Amz-Target": "Kinesis_20131202.ListStreams", "Content-Type": content_type}
    return httpx.post(server.url + "/", headers=headers, content=body)


def test_malformed_bodies_get_the_protocols_error_not_a_500(server: ServerProcess) -> None:
    broken_json = _kinesis_list_streams(server, b'{"Limit": ', "application/x-amz-json-1.1")
    assert broken_json.status_code == 400
    assert broken_json.json()["__type"].endswith("SerializationException")
    wrong_type = _kinesis_list_streams(server, b'{"Limit": "many"}', "application/x-amz-json-1.1")
    assert wrong_type.status_code == 400
    assert wrong_type.json()["__type"].endswith("SerializationException")
    broken_cbor = _kinesis_list_streams(server, b"\xff\x00garbage", "application/x-amz-cbor-1.1")
    assert broken_cbor.status_code == 400
    bad_query = httpx.post(
        server.url + "/",
        data={"Action": "AssumeRole", "Version": "2011-06-15", "DurationSeconds": "an hour"},
    )
    assert bad_query.status_code == 400
    assert "<Code>InvalidParameterValue</Code>" in bad_query.text


def test_status_lists_each_lambda_runtime_and_its_interpreter(server: ServerProcess) -> None:
    runtimes = json.loads(_millpond_cli(server, "status").stdout)["lambda_runtimes"]
    assert [row["runtime"] for row in runtimes] == [f"python3.{minor}" for minor in range(9, 15)]
    server_python = next(row for row in runtimes if row["runtime"] == f"python3.{sys.version_info[1]}")
    assert (
        server_python["version"] == ".".join(map(str, sys.version_info[:3]))
        and "fallback" not in server_python
    )
    for row in runtimes:
        assert row["version"].startswith(row["runtime"].removeprefix("python") + ".") or row["fallback"]


def test_reset_puts_the_virtual_clock_back_to_real_time(tmp_path: Path) -> None:
    own = make_server(tmp_path, "--in-memory").start()
    try:
        own.post("/_millpond/clock", {"advance": 900})
        assert own.get("/_millpond/clock")["offset"] == pytest.approx(900)
        own.post("/_millpond/reset")
        clock = own.get("/_millpond/clock")
        assert clock["offset"] == 0 and abs(clock["now"] - time.time()) < 5
    finally:
        own.stop()


def test_runtimes_command_maps_every_python_runtime_without_a_server() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "millpond", "runtimes"],
        capture_output=True,
        text=True,
        env=server_env(),
        check=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("python3.")]
    assert [line.split()[0] for line in lines] == [f"python3.{minor}" for minor in range(9, 15)]
    own = next(line for line in lines if line.startswith(f"python3.{sys.version_info[1]} "))
    assert ".".join(map(str, sys.version_info[:3])) in own and sys.executable in own
