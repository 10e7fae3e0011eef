"""The lifecycle every smaller IAM entity shares (instance profiles, identity providers, MFA devices,
certificates, keys): create once, change atomically, delete, and tags, over the repository's records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from millpond.errors import AwsError
from millpond.services.iam import common
from millpond.services.iam.repository import IamRepository, Record


class Entities:
    """One kind of record: `kind` in the repository, `title` in IAM's messages and tag quotas."""

    def __init__(self, repo: IamRepository, kind: str, title: str, missing: Callable[[str], str]) -> None:
        self.repo = repo
        self.kind = kind
        self.title = title
        self.missing = missing  # name -> the NoSuchEntity message

    def load(self, key: str) -> Record:
        found = self.repo.get(self.kind, key.lower())
        if found is None:
            raise common.no_such_entity(self.missing(key))
        return found

    def all(self) -> list[Record]:
        return self.repo.scan(self.kind)

    async def create(self, key: str, record: Record, exists: str) -> Record:
        def create(current: Record | None) -> Record:
            if current is not None:
                raise AwsError("EntityAlreadyExistsException", exists)
            return record

        await self.repo.update(self.kind, key.lower(), create)
        return record

    async def change(self, key: str, fn: Callable[[Record], None]) -> Record:
        def change(current: Record | None) -> Record:
            if current is None:
                raise common.no_such_entity(self.missing(key))
            fn(current)
            return current

        stored = await self.repo.update(self.kind, key.lower(), change)
        assert stored is not None
        return stored

    async def delete(self, key: str, check: Callable[[Record], None] | None = None) -> None:
        def delete(current: Record | None) -> None:
            if current is None:
                raise common.no_such_entity(self.missing(key))
            if check is not None:
                check(current)

        await self.repo.update(self.kind, key.lower(), delete)

    async def tag(self, key: str, tags: list[dict[str, str]] | None) -> dict[str, Any]:
        checked = common.check_tags(tags, self.title)
        await self.change(
            key, lambda r: r.update(Tags=common.merge_tags(r.get("Tags", []), checked, self.title))
        )
        return {}

    async def untag(self, key: str, keys: list[str] | None) -> dict[str, Any]:
        await self.change(key, lambda r: r.update(Tags=common.remove_tags(r.get("Tags", []), keys or [])))
        return {}

    def list_tags(self, key: str, params: dict[str, Any]) -> dict[str, Any]:
        return common.paginate(self.load(key).get("Tags", []), params, "Tags")
