"""ProcessRuntime: execution environments pooled per function version, reused warm, reaped when idle.

Environments are per-node state: nothing here is durable. Code zips come from the repository through
`code_source`, unpacked once per CodeSha256 under `cache_dir`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import shutil
import tempfile
import time
import zipfile
from collections.abc import Awaitable, Callable
from io import BytesIO
from pathlib import Path

from millpond.clock import Clock
from millpond.services.lambda_.runtime.environment import Environment
from millpond.services.lambda_.runtime.interpreters import Interpreters
from millpond.services.lambda_.runtime.types import (
    Credentials,
    FunctionSpec,
    InvokeOutcome,
    InvokeRequest,
    LogWriter,
    Runtime,
)

log = logging.getLogger("millpond.lambda")

IDLE_SECONDS = 300.0  # default of --lambda-idle-timeout
MAX_IDLE = 32  # default of --lambda-max-idle: idle environments kept, the least recently used go first
MAX_LOG_BACKLOG = 200_000  # events waiting to be stored; beyond it output is dropped, not buffered
# A warm environment whose role session ends within its function's timeout plus this is replaced before
# an invocation, so a handler never holds expired credentials (AWS recycles environments within hours).
CREDENTIALS_MARGIN = 300.0
# Output waits this long, so the write happens after the invoke's answer has gone and carries every
# invocation's lines of that moment in one commit.
LOG_DELAY = 0.01


class ProcessRuntime(Runtime):
    def __init__(
        self,
        clock: Clock,
        code_source: Callable[[str], bytes | None],
        cache_dir: Path | None,
        endpoint_url: str,
        credentials: Callable[[FunctionSpec], Awaitable[Credentials]],
        log_writer: LogWriter,
        *,
        idle_seconds: float = IDLE_SECONDS,
        max_idle: int = MAX_IDLE,
        interpreters: Interpreters | None = None,
    ) -> None:
        self.clock = clock
        self.code_source = code_source
        self._own_cache = cache_dir is None
        self.cache_dir = cache_dir or Path(tempfile.mkdtemp(prefix="millpond-lambda-"))
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        # Each environment's private /tmp; what a killed server left behind goes at start.
        self.tmp_parent = self.cache_dir / "tmp"
        shutil.rmtree(self.tmp_parent, ignore_errors=True)
        self.tmp_parent.mkdir()
        self.interpreters = interpreters or Interpreters(self.cache_dir)
        self.endpoint_url = endpoint_url
        self.credentials = credentials
        self.log_writer = log_writer
        self.idle_seconds = idle_seconds
        self.max_idle = max_idle
        self._idle: dict[tuple[str, str, str], list[Environment]] = {}
        self._busy: set[Environment] = set()
        self._unpacking: dict[str, asyncio.Task[Path]] = {}
        self._logs: list[tuple[str, str, list[tuple[int, str]]]] = []
        self._logs_due: asyncio.Event | None = None  # set when LOG_DELAY has passed since output came
        self._logs_timer: asyncio.TimerHandle | None = None
        self._backlog = 0
        self._tasks: list[asyncio.Task[None]] = []

    # -- Runtime -------------------------------------------------------------------------------------------

    async def invoke(self, spec: FunctionSpec, request: InvokeRequest) -> InvokeOutcome:
        self._ensure_tasks()
        env = self._take_idle(spec) or await self._start(spec)
        self._busy.add(env)
        try:
            return await env.invoke(request)
        finally:
            self._busy.discard(env)
            if env.alive and not env.retired:
                self._idle.setdefault(spec.key, []).append(env)
                if sum(map(len, self._idle.values())) > self.max_idle:
                    self._trim()
            elif env.alive:
                await env.stop()

    async def discard(self, name: str) -> None:
        for key in [k for k in self._idle if k[0] == name]:
            for env in self._idle.pop(key):
                await env.stop()
        for env in self._busy:
            if env.spec.name == name:
                env.retired = True

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        environments = [env for envs in self._idle.values() for env in envs] + list(self._busy)
        self._idle = {}
        for env in environments:
            env.retired = True
            await env.stop()
        await self._drain_logs()
        if self._own_cache:
            shutil.rmtree(self.cache_dir, ignore_errors=True)

    async def reset(self) -> None:
        """Stop every environment (between tests); the code cache stays."""
        for key in list(self._idle):
            for env in self._idle.pop(key):
                await env.stop()
        for env in self._busy:
            env.retired = True

    # -- environments --------------------------------------------------------------------------------------

    def _take_idle(self, spec: FunctionSpec) -> Environment | None:
        """The most recently used warm environment of this version whose credentials outlast the call."""
        idle = self._idle.get(spec.key)
        horizon = self.clock.now() + spec.timeout + CREDENTIALS_MARGIN
        while idle:
            env = idle.pop()
            expiration = env.credentials.expiration
            if expiration is None or expiration > horizon:
                return env
            self._tasks.append(asyncio.create_task(env.stop()))
        return None

    async def _start(self, spec: FunctionSpec) -> Environment:
        task_root = await self._task_root(spec.code_sha256)
        opt_root = await self._opt_root(spec.layers) if spec.layers else None
        interpreter = await self.interpreters.interpreter(spec.runtime)
        credentials = await self.credentials(spec)
        env = Environment(
            spec,
            task_root,
            self.endpoint_url,
            credentials,
            self.clock,
            self._emit,
            interpreter,
            self.tmp_parent,
            opt_root,
        )
        await env.start()
        return env

    async def _task_root(self, sha256: str) -> Path:
        return await self._unpacked(sha256, _folder_name(sha256), (sha256,))

    async def _opt_root(self, layers: tuple[str, ...]) -> Path:
        """The layers extracted in order into one folder (a later layer's files win, as in /opt)."""
        key = "opt-" + hashlib.sha256("\n".join(layers).encode()).hexdigest()[:32]
        return await self._unpacked(key, key, layers)

    async def _unpacked(self, key: str, name: str, archives: tuple[str, ...]) -> Path:
        folder = self.cache_dir / name
        if folder.is_dir():
            return folder
        task = self._unpacking.get(key)
        if task is None:
            codes = [self.code_source(sha256) for sha256 in archives]
            if any(code is None for code in codes):
                raise RuntimeError(f"code {archives} is missing")
            task = asyncio.ensure_future(asyncio.to_thread(_unpack, [c for c in codes if c], folder))
            self._unpacking[key] = task
        try:
            return await asyncio.shield(task)
        finally:
            self._unpacking.pop(key, None)

    def _trim(self) -> None:
        idle = sorted((env.last_used, id(env), env) for envs in self._idle.values() for env in envs)
        excess = len(idle) - self.max_idle
        for _, _, env in idle[: max(excess, 0)]:
            self._idle[env.spec.key].remove(env)
            self._tasks.append(asyncio.create_task(env.stop()))

    def _ensure_tasks(self) -> None:
        if self._logs_due is None:
            self._logs_due = asyncio.Event()
            self._tasks.append(asyncio.create_task(self._write_logs()))
            self._tasks.append(asyncio.create_task(self._reap()))
        self._tasks = [t for t in self._tasks if not t.done() or t.cancelled()]

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(min(5.0, self.idle_seconds))
            cutoff = time.perf_counter() - self.idle_seconds
            for key, envs in list(self._idle.items()):
                for env in [e for e in envs if e.last_used < cutoff or not e.alive]:
                    envs.remove(env)
                    await env.stop()
                if not envs:
                    self._idle.pop(key, None)

    # -- logs ----------------------------------------------------------------------------------------------

    def _emit(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        if self._logs_due is None:
            self._ensure_tasks()
        assert self._logs_due is not None
        if self._backlog > MAX_LOG_BACKLOG:
            return  # a function flooding its output loses lines rather than the server its memory
        self._backlog += len(events)
        self._logs.append((group, stream, events))
        if self._logs_timer is None:
            self._logs_timer = asyncio.get_running_loop().call_later(LOG_DELAY, self._logs_due.set)

    async def _write_logs(self) -> None:
        assert self._logs_due is not None
        while True:
            await self._logs_due.wait()
            self._logs_due.clear()
            self._logs_timer = None
            await self._store_pending()

    async def _store_pending(self) -> None:
        """Store the output gathered so far: one write per stream, all of them in one commit group."""
        batches, self._logs = self._logs, []
        streams: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for group, stream, events in batches:
            streams.setdefault((group, stream), []).extend(events)
        await asyncio.gather(
            *(self._store(group, stream, events) for (group, stream), events in streams.items())
        )

    async def _store(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        self._backlog -= len(events)
        try:
            await self.log_writer(group, stream, events)
        except Exception:
            log.exception("could not store %d log events for %s", len(events), group)

    async def _drain_logs(self) -> None:
        if self._logs_timer is not None:
            self._logs_timer.cancel()
            self._logs_timer = None
        while self._logs:
            await self._store_pending()


def _folder_name(sha256: str) -> str:
    return sha256.replace("/", "_").replace("+", "-").rstrip("=")


def _unpack(codes: list[bytes], folder: Path) -> Path:
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=folder.parent))
    for code in codes:
        with zipfile.ZipFile(BytesIO(code)) as archive:
            archive.extractall(staging)
    try:
        staging.rename(folder)
    except OSError:  # another unpack of the same code won
        shutil.rmtree(staging, ignore_errors=True)
    return folder
