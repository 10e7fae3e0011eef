"""The Lambda environment as AWS sets it: the pythonX.Y runtime on a Python X.Y where the machine has one
(a logged fallback to the server's where not), AWS's variables, the code folder as working directory, a
private /tmp, and context.aws_request_id equal to the Invoke's RequestId."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.support.server import CREDENTIALS, ServerProcess, make_server

RUNTIMES = ("python3.9", "python3.11", "python3.12", "python3.13")

VERSION = """
import sys
def handler(event, context):
    return {"version": list(sys.version_info[:3]), "executable": sys.executable}
"""

ENVIRONMENT = """
import os, tempfile
def handler(event, context):
    return {"env": dict(os.environ), "cwd": os.getcwd(), "request_id": context.aws_request_id,
            "tempdir": tempfile.gettempdir()}
"""

TMP = """
import os, tempfile
def handler(event, context):
    # Where the kernel allows a mount namespace, /tmp itself is private; elsewhere TMPDIR is.
    folder = "/tmp" if "TMPDIR" not in os.environ else tempfile.gettempdir()
    marker = os.path.join(folder, "millpond-private-marker")
    seen = os.path.exists(marker)
    with open(marker, "w") as handle:
        handle.write(event["who"])
    return {"seen_before": seen, "folder": folder}
