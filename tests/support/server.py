"""Running a real millpond process for tests, and clients pointed at it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

REPO = Path(__file__).resolve().parents[2]
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    port: int
    args: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    _log: Any = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self, timeout: float = 20.0) -> ServerProcess:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "millpond", "up", "--port", str(self.port), *self.args],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=self.log_path.parent,
        )
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"millpond exited with {self.process.returncode}:\n{self.log()}")
            try:
                return self.get("/_millpond/health")
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"millpond did not become healthy:\n{self.log()}") from None
                time.sleep(0.02)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=5) as response:
            return json.loads(response.read())

    def post(self, path: str, payload: Any = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else b""
        request = urllib.request.Request(self.url + path, data=data, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def client(self, service: str, **kwargs: Any) -> Any:
        config = Config(retries={"max_attempts": 1, "mode": "standard"})
        return boto3.client(service, endpoint_url=self.url, config=config, **{**CREDENTIALS, **kwargs})

    def kill(self) -> None:
        """SIGKILL: nothing gets a chance to flush."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self._close_log()

    def stop(self, timeout: float = 10.0) -> int:
        """SIGINT, as Ctrl-C would; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise
        self._close_log()
        return self.process.returncode

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MILLPOND_", "AWS_"))}
    env.update(extra)
    return env


def make_server(tmp_path: Path, *args: str, port: int | None = None, **env: str) -> ServerProcess:
    return ServerProcess(
        port=port or free_port(),
        args=list(args),
        env=server_env(**env),
        log_path=tmp_path / "millpond.log",
    )


def aws_cli_path() -> str:
    configured = os.environ.get("MILLPOND_AWS_CLI")
    if configured:
        return configured
    return str(REPO / ".venv-cli" / "bin" / "aws")


def legacy_python() -> str:
    """The interpreter with botocore 1.31.80 (SQS over the query protocol); the Makefile installs it."""
    return os.environ.get("MILLPOND_LEGACY_PYTHON") or str(REPO / ".venv-legacy" / "bin" / "python")


def run_aws(server: ServerProcess, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The AWS CLI as a user runs it: its own process and botocore, pointed at millpond by env vars."""
    env = server_env(
        AWS_ENDPOINT_URL=server.url,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_PAGER="",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    # AWS CLI v1 ignores AWS_ENDPOINT_URL for `aws sqs` in us-east-1 (a CLI customization), so pass the flag.
    command = [aws_cli_path(), *args, "--output", "json", "--endpoint-url", server.url]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result
