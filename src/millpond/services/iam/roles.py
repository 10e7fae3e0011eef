"""IAM roles: create, read, update, delete, trust policies and tags (policies live in principals.py)."""

from __future__ import annotations

from typing import Any

from millpond.clock import Clock
from millpond.errors import AwsError
from millpond.services.iam import common, policy_document
from millpond.services.iam.principals import ROLE, check_deletable, load
from millpond.services.iam.repository import IamRepository, Record

MIN_SESSION, MAX_SESSION = 3600, 43200


def role_shape(record: Record, *, full: bool = True) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "Path": record["Path"],
        "RoleName": record["RoleName"],
        "RoleId": record["RoleId"],
        "Arn": record["Arn"],
        "CreateDate": record["CreateDate"],
        "AssumeRolePolicyDocument": common.url_encoded(record["AssumeRolePolicyDocument"]),
        "MaxSessionDuration": record["MaxSessionDuration"],
    }
    if record.get("Description"):
        shape["Description"] = record["Description"]
    if full:
        # ListRoles leaves out tags and last-use; GetRole has both.
        if record.get("Tags"):
            shape["Tags"] = record["Tags"]
        if record.get("PermissionsBoundary"):
            shape["PermissionsBoundary"] = record["PermissionsBoundary"]
        shape["RoleLastUsed"] = {}
    return shape


def _check_duration(value: int | None) -> int:
    duration = MIN_SESSION if value is None else value
    if duration < MIN_SESSION:
        raise common.validation(
            "maxSessionDuration", duration, f"Member must have value greater than or equal to {MIN_SESSION}"
        )
    if duration > MAX_SESSION:
        raise common.validation(
            "maxSessionDuration", duration, f"Member must have value less than or equal to {MAX_SESSION}"
        )
    return duration


def _check_description(value: str | None) -> str | None:
    if value is not None and len(value) > 1000:
        raise common.validation("description", value, "Member must have length less than or equal to 1000")
    return value


class Roles:
    def __init__(self, repository: IamRepository, clock: Clock) -> None:
        self.repo = repository
        self.clock = clock

    def find(self, name: str) -> Record | None:
        return self.repo.get("role", name.lower())

    async def create(self, account: str, params: dict[str, Any]) -> dict[str, Any]:
        name = common.check_name("roleName", params.get("RoleName"))
        path = common.check_path(params.get("Path"))
        document = params.get("AssumeRolePolicyDocument", "")
        policy_document.parse(document, "trust")
        record: Record = {
            "RoleName": name,
            "RoleId": common.unique_id("AROA"),
            "Arn": common.arn(account, "role", path, name),
            "Path": path,
            "CreateDate": int(self.clock.now()),
            "AssumeRolePolicyDocument": document,
            "Description": _check_description(params.get("Description")),
            "MaxSessionDuration": _check_duration(params.get("MaxSessionDuration")),
            "Tags": common.check_tags(params.get("Tags"), "Role"),
            "Attached": [],
            "Inline": {},
            **common.boundary(params.get("PermissionsBoundary")),
        }

        def create(current: Record | None) -> Record:
            if current is not None:
                raise AwsError("EntityAlreadyExistsException", f"Role with name {name} already exists.")
            return record

        await self.repo.update("role", name.lower(), create)
        return {"Role": role_shape(record)}

    def get(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"Role": role_shape(load(self.repo, ROLE, params.get("RoleName", "")))}

    def list_all(self, params: dict[str, Any]) -> dict[str, Any]:
        roles = common.with_prefix(self.repo.scan("role"), params.get("PathPrefix"))
        return common.paginate([role_shape(r, full=False) for r in roles], params, "Roles")

    async def _change(self, name: str, fn: Any) -> Record:
        def change(record: Record | None) -> Record:
            if record is None:
                raise ROLE.not_found(name)
            fn(record)
            return record

        stored = await self.repo.update("role", name.lower(), change)
        assert stored is not None
        return stored

    async def update(self, params: dict[str, Any]) -> dict[str, Any]:
        description = _check_description(params.get("Description"))
        duration = params.get("MaxSessionDuration")
        if duration is not None:
            _check_duration(duration)

        def apply(record: Record) -> None:
            if description is not None:
                record["Description"] = description
            if duration is not None:
                record["MaxSessionDuration"] = duration

        await self._change(params.get("RoleName", ""), apply)
        return {}

    async def update_description(self, params: dict[str, Any]) -> dict[str, Any]:
        description = _check_description(params.get("Description", ""))
        stored = await self._change(params.get("RoleName", ""), lambda r: r.update(Description=description))
        return {"Role": role_shape(stored)}

    async def update_assume_role_policy(self, params: dict[str, Any]) -> dict[str, Any]:
        document = params.get("PolicyDocument", "")
        policy_document.parse(document, "trust")
        await self._change(params.get("RoleName", ""), lambda r: r.update(AssumeRolePolicyDocument=document))
        return {}

    async def delete(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("RoleName", "")

        def delete(record: Record | None) -> None:
            if record is None:
                raise ROLE.not_found(name)
            check_deletable(ROLE, record)

        await self.repo.update("role", name.lower(), delete)
        return {}

    async def tag(self, params: dict[str, Any]) -> dict[str, Any]:
        tags = common.check_tags(params.get("Tags"), "Role")
        await self._change(
            params.get("RoleName", ""),
            lambda r: r.update(Tags=common.merge_tags(r.get("Tags", []), tags, "Role")),
        )
        return {}

    async def untag(self, params: dict[str, Any]) -> dict[str, Any]:
        keys = params.get("TagKeys", [])
        await self._change(
            params.get("RoleName", ""), lambda r: r.update(Tags=common.remove_tags(r.get("Tags", []), keys))
        )
        return {}

    def list_tags(self, params: dict[str, Any]) -> dict[str, Any]:
        return common.paginate(
            load(self.repo, ROLE, params.get("RoleName", "")).get("Tags", []), params, "Tags"
        )
