"""IAM users, their access keys, and groups (membership, CRUD). Policies live in principals.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from millpond.clock import Clock
from millpond.errors import AwsError
from millpond.services.iam import common
from millpond.services.iam.principals import GROUP, USER, check_deletable, load
from millpond.services.iam.repository import IamRepository, Record

MAX_ACCESS_KEYS = 2


def user_shape(record: Record, *, tags: bool = True) -> dict[str, Any]:
    shape = {k: record[k] for k in ("Path", "UserName", "UserId", "Arn", "CreateDate")}
    if tags and record.get("Tags"):
        shape["Tags"] = record["Tags"]
    if tags and record.get("PermissionsBoundary"):
        shape["PermissionsBoundary"] = record["PermissionsBoundary"]
    return shape


def group_shape(record: Record) -> dict[str, Any]:
    return {k: record[k] for k in ("Path", "GroupName", "GroupId", "Arn", "CreateDate")}


def key_shape(record: Record) -> dict[str, Any]:
    return {k: record[k] for k in ("UserName", "AccessKeyId", "Status", "CreateDate")}


def _renamed(key: Record, user_name: str) -> Callable[[Record | None], Record]:
    return lambda current: {**(current or key), "UserName": user_name}


class Users:
    def __init__(self, repository: IamRepository, clock: Clock) -> None:
        self.repo = repository
        self.clock = clock

    # -- users ---------------------------------------------------------------------------------------------

    async def create(self, account: str, params: dict[str, Any]) -> dict[str, Any]:
        name = common.check_name("userName", params.get("UserName"))
        path = common.check_path(params.get("Path"))
        record: Record = {
            "UserName": name,
            "UserId": common.unique_id("AIDA"),
            "Arn": common.arn(account, "user", path, name),
            "Path": path,
            "CreateDate": int(self.clock.now()),
            "Tags": common.check_tags(params.get("Tags"), "User"),
            "Attached": [],
            "Inline": {},
            **common.boundary(params.get("PermissionsBoundary")),
        }

        def create(current: Record | None) -> Record:
            if current is not None:
                raise AwsError("EntityAlreadyExistsException", f"User with name {name} already exists.")
            return record

        await self.repo.update("user", name.lower(), create)
        return {"User": user_shape(record)}

    def get(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"User": user_shape(load(self.repo, USER, params["UserName"]))}

    def list_all(self, params: dict[str, Any]) -> dict[str, Any]:
        users = common.with_prefix(self.repo.scan("user"), params.get("PathPrefix"))
        return common.paginate([user_shape(u, tags=False) for u in users], params, "Users")

    async def _change(self, kind: str, name: str, fn: Any) -> Record:
        missing = USER if kind == "user" else GROUP

        def change(record: Record | None) -> Record:
            if record is None:
                raise missing.not_found(name)
            fn(record)
            return record

        stored = await self.repo.update(kind, name.lower(), change)
        assert stored is not None
        return stored

    async def update(self, account: str, params: dict[str, Any]) -> dict[str, Any]:
        name = params["UserName"]
        record = load(self.repo, USER, name)
        new_name = common.check_name("newUserName", params.get("NewUserName") or record["UserName"])
        new_path = common.check_path(params.get("NewPath") or record["Path"], "newPath")
        if new_name.lower() != name.lower() and self.repo.get("user", new_name.lower()) is not None:
            raise AwsError("EntityAlreadyExistsException", f"User with name {new_name} already exists.")
        renamed = {
            **record,
            "UserName": new_name,
            "Path": new_path,
            "Arn": common.arn(account, "user", new_path, new_name),
        }
        await self.repo.update("user", name.lower(), lambda _: None)
        await self.repo.update("user", new_name.lower(), lambda _: renamed)
        for key in self.repo.scan("access_key"):
            if key["UserName"].lower() == name.lower():
                await self.repo.update("access_key", key["AccessKeyId"], _renamed(key, new_name))
        for group in self.repo.scan("group"):
            if name in group.get("Members", []):
                members = [new_name if m == name else m for m in group["Members"]]
                await self._change("group", group["GroupName"], lambda g, m=members: g.update(Members=m))
        return {}

    async def delete(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["UserName"]
        if any(k["UserName"].lower() == name.lower() for k in self.repo.scan("access_key")):
            raise AwsError("DeleteConflictException", "Cannot delete entity, must delete access keys first.")
        if any(name in g.get("Members", []) for g in self.repo.scan("group")):
            raise AwsError(
                "DeleteConflictException", "Cannot delete entity, must remove users from group first."
            )

        def delete(record: Record | None) -> None:
            if record is None:
                raise USER.not_found(name)
            check_deletable(USER, record)

        await self.repo.update("user", name.lower(), delete)
        return {}

    async def tag(self, params: dict[str, Any]) -> dict[str, Any]:
        tags = common.check_tags(params.get("Tags"), "User")
        await self._change(
            "user",
            params["UserName"],
            lambda r: r.update(Tags=common.merge_tags(r.get("Tags", []), tags, "User")),
        )
        return {}

    async def untag(self, params: dict[str, Any]) -> dict[str, Any]:
        keys = params.get("TagKeys", [])
        await self._change(
            "user", params["UserName"], lambda r: r.update(Tags=common.remove_tags(r.get("Tags", []), keys))
        )
        return {}

    def list_tags(self, params: dict[str, Any]) -> dict[str, Any]:
        return common.paginate(load(self.repo, USER, params["UserName"]).get("Tags", []), params, "Tags")

    # -- access keys ---------------------------------------------------------------------------------------

    def find_key(self, access_key_id: str) -> Record | None:
        return self.repo.get("access_key", access_key_id)

    def keys_of(self, name: str) -> list[Record]:
        return [k for k in self.repo.scan("access_key") if k["UserName"].lower() == name.lower()]

    async def create_key(self, name: str) -> dict[str, Any]:
        user = load(self.repo, USER, name)
        if len(self.keys_of(name)) >= MAX_ACCESS_KEYS:
            raise AwsError(
                "LimitExceededException", f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS}"
            )
        record: Record = {
            "UserName": user["UserName"],
            "AccessKeyId": common.access_key_id(),
            "SecretAccessKey": common.secret_access_key(),
            "Status": "Active",
            "CreateDate": int(self.clock.now()),
        }
        await self.repo.update("access_key", record["AccessKeyId"], lambda _: record)
        return {"AccessKey": {**key_shape(record), "SecretAccessKey": record["SecretAccessKey"]}}

    def list_keys(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        load(self.repo, USER, name)
        return common.paginate([key_shape(k) for k in self.keys_of(name)], params, "AccessKeyMetadata")

    def _key_of(self, name: str, access_key_id: str) -> Record:
        key = self.find_key(access_key_id)
        if key is None or key["UserName"].lower() != name.lower():
            raise common.no_such_entity(f"The Access Key with id {access_key_id} cannot be found.")
        return key

    async def update_key(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        status = params.get("Status")
        if status not in ("Active", "Inactive"):
            raise common.validation(
                "status", status, "Member must satisfy enum value set: [Active, Inactive]"
            )
        key = self._key_of(name, params["AccessKeyId"])
        await self.repo.update("access_key", key["AccessKeyId"], lambda k: {**(k or key), "Status": status})
        return {}

    async def delete_key(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        key = self._key_of(name, params["AccessKeyId"])
        await self.repo.update("access_key", key["AccessKeyId"], lambda _: None)
        return {}

    # -- groups --------------------------------------------------------------------------------------------

    async def create_group(self, account: str, params: dict[str, Any]) -> dict[str, Any]:
        name = common.check_name("groupName", params.get("GroupName"), 128)
        path = common.check_path(params.get("Path"))
        record: Record = {
            "GroupName": name,
            "GroupId": common.unique_id("AGPA"),
            "Arn": common.arn(account, "group", path, name),
            "Path": path,
            "CreateDate": int(self.clock.now()),
            "Members": [],
            "Attached": [],
            "Inline": {},
        }

        def create(current: Record | None) -> Record:
            if current is not None:
                raise AwsError("EntityAlreadyExistsException", f"Group with name {name} already exists.")
            return record

        await self.repo.update("group", name.lower(), create)
        return {"Group": group_shape(record)}

    def get_group(self, params: dict[str, Any]) -> dict[str, Any]:
        group = load(self.repo, GROUP, params["GroupName"])
        users = [
            user_shape(u, tags=False)
            for name in group.get("Members", [])
            if (u := self.repo.get("user", name.lower()))
        ]
        return {"Group": group_shape(group), **common.paginate(users, params, "Users")}

    def list_groups(self, params: dict[str, Any]) -> dict[str, Any]:
        groups = common.with_prefix(self.repo.scan("group"), params.get("PathPrefix"))
        return common.paginate([group_shape(g) for g in groups], params, "Groups")

    def groups_for_user(self, params: dict[str, Any]) -> dict[str, Any]:
        user = load(self.repo, USER, params["UserName"])
        groups = [group_shape(g) for g in self.repo.scan("group") if user["UserName"] in g.get("Members", [])]
        return common.paginate(groups, params, "Groups")

    async def add_user(self, params: dict[str, Any]) -> dict[str, Any]:
        user = load(self.repo, USER, params["UserName"])

        def add(group: Record) -> None:
            if user["UserName"] not in group["Members"]:
                group["Members"].append(user["UserName"])

        await self._change("group", params["GroupName"], add)
        return {}

    async def remove_user(self, params: dict[str, Any]) -> dict[str, Any]:
        user = load(self.repo, USER, params["UserName"])

        def remove(group: Record) -> None:
            if user["UserName"] not in group["Members"]:
                raise USER.not_found(params["UserName"])
            group["Members"].remove(user["UserName"])

        await self._change("group", params["GroupName"], remove)
        return {}

    async def delete_group(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["GroupName"]

        def delete(record: Record | None) -> None:
            if record is None:
                raise GROUP.not_found(name)
            if record.get("Members"):
                raise AwsError(
                    "DeleteConflictException", "Cannot delete entity, must remove users from group first."
                )
            check_deletable(GROUP, record)

        await self.repo.update("group", name.lower(), delete)
        return {}
