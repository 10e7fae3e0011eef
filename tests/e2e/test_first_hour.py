"""A newcomer's first hour: `make up` on a fresh checkout, the AWS CLI through `millpond aws` with commands
and AWS-style queue URLs copied from a tutorial, and `awslocal` as LocalStack users run it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import REPO, ServerProcess, free_port, make_server

ACCOUNT = "000000000000"
LOCALSTACK_PORT = 4566  # where awslocal (and every LocalStack-era tool) looks, with no settings at all


def checkout(target: Path) -> Path:
    """The working tree as a fresh clone of it would be: tracked and new files, nothing ignored (no venvs)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = REPO / os.fsdecode(name)
        if source.is_file():
            destination = target / os.fsdecode(name)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    return target


def healthy(port: int, deadline: float, process: subprocess.Popen[bytes], log: Path) -> None:
    while True:
        if process.poll() is not None:
            raise AssertionError(f"make up exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_millpond/health", timeout=2) as answer:
                if json.loads(answer.read())["status"] == "ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"make up was not healthy in time:\n{log.read_text()}")
        time.sleep(0.25)


@pytest.mark.slow
def test_make_up_on_a_fresh_checkout_then_the_aws_cli_through_millpond_aws(tmp_path: Path) -> None:
    tree = checkout(tmp_path / "millpond")
    assert not (tree / ".venv").exists()
    port = free_port()
    # A machine of its own: an empty cache (so `make up` installs the CLI) and no AWS settings at all.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MILLPOND_", "AWS_"))}
    env.update(
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        HOME=str(tmp_path / "home"),
        MILLPOND_PORT=str(port),
        MILLPOND_IN_MEMORY="true",
        PIP_CACHE_DIR=os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip"),
    )
    (tmp_path / "home").mkdir()
    log = tmp_path / "make-up.log"
    with log.open("wb") as output:
        make = subprocess.Popen(
            ["make", "up"],
            cwd=tree,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        healthy(port, time.monotonic() + 480, make, log)
        assert (tree / ".venv" / "bin" / "millpond").exists()
        cli = tree / ".venv" / "bin" / "millpond"

        def aws(*args: str) -> dict[str, object]:
            done = subprocess.run(
                [str(cli), "aws", *args], cwd=tree, env=env, capture_output=True, text=True, timeout=120
            )
            assert done.returncode == 0, f"millpond aws {' '.join(args)}: {done.stderr}"
            return json.loads(done.stdout) if done.stdout.strip() else {}

        name = f"first-hour-{uuid.uuid4().hex[:6]}"
        url = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/{name}"
        created = aws("sqs", "create-queue", "--queue-name", name)
        assert str(created["QueueUrl"]).endswith(f"/{ACCOUNT}/{name}")
        aws("sqs", "send-message", "--queue-url", url, "--message-body", "hello from a tutorial")
        received = aws("sqs", "receive-message", "--queue-url", url, "--wait-time-seconds", "2")
        assert [m["Body"] for m in received["Messages"]] == ["hello from a tutorial"]  # type: ignore[attr-defined]
        aws("sqs", "delete-queue", "--queue-url", url)
        assert name not in json.dumps(aws("sqs", "list-queues"))
        aws("kinesis", "create-stream", "--stream-name", name, "--shard-count", "1")
        assert name in json.dumps(aws("kinesis", "list-streams"))
        assert aws("lambda", "list-functions") == {"Functions": []}
        # The CLI was installed by `make up` into the cache, once: the user's own AWS settings stay unset.
        assert list((tmp_path / "cache" / "millpond").glob("aws-cli-*/bin/aws"))
    finally:
        os.killpg(make.pid, signal.SIGINT)
        try:
            make.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()


def awslocal_path() -> str:
    return os.environ.get("MILLPOND_AWSLOCAL") or str(REPO / ".venv-awslocal" / "bin" / "awslocal")


@pytest.fixture
def on_localstack_port(tmp_path: Path) -> Iterator[ServerProcess]:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", LOCALSTACK_PORT)) == 0:
            pytest.fail(f"port {LOCALSTACK_PORT} is taken: awslocal's test needs it (stop `make up` first)")
    server = make_server(tmp_path, "--in-memory", port=LOCALSTACK_PORT).start()
    yield server
    server.stop()


def test_awslocal_works_unchanged_against_millpond(on_localstack_port: ServerProcess, tmp_path: Path) -> None:
    awslocal = awslocal_path()
    if not Path(awslocal).exists():
        pytest.fail(f"no awslocal at {awslocal} (make test installs it into .venv-awslocal)")
    # What a LocalStack user has: awslocal and the aws CLI on PATH, no AWS settings, an empty home.
    (tmp_path / "home").mkdir()
    env = {
        "PATH": f"{Path(awslocal).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(tmp_path / "home"),
        "DISABLE_DEPRECATION_NOTICE": "1",
    }

    def run(*args: str) -> dict[str, object]:
        done = subprocess.run([awslocal, *args], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"awslocal {' '.join(args)}: {done.stderr}"
        return json.loads(done.stdout) if done.stdout.strip() else {}

    name = f"awslocal-{uuid.uuid4().hex[:6]}"
    created = run("sqs", "create-queue", "--queue-name", name)
    assert str(created["QueueUrl"]).startswith(f"http://localhost:{LOCALSTACK_PORT}/")
    assert created["QueueUrl"] in run("sqs", "list-queues")["QueueUrls"]  # type: ignore[operator]
    run("sqs", "delete-queue", "--queue-url", f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/{name}")
    assert name not in json.dumps(run("sqs", "list-queues"))
    # Tools that wait for LocalStack poll its health route before they start.
    health = on_localstack_port.get("/_localstack/health")
    assert health["services"]["sqs"] == "running" and health["services"]["lambda"] == "running"
