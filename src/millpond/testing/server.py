"""`Server`: a real millpond in a child process on a free loopback port, for tests and scripts.

    with Server() as server:
        sqs = server.client("sqs")
        ...

In memory by default; stopping it ends the process group, so no Lambda worker outlives it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
START_ATTEMPTS = 3


class ServerStartError(RuntimeError):
    """millpond could not be started; the message carries the end of its log."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(
        self,
        *,
        port: int | None = None,
        data_dir: str | Path | None = None,
        region: str = "us-east-1",
        account_id: str = "000000000000",
        startup_timeout: float = 30.0,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.region = region
        self.account_id = account_id
        self._requested_port = port
        self._data_dir = Path(data_dir) if data_dir is not None else None
        self._startup_timeout = startup_timeout
        self._extra_args = extra_args
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> Server:
        if self._process is not None:
            return self
        last_error: ServerStartError | None = None
        # A port picked free can be taken by another process before millpond binds it: try again.
        for _ in range(1 if self._requested_port else START_ATTEMPTS):
            try:
                self._spawn(self._requested_port or _free_port())
                return self
            except ServerStartError as error:
                last_error = error
        assert last_error is not None
        raise last_error

    def _spawn(self, port: int) -> None:
        log_fd, log_name = tempfile.mkstemp(prefix="millpond-", suffix=".log")
        self._log_path = Path(log_name)
        storage = ["--data-dir", str(self._data_dir)] if self._data_dir else ["--in-memory"]
        command = [
            sys.executable,
            "-m",
            "millpond",
            "up",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--account-id",
            self.account_id,
            "--region",
            self.region,
            "--log-level",
            "warning",
            *storage,
            *self._extra_args,
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("MILLPOND_")}
        self._process = subprocess.Popen(
            command, stdout=log_fd, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        os.close(log_fd)
        self.port = port
        deadline = time.monotonic() + self._startup_timeout
        while True:
            if self._process.poll() is not None:
                log = self.log()
                self._process = None
                raise ServerStartError(f"millpond exited while starting on port {port}:\n{log[-3000:]}")
            try:
                self._get("/_millpond/health")
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise ServerStartError(
                        f"millpond did not answer on port {port} within {self._startup_timeout:.0f} s"
                    ) from None
                time.sleep(0.01)

    def stop(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            self._signal_group(process, signal.SIGINT)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(process, signal.SIGKILL)
                process.wait()
        # Whatever the server started (function workers) goes with it.
        self._signal_group(process, signal.SIGKILL)
        if self._log_path is not None:
            self._log_path.unlink(missing_ok=True)

    @staticmethod
    def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # -- what tests use --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def env(self) -> dict[str, str]:
        """The variables that point an unmodified `boto3.client("sqs")` at this server."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
            "AWS_DEFAULT_REGION": self.region,
        }

    def client(self, service_name: str, **kwargs: Any) -> Any:
        import boto3

        options: dict[str, Any] = {"endpoint_url": self.url, "region_name": self.region, **CREDENTIALS}
        options.update(kwargs)
        return boto3.client(service_name, **options)

    def reset(self) -> None:
        """Wipe all state (queues, streams, functions...); the clock keeps its offset."""
        self._post("/_millpond/reset", None)

    def advance(self, seconds: float) -> float:
        """Move the virtual clock forward; returns the server's new time (epoch seconds)."""
        return float(self._post("/_millpond/clock", {"advance": seconds})["now"])

    def now(self) -> float:
        return float(self._get("/_millpond/clock")["now"])

    def log(self) -> str:
        if self._log_path is None or not self._log_path.exists():
            return ""
        return self._log_path.read_text(errors="replace")

    # -- HTTP to the internal routes -------------------------------------------------------------------
    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=5) as response:
            return json.loads(response.read())

    def _post(self, path: str, payload: Any) -> Any:
        data = json.dumps(payload).encode() if payload is not None else b""
        request = urllib.request.Request(self.url + path, data=data, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise RuntimeError(
                f"millpond answered {error.code}: {error.read().decode(errors='replace')}"
            ) from None
