"""A per-node cache in front of the Lambda repository: function records, published versions and aliases.

Every invoke resolves its function, and reading the record means a SQLite read and a JSON decode of the whole
document; the cache keeps the decoded objects instead. Every write goes through this wrapper, which drops the
function's entries once the write is committed, and `clear` drops everything (reset). Callers must treat what
it returns as read-only: changes go through the repository's write methods.

Per-node state: when several nodes share one database, another node's writes will need a notification that
calls `invalidate` (no such nodes yet).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from millpond.services.lambda_.repository import AsyncEvent, FunctionRecord, LambdaRepository

T = TypeVar("T")


class CachedLambdaRepository(LambdaRepository):
    def __init__(self, inner: LambdaRepository) -> None:
        self.inner = inner
        self._functions: dict[str, FunctionRecord] = {}
        self._versions: dict[tuple[str, int], dict[str, Any]] = {}
        self._aliases: dict[tuple[str, str], dict[str, Any]] = {}

    def invalidate(self, name: str) -> None:
        """Forget everything cached about function `name`."""
        self._functions.pop(name, None)
        for version in [key for key in self._versions if key[0] == name]:
            del self._versions[version]
        for alias in [key for key in self._aliases if key[0] == name]:
            del self._aliases[alias]

    def clear(self) -> None:
        self._functions.clear()
        self._versions.clear()
        self._aliases.clear()

    # -- cached reads (hits only: a missing function is looked up again next time) -------------------------

    def get_function(self, name: str) -> FunctionRecord | None:
        record = self._functions.get(name)
        if record is None:
            record = self.inner.get_function(name)
            if record is not None:
                self._functions[name] = record
        return record

    def get_version(self, name: str, version: int) -> dict[str, Any] | None:
        config = self._versions.get((name, version))
        if config is None:
            config = self.inner.get_version(name, version)
            if config is not None:
                self._versions[(name, version)] = config
        return config

    def get_alias(self, name: str, alias: str) -> dict[str, Any] | None:
        document = self._aliases.get((name, alias))
        if document is None:
            document = self.inner.get_alias(name, alias)
            if document is not None:
                self._aliases[(name, alias)] = document
        return document

    # -- writes: drop the function's entries once committed ------------------------------------------------

    async def create_function(self, record: FunctionRecord, code: bytes) -> bool:
        try:
            return await self.inner.create_function(record, code)
        finally:
            self.invalidate(record.name)

    async def update_function(
        self, name: str, change: Callable[[FunctionRecord], T], code: bytes | None = None
    ) -> T | None:
        try:
            return await self.inner.update_function(name, change, code)
        finally:
            self.invalidate(name)

    async def delete_function(self, name: str) -> bool:
        try:
            return await self.inner.delete_function(name)
        finally:
            self.invalidate(name)

    async def publish_version(
        self, name: str, make: Callable[[FunctionRecord, dict[str, Any] | None], dict[str, Any] | None]
    ) -> dict[str, Any] | None:
        try:
            return await self.inner.publish_version(name, make)
        finally:
            self.invalidate(name)

    async def delete_version(self, name: str, version: int) -> bool:
        try:
            return await self.inner.delete_version(name, version)
        finally:
            self.invalidate(name)

    async def put_alias(self, name: str, alias: str, document: dict[str, Any], *, create: bool) -> bool:
        try:
            return await self.inner.put_alias(name, alias, document, create=create)
        finally:
            self.invalidate(name)

    async def delete_alias(self, name: str, alias: str) -> bool:
        try:
            return await self.inner.delete_alias(name, alias)
        finally:
            self.invalidate(name)

    # -- passed through ------------------------------------------------------------------------------------

    def list_functions(self) -> list[FunctionRecord]:
        return self.inner.list_functions()

    def get_code(self, sha256: str) -> bytes | None:
        return self.inner.get_code(sha256)

    def list_versions(self, name: str) -> list[dict[str, Any]]:
        return self.inner.list_versions(name)

    def list_aliases(self, name: str) -> list[dict[str, Any]]:
        return self.inner.list_aliases(name)

    async def enqueue_event(self, event: AsyncEvent) -> None:
        await self.inner.enqueue_event(event)

    def due_events(self, now: float, limit: int) -> list[AsyncEvent]:
        return self.inner.due_events(now, limit)

    def next_event_time(self) -> float | None:
        return self.inner.next_event_time()

    async def reschedule_event(self, event_id: str, attempts: int, next_at: float) -> None:
        await self.inner.reschedule_event(event_id, attempts, next_at)

    async def finish_event(self, event_id: str) -> None:
        await self.inner.finish_event(event_id)
