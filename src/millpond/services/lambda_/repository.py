"""What Lambda needs from storage: functions, versions, aliases, code archives and queued async events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class FunctionRecord:
    name: str
    config: dict[str, Any]  # the $LATEST configuration document, as GetFunctionConfiguration returns it
    tags: dict[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    policy: list[dict[str, Any]] = field(default_factory=list)  # resource policy statements
    event_invoke_configs: dict[str, dict[str, Any]] = field(default_factory=dict)  # by qualifier
    url_configs: dict[str, dict[str, Any]] = field(default_factory=dict)  # function URLs, by qualifier
    last_version: int = 0  # the number PublishVersion handed out last
    published_revision: str | None = None  # $LATEST's RevisionId when a version was last published


@dataclass(frozen=True, slots=True)
class AsyncEvent:
    id: str
    name: str
    qualifier: str
    payload: bytes
    attempts: int  # attempts made so far
    received_at: float
    next_at: float


class LambdaRepository(Protocol):
    async def create_function(self, record: FunctionRecord, code: bytes) -> bool:
        """False if a function of that name exists."""
        ...

    def get_function(self, name: str) -> FunctionRecord | None: ...

    def list_functions(self) -> list[FunctionRecord]: ...

    async def update_function(
        self, name: str, change: Callable[[FunctionRecord], T], code: bytes | None = None
    ) -> T | None:
        """Run `change` on the stored record inside one write and save it; None if no such function.

        `change` runs on the writer thread; an exception it raises rolls the write back and reaches the
        caller. `code`, when given, is stored under the record's CodeSha256 in the same transaction.
        """
        ...

    async def delete_function(self, name: str) -> bool: ...

    def get_code(self, sha256: str) -> bytes | None: ...

    async def publish_version(
        self, name: str, make: Callable[[FunctionRecord, dict[str, Any] | None], dict[str, Any] | None]
    ) -> dict[str, Any] | None:
        """`make(record, newest published config)` returns the version's config to store, or None to
        hand back the newest one unchanged. Returns None if there is no such function."""
        ...

    def get_version(self, name: str, version: int) -> dict[str, Any] | None: ...

    def list_versions(self, name: str) -> list[dict[str, Any]]: ...

    async def delete_version(self, name: str, version: int) -> bool: ...

    async def put_alias(self, name: str, alias: str, document: dict[str, Any], *, create: bool) -> bool:
        """Create (False if it exists) or replace (False if it does not) an alias."""
        ...

    def get_alias(self, name: str, alias: str) -> dict[str, Any] | None: ...

    def list_aliases(self, name: str) -> list[dict[str, Any]]: ...

    async def delete_alias(self, name: str, alias: str) -> bool: ...

    async def enqueue_event(self, event: AsyncEvent) -> None: ...

    def due_events(self, now: float, limit: int) -> list[AsyncEvent]: ...

    def next_event_time(self) -> float | None: ...

    async def reschedule_event(self, event_id: str, attempts: int, next_at: float) -> None: ...

    async def finish_event(self, event_id: str) -> None: ...
