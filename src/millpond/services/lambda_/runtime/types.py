"""The values passed between Lambda's invoke logic and its execution environments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

# (log group, log stream, [(epoch ms, message)]) -> stored in CloudWatch Logs.
LogWriter = Callable[[str, str, list[tuple[int, str]]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """What an environment needs to run one version of a function."""

    name: str
    version: str  # "$LATEST" or "1", "2", ...
    function_arn: str  # unqualified
    handler: str
    runtime: str
    timeout: int  # seconds
    memory_size: int  # MB
    code_sha256: str
    revision_id: str
    log_group: str
    region: str
    role: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    layers: tuple[str, ...] = ()  # the CodeSha256 of each layer, in the function's order

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.name, self.version, self.revision_id)


@dataclass(frozen=True, slots=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: float | None = None  # clock time the session ends (None: never)


@dataclass(slots=True)
class InvokeRequest:
    request_id: str
    payload: bytes
    invoked_arn: str
    client_context: str | None = None
    trace_id: str = ""


@dataclass(slots=True)
class InvokeOutcome:
    payload: bytes
    function_error: str | None  # "Unhandled" when the function failed
    log_tail: str  # the invocation's log, START to REPORT
    environment_replaced: bool = False  # the environment died (timeout, crash) and was discarded


class Runtime(Protocol):
    """Runs invocations in execution environments (the worker processes behind a small interface)."""

    async def invoke(self, spec: FunctionSpec, request: InvokeRequest) -> InvokeOutcome: ...

    async def discard(self, name: str) -> None:
        """Stop the environments of every version of `name` (code or configuration changed, deleted)."""
        ...

    async def close(self) -> None: ...
