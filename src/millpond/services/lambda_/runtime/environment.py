"""One execution environment: a worker process running awslambdaric, its Runtime API, its log stream.

The worker runs on the interpreter its runtime maps to (interpreters.py), in the function's code folder,
with a /tmp of its own (worker_bootstrap.py) and the variables Lambda's Python runtime sets. It gets its
own process group (killed whole on timeout, crash or reap), one pipe for stdout and stderr (Lambda merges
them), read line by line into the environment's log stream between the START, END and REPORT lines that
Lambda writes itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import shutil
import signal
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from millpond.clock import Clock
from millpond.services.lambda_.runtime.interpreters import Interpreter
from millpond.services.lambda_.runtime.runtime_api import MAX_RESPONSE, Invocation, RuntimeApi
from millpond.services.lambda_.runtime.types import Credentials, FunctionSpec, InvokeOutcome, InvokeRequest

MAX_EVENT = 256 * 1024  # CloudWatch Logs truncates longer events
FLUSH_EVENTS = 500
INIT_TIMEOUT = 10.0  # Lambda's limit for the init phase of on-demand functions
TAIL_BYTES = 4096
MEMORY_POLL = 0.05  # how often a running invocation's resident memory is held against its MemorySize
BOOTSTRAP = (Path(__file__).with_name("worker_bootstrap.py")).read_text()
# Where AWS's X-Ray daemon listens for the function (AWS: 169.254.79.129:2000); nothing listens here.
XRAY_DAEMON = ("127.0.0.1", 2000)

Emit = Callable[[str, str, list[tuple[int, str]]], None]


def stream_name(version: str, day: datetime) -> str:
    # Lambda names an environment's stream YYYY/MM/DD/[<version>]<32 hex>.
    return f"{day:%Y/%m/%d}/[{version}]{uuid.uuid4().hex}"


def _exit_message(code: int) -> str:
    if code == 0:
        return "Runtime exited without providing a reason"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        described = {"SIGSEGV": "segmentation fault", "SIGKILL": "killed", "SIGABRT": "aborted"}
        return f"Runtime exited with error: signal: {described.get(name, name.lower())}"
    return f"Runtime exited with error: exit status {code}"


class Environment:
    def __init__(
        self,
        spec: FunctionSpec,
        task_root: Path,
        endpoint_url: str,
        credentials: Credentials,
        clock: Clock,
        emit: Emit,
        interpreter: Interpreter,
        tmp_parent: Path | None = None,
        opt_root: Path | None = None,
    ) -> None:
        self.spec = spec
        self.task_root = task_root
        self.opt_root = opt_root  # the function's layers, merged in order (AWS: /opt)
        self.interpreter = interpreter
        self.tmp_dir = Path(tempfile.mkdtemp(prefix="tmp-", dir=tmp_parent))  # the environment's /tmp
        self.endpoint_url = endpoint_url
        self.credentials = credentials
        self.clock = clock
        self._emit = emit
        self.stream = stream_name(spec.version, datetime.fromtimestamp(clock.now(), UTC))
        self.api = RuntimeApi()
        self.process: asyncio.subprocess.Process | None = None
        self.exited: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.alive = False
        self.retired = False
        self.cold = True
        self.last_used = time.perf_counter()
        self._started_at = 0.0
        self._init_ms = 0.0
        self._read_fd = -1
        self._status_fd = -1  # /proc/<pid>/status, opened on the first REPORT; -2 once stopped
        self._partial = b""
        self._events: list[tuple[int, str]] = []
        self._capture: list[str] | None = None
        self._capture_bytes = 0
        self._memory_mb = 0

    # -- lifecycle -----------------------------------------------------------------------------------------

    def environ(self, port: int) -> dict[str, str]:
        spec, root, packages = self.spec, str(self.task_root), self.interpreter.packages
        env = dict(spec.variables)
        inherited_libraries = os.environ.get("LD_LIBRARY_PATH")
        # Layers after the function's code: AWS's Python runtimes put /opt/python/lib/pythonX.Y/site-packages
        # and /opt/python on sys.path, /opt/lib on LD_LIBRARY_PATH and /opt/bin on PATH.
        opt = str(self.opt_root) if self.opt_root is not None else None
        code_paths = [root]
        if opt is not None:
            code_paths += [f"{opt}/python/lib/{spec.runtime}/site-packages", f"{opt}/python"]
        code_paths += [str(packages)] if packages is not None else []
        env.update(
            {
                "PATH": os.pathsep.join(
                    [*([f"{opt}/bin"] if opt else []), os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")]
                ),
                "LANG": "en_US.UTF-8",
                "TZ": ":UTC",
                # The function's code first, then the runtime's packages (AWS: /var/task, /var/runtime).
                "PYTHONPATH": os.pathsep.join(code_paths),
                "LAMBDA_TASK_ROOT": root,
                "LAMBDA_RUNTIME_DIR": str(packages or Path(self.interpreter.executable).parent.parent),
                "LD_LIBRARY_PATH": os.pathsep.join(
                    [
                        f"{root}/lib",
                        root,
                        *([f"{opt}/lib"] if opt else []),
                        *([inherited_libraries] if inherited_libraries else []),
                    ]
                ),
                "PWD": root,
                "TMPDIR": str(self.tmp_dir),
                "_MILLPOND_PRIVATE_TMP": str(self.tmp_dir),
                "_HANDLER": spec.handler,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
                "AWS_LAMBDA_FUNCTION_NAME": spec.name,
                "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
                "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
                "AWS_LAMBDA_LOG_STREAM_NAME": self.stream,
                "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
                "AWS_REGION": spec.region,
                "AWS_DEFAULT_REGION": spec.region,
                "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
                "AWS_XRAY_DAEMON_ADDRESS": f"{XRAY_DAEMON[0]}:{XRAY_DAEMON[1]}",
                "_AWS_XRAY_DAEMON_ADDRESS": XRAY_DAEMON[0],
                "_AWS_XRAY_DAEMON_PORT": str(XRAY_DAEMON[1]),
                "AWS_ACCESS_KEY_ID": self.credentials.access_key_id,
                "AWS_SECRET_ACCESS_KEY": self.credentials.secret_access_key,
                "AWS_SESSION_TOKEN": self.credentials.session_token,
                # Not set by AWS: points the SDKs inside the function at millpond.
                "AWS_ENDPOINT_URL": self.endpoint_url,
            }
        )
        return env

    async def start(self) -> None:
        port = await self.api.start()
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        self._read_fd = read_fd
        self._started_at = time.perf_counter()
        try:
            self.process = await asyncio.create_subprocess_exec(
                self.interpreter.executable,
                "-s",  # no user site-packages, as on AWS
                "-c",
                BOOTSTRAP,
                self.spec.handler,
                cwd=self.task_root,
                env=self.environ(port),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                start_new_session=True,  # its own process group, so a kill takes its children too
            )
        finally:
            os.close(write_fd)
        self.alive = True
        if self.interpreter.note:
            self._log(f"millpond: {self.interpreter.note}")  # before START, with the init output
        loop = asyncio.get_running_loop()
        loop.add_reader(read_fd, self._on_output)
        watcher = asyncio.create_task(self.process.wait())
        watcher.add_done_callback(self._on_exit)

    def _on_exit(self, task: asyncio.Task[int]) -> None:
        self.alive = False
        if not self.exited.done():
            self.exited.set_result(task.result() if not task.cancelled() else -9)

    async def stop(self) -> None:
        self.alive = False
        process = self.process
        if process is not None and process.returncode is None:
            self._memory_mb = self.max_memory_mb()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.exited), 5)
        self._drain()
        if self._read_fd >= 0:
            asyncio.get_running_loop().remove_reader(self._read_fd)
            os.close(self._read_fd)
            self._read_fd = -1
        if self._status_fd >= 0:
            os.close(self._status_fd)
        self._status_fd = -2  # closed for good: a later REPORT keeps the last figure
        self._flush()
        await self.api.close()
        await asyncio.to_thread(shutil.rmtree, self.tmp_dir, True)

    # -- logs ----------------------------------------------------------------------------------------------

    def _now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    def _log(self, message: str) -> None:
        self._events.append((self._now_ms(), message))
        if self._capture is not None:
            self._capture.append(message + "\n")
            self._capture_bytes += len(message) + 1
            while self._capture_bytes > 2 * TAIL_BYTES and len(self._capture) > 1:
                self._capture_bytes -= len(self._capture.pop(0))
        if len(self._events) >= FLUSH_EVENTS:
            self._flush()

    def _flush(self) -> None:
        if self._events:
            events, self._events = self._events, []
            self._emit(self.spec.log_group, self.stream, events)

    def _on_output(self) -> None:
        try:
            chunk = os.read(self._read_fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            asyncio.get_running_loop().remove_reader(self._read_fd)
            if self._partial:
                self._line(self._partial)
                self._partial = b""
            return
        data = self._partial + chunk
        *lines, self._partial = data.split(b"\n")
        for line in lines:
            self._line(line)
        if len(self._partial) > MAX_EVENT:
            self._line(self._partial)
            self._partial = b""

    def _line(self, raw: bytes) -> None:
        # awslambdaric joins the lines of an error report with \r so that they stay one event.
        self._log(raw[:MAX_EVENT].decode("utf-8", "replace").replace("\r", "\n"))

    def _drain(self) -> None:
        """Read whatever the worker wrote before it answered, so its lines land before END."""
        if self._read_fd < 0:
            return
        while True:
            try:
                chunk = os.read(self._read_fd, 1 << 16)
            except (BlockingIOError, OSError):
                return
            if not chunk:
                return
            data = self._partial + chunk
            *lines, self._partial = data.split(b"\n")
            for line in lines:
                self._line(line)

    def max_memory_mb(self) -> int:
        """The worker's peak resident set (VmHWM), for REPORT's Max Memory Used."""
        if self.process is None or self.process.returncode is not None or self._status_fd == -2:
            return self._memory_mb
        try:
            if self._status_fd == -1:
                self._status_fd = os.open(f"/proc/{self.process.pid}/status", os.O_RDONLY)
            # One pread on a descriptor kept open: a third of the cost of open, read by lines, close.
            status = os.pread(self._status_fd, 8192, 0)
        except OSError:
            return self._memory_mb
        at = status.find(b"VmHWM:")
        if at >= 0:
            self._memory_mb = math.ceil(int(status[at + 6 : status.index(b"kB", at)]) / 1024)
        return self._memory_mb

    # -- invoke --------------------------------------------------------------------------------------------

    async def _wait_init(self) -> bytes | None:
        """Wait until the worker asks for its first event; the init error body if it fails instead."""
        ready = asyncio.ensure_future(self.api.initialized.wait())
        waiting: set[asyncio.Future[Any]] = {ready, self.api.init_error, self.exited}
        try:
            await asyncio.wait(waiting, timeout=INIT_TIMEOUT, return_when="FIRST_COMPLETED")
        finally:
            ready.cancel()
        self._init_ms = (time.perf_counter() - self._started_at) * 1000
        if self.api.initialized.is_set():
            return None
        if self.api.init_error.done():
            return self.api.init_error.result()[0]
        if self.exited.done():
            message = f"Error: {_exit_message(self.exited.result())}"
            return json.dumps({"errorType": "Runtime.ExitError", "errorMessage": message}).encode()
        return json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": "Init timed out"}).encode()

    async def invoke(self, request: InvokeRequest) -> InvokeOutcome:
        spec, rid = self.spec, request.request_id
        self._drain()
        self._flush()  # init output goes before START, as in Lambda
        self._capture, self._capture_bytes = [], 0
        self._log(f"START RequestId: {rid} Version: {spec.version}")
        started = time.perf_counter()
        init_error = await self._wait_init() if self.cold else None
        cold, self.cold = self.cold, False
        if cold:
            started = time.perf_counter()
        payload, failed = b"", False
        if init_error is not None:
            payload, failed = init_error, True
            self._drain()
            await self.stop()
        else:
            payload, failed = await self._run(request, started)
        duration = (time.perf_counter() - started) * 1000
        memory = self.max_memory_mb()
        if self.alive:
            self._drain()
        self._log(f"END RequestId: {rid}")
        report = (
            f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\t"
            f"Billed Duration: {math.ceil(duration)} ms\t"
            f"Memory Size: {spec.memory_size} MB\tMax Memory Used: {memory} MB\t"
        )
        if cold:
            report += f"Init Duration: {self._init_ms:.2f} ms\t"
        self._log(report)
        tail = "".join(self._capture or [])
        self._capture = None
        self._flush()
        self.last_used = time.perf_counter()
        return InvokeOutcome(payload, "Unhandled" if failed else None, tail, not self.alive)

    async def _wait_within_memory(self, pending: set[asyncio.Future[Any]], deadline: float) -> bool:
        """Wait for the first of `pending` until `deadline`; True if the worker outgrew its MemorySize."""
        while (left := deadline - time.perf_counter()) > 0:
            done, _ = await asyncio.wait(
                pending, timeout=min(left, MEMORY_POLL), return_when="FIRST_COMPLETED"
            )
            if done:
                return False
            if self.max_memory_mb() > self.spec.memory_size:
                return True
        return False

    async def _out_of_memory(self, rid: str) -> tuple[bytes, bool]:
        # Lambda kills a function that exceeds its memory: "signal: killed", errorType Runtime.OutOfMemory.
        await self.stop()
        reason = "Runtime exited with error: signal: killed"
        self._log(f"RequestId: {rid} Error: {reason}\nRuntime.OutOfMemory")
        error = {"errorType": "Runtime.OutOfMemory", "errorMessage": f"RequestId: {rid} Error: {reason}"}
        return json.dumps(error).encode(), True

    async def _run(self, request: InvokeRequest, started: float) -> tuple[bytes, bool]:
        spec, rid = self.spec, request.request_id
        invocation = Invocation(
            request_id=rid,
            payload=request.payload,
            # The worker compares this with its own wall clock (context.get_remaining_time_in_millis).
            deadline_ms=int((time.time() + spec.timeout) * 1000),
            invoked_arn=request.invoked_arn,
            trace_id=request.trace_id,
            client_context=request.client_context,
        )
        self.api.submit(invocation)
        deadline = started + spec.timeout
        if await self._wait_within_memory({invocation.outcome, self.exited}, deadline):
            return await self._out_of_memory(rid)
        if invocation.outcome.done():
            kind, body, _ = invocation.outcome.result()
            if kind == "response":
                return body, False
            if kind == "error":
                return body, True
            message = f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE} bytes)."
            return json.dumps(
                {"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"}
            ).encode(), True
        if self.exited.done():
            self._drain()
            reason = _exit_message(self.exited.result())
            self._log(f"RequestId: {rid} Error: {reason}\nRuntime.ExitError")
            await self.stop()
            error = {"errorType": "Runtime.ExitError", "errorMessage": f"RequestId: {rid} Error: {reason}"}
            return json.dumps(error).encode(), True
        self._drain()
        stamp = datetime.fromtimestamp(self.clock.now(), UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        self._log(f"{stamp} {rid} Task timed out after {spec.timeout:.2f} seconds")
        await self.stop()
        message = f"RequestId: {rid} Error: Task timed out after {spec.timeout:.2f} seconds"
        return json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": message}).encode(), True