"""


def interpreter_for(runtime: str) -> str | None:
    """The version a machine's pythonX.Y reports, found as the server should find it (PATH, pyenv)."""
    name = runtime
    major_minor = runtime.removeprefix("python")
    if major_minor == f"{sys.version_info[0]}.{sys.version_info[1]}":
        return ".".join(map(str, sys.version_info[:3]))
    candidates = [shutil.which(name)]
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    if pyenv.is_dir():
        candidates += [
            str(p / "bin" / name) for p in sorted(pyenv.iterdir()) if p.name.startswith(major_minor)
        ]
    for candidate in filter(None, candidates):
        done = subprocess.run(
            [candidate, "-c", "import sys; print('.'.join(map(str, sys.version_info[:3])))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0 and done.stdout.strip().startswith(major_minor + "."):
            return done.stdout.strip()
    return None


@pytest.fixture(scope="module")
def runtime_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = make_server(tmp_path_factory.mktemp("runtimes"), "--in-memory").start()
    yield process
    process.stop()


@pytest.fixture
def create(runtime_server: ServerProcess) -> Callable[..., str]:
    client = runtime_server.client("lambda")

    def make(source: str, runtime: str = "python3.12", **settings: object) -> str:
        name = f"rt-{runtime.replace('.', '')}-{uuid.uuid4().hex[:8]}"
        client.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": zip_of(source)},
            Timeout=30,
            **settings,
        )
        return name

    return make


def log_messages(server: ServerProcess, name: str, needle: str, timeout: float = 10.0) -> list[str]:
    logs = server.client("logs")
    deadline = time.monotonic() + timeout
    while True:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        messages = [e["message"] for e in events]
        if any(needle in m for m in messages) or time.monotonic() > deadline:
            return messages
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.parametrize("runtime", RUNTIMES)
def test_each_python_runtime_runs_on_its_own_python_where_the_machine_has_it(
    runtime_server: ServerProcess, create: Callable[..., str], runtime: str
) -> None:
    name = create(VERSION, runtime)
    # The first cold start of another interpreter installs its runtime packages once: allow for pip.
    client = boto3.client(
        "lambda",
        endpoint_url=runtime_server.url,
        config=Config(read_timeout=600, retries={"max_attempts": 1}),
        **CREDENTIALS,
    )
    reply = client.invoke(FunctionName=name)
    body = json.loads(reply["Payload"].read())
    assert "FunctionError" not in reply, body
    served = ".".join(map(str, body["version"]))
    expected = interpreter_for(runtime)
    messages = log_messages(runtime_server, name, "REPORT")
    fallback = [m for m in messages if m.startswith("millpond:") and "served by the server's Python" in m]
    if expected is not None:
        assert served == expected
        assert not fallback
    else:
        assert served == ".".join(map(str, sys.version_info[:3]))
        assert fallback and runtime in fallback[0] and "no " + runtime + " interpreter" in fallback[0]
        # One line at each cold start, before START.
        start = next(i for i, m in enumerate(messages) if m.startswith("START"))
        assert messages.index(fallback[0]) < start
    status = runtime_server.get("/_millpond/runtimes")["runtimes"]
    row = next(r for r in status if r["runtime"] == runtime)
    assert row["version"] == served


def test_a_runtime_without_an_interpreter_falls_back_and_says_why(
    runtime_server: ServerProcess, create: Callable[..., str]
) -> None:
    if interpreter_for("python3.14") is not None:
        pytest.skip("this machine has a Python 3.14")
    name = create(VERSION, "python3.14")
    reply = runtime_server.client("lambda").invoke(FunctionName=name)
    body = json.loads(reply["Payload"].read())
    assert body["version"][:2] == list(sys.version_info[:2])
    messages = log_messages(runtime_server, name, "REPORT")
    assert any(
        m.startswith("millpond: python3.14 is served by the server's Python") and "no python3.14" in m
        for m in messages
    ), messages


def test_the_environment_has_awss_variables_and_the_code_folder(
    runtime_server: ServerProcess, create: Callable[..., str]
) -> None:
    name = create(ENVIRONMENT, Environment={"Variables": {"MINE": "yes"}}, MemorySize=256)
    reply = runtime_server.client("lambda").invoke(FunctionName=name)
    body = json.loads(reply["Payload"].read())
    env, root = body["env"], body["env"]["LAMBDA_TASK_ROOT"]
    assert body["cwd"] == root and env["PWD"] == root
    assert Path(root, "app.py").is_file()
    assert env["MINE"] == "yes" and env["_HANDLER"] == "app.handler"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name and env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"])
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert re.fullmatch(r"127\.0\.0\.1:\d+", env["AWS_LAMBDA_RUNTIME_API"])
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_XRAY_CONTEXT_MISSING"] == "LOG_ERROR"
    assert (
        env["AWS_XRAY_DAEMON_ADDRESS"] == f"{env['_AWS_XRAY_DAEMON_ADDRESS']}:{env['_AWS_XRAY_DAEMON_PORT']}"
    )
    assert env["LANG"] == "en_US.UTF-8" and env["TZ"] == ":UTC"
    assert env["PYTHONPATH"].split(os.pathsep)[0] == root and env["LAMBDA_RUNTIME_DIR"]
    assert root in env["LD_LIBRARY_PATH"].split(os.pathsep)
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"]
    assert env["_X_AMZN_TRACE_ID"].startswith("Root=1-")
    assert not any(key.startswith("MILLPOND_") or key == "_MILLPOND_PRIVATE_TMP" for key in env)


def test_context_aws_request_id_is_the_invokes_request_id(
    runtime_server: ServerProcess, create: Callable[..., str]
) -> None:
    name = create(ENVIRONMENT)
    client = runtime_server.client("lambda")
    reply = client.invoke(FunctionName=name)
    assert json.loads(reply["Payload"].read())["request_id"] == reply["ResponseMetadata"]["RequestId"]
    accepted = client.invoke(FunctionName=name, InvocationType="Event")
    assert accepted["StatusCode"] == 202
    request_id = accepted["ResponseMetadata"]["RequestId"]
    messages = log_messages(runtime_server, name, f"END RequestId: {request_id}")
    assert f"START RequestId: {request_id} Version: $LATEST" in messages


def test_each_environment_has_a_private_tmp(
    runtime_server: ServerProcess, create: Callable[..., str]
) -> None:
    client = runtime_server.client("lambda")
    first, second = create(TMP), create(TMP)

    def call(name: str, who: str) -> dict[str, object]:
        return json.loads(
            client.invoke(FunctionName=name, Payload=json.dumps({"who": who}))["Payload"].read()
        )

    one, again, other = call(first, "1"), call(first, "1 again"), call(second, "2")
    assert one["seen_before"] is False and again["seen_before"] is True  # one warm environment keeps its /tmp
    assert other["seen_before"] is False  # another environment sees none of it
    assert not Path("/tmp/millpond-private-marker").exists()  # nor does the machine's /tmp get it
    if os.geteuid() == 0:  # root may always make a mount namespace: there /tmp itself is the private one
        assert one["folder"] == other["folder"] == "/tmp"
