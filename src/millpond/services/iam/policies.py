"""Managed policies: customer policies (create, versions, default version, delete) and AWS's own.

A customer policy keeps at most 5 versions, ids never reused (v1, v2, ...); its document is at most 6,144
characters without whitespace. AWS managed policies come from managed_policies.py and cannot be changed.
"""

from __future__ import annotations

from typing import Any

from millpond.clock import Clock
from millpond.errors import AwsError
from millpond.services.iam import common, policy_document
from millpond.services.iam.managed_policies import AWS_MANAGED
from millpond.services.iam.principals import find_policy
from millpond.services.iam.repository import IamRepository, Record

MAX_VERSIONS = 5
MAX_POLICY_SIZE = 6144


def policy_shape(record: Record, attachments: int, *, description: bool = True) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "PolicyName": record["PolicyName"],
        "PolicyId": record["PolicyId"],
        "Arn": record["Arn"],
        "Path": record["Path"],
        "DefaultVersionId": record["DefaultVersionId"],
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": record["CreateDate"],
        "UpdateDate": record["UpdateDate"],
    }
    if description and record.get("Description"):
        shape["Description"] = record["Description"]
    if record.get("Tags"):
        shape["Tags"] = record["Tags"]
    return shape


def version_shape(record: Record, version: Record, *, document: bool = True) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "VersionId": version["VersionId"],
        "IsDefaultVersion": version["VersionId"] == record["DefaultVersionId"],
        "CreateDate": version["CreateDate"],
    }
    if document:
        shape["Document"] = common.url_encoded(version["Document"])
    return shape


def _check_document(document: str) -> None:
    policy_document.parse(document, "identity")
    common.limit_size(document, MAX_POLICY_SIZE, f"Cannot exceed quota for PolicySize: {MAX_POLICY_SIZE}")


class Policies:
    def __init__(self, repository: IamRepository, clock: Clock) -> None:
        self.repo = repository
        self.clock = clock

    def attachments(self, policy_arn: str) -> int:
        return sum(
            policy_arn in record.get("Attached", [])
            for kind in ("role", "user", "group")
            for record in self.repo.scan(kind)
        )

    def load(self, policy_arn: str) -> Record:
        found = find_policy(self.repo, policy_arn)
        if found is None:
            raise common.no_such_entity(f"Policy {policy_arn} was not found.")
        return found

    async def create(self, account: str, params: dict[str, Any]) -> dict[str, Any]:
        name = common.check_name("policyName", params.get("PolicyName"), 128)
        path = common.check_path(params.get("Path"))
        document = params.get("PolicyDocument", "")
        _check_document(document)
        now = int(self.clock.now())
        policy_arn = common.arn(account, "policy", path, name)
        record: Record = {
            "PolicyName": name,
            "PolicyId": common.unique_id("ANPA"),
            "Arn": policy_arn,
            "Path": path,
            "Description": params.get("Description"),
            "CreateDate": now,
            "UpdateDate": now,
            "DefaultVersionId": "v1",
            "NextVersion": 2,
            "Versions": [{"VersionId": "v1", "Document": document, "CreateDate": now}],
            "Tags": common.check_tags(params.get("Tags"), "Policy"),
        }

        def create(current: Record | None) -> Record:
            if current is not None:
                raise AwsError(
                    "EntityAlreadyExistsException",
                    f"A policy called {name} already exists. Duplicate names are not allowed.",
                )
            return record

        if any(p["PolicyName"].lower() == name.lower() for p in self.repo.scan("policy")):
            create(record)
        await self.repo.update("policy", policy_arn.lower(), create)
        # CreatePolicy's answer leaves out the description; GetPolicy has it.
        return {"Policy": policy_shape(record, 0, description=False)}

    def get(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self.load(params["PolicyArn"])
        return {"Policy": policy_shape(record, self.attachments(record["Arn"]))}

    def list_all(self, params: dict[str, Any]) -> dict[str, Any]:
        scope = params.get("Scope") or "All"
        found: list[Record] = []
        if scope in ("All", "AWS"):
            found += sorted(AWS_MANAGED.values(), key=lambda p: p["PolicyName"])
        if scope in ("All", "Local"):
            found += self.repo.scan("policy")
        shapes = []
        for record in common.with_prefix(found, params.get("PathPrefix")):
            count = self.attachments(record["Arn"])
            if params.get("OnlyAttached") and not count:
                continue
            shapes.append(policy_shape(record, count, description=False))
        return common.paginate(shapes, params, "Policies")

    def _version(self, record: Record, version_id: str) -> Record:
        for version in record["Versions"]:
            if version["VersionId"] == version_id:
                return version
        raise common.no_such_entity(
            f"Policy {record['Arn']} version {version_id} does not exist or is not attachable."
        )

    def get_version(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self.load(params["PolicyArn"])
        return {"PolicyVersion": version_shape(record, self._version(record, params["VersionId"]))}

    def list_versions(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self.load(params["PolicyArn"])
        versions = [version_shape(record, v, document=False) for v in reversed(record["Versions"])]
        return common.paginate(versions, params, "Versions")

    async def _change(self, policy_arn: str, fn: Any) -> Record:
        if policy_arn.lower() in AWS_MANAGED:
            raise AwsError(
                "AccessDenied", f"Policy {policy_arn} is an AWS managed policy and cannot be changed.", 403
            )

        def change(record: Record | None) -> Record | None:
            if record is None:
                raise common.no_such_entity(f"Policy {policy_arn} was not found.")
            return fn(record)

        stored = await self.repo.update("policy", policy_arn.lower(), change)
        return stored or {}

    async def create_version(self, params: dict[str, Any]) -> dict[str, Any]:
        document = params.get("PolicyDocument", "")
        _check_document(document)
        now = int(self.clock.now())

        def add(record: Record) -> Record:
            if len(record["Versions"]) >= MAX_VERSIONS:
                raise AwsError(
                    "LimitExceededException",
                    "A managed policy can have up to 5 versions. Before you create a new version, you must "
                    "delete an existing version.",
                )
            version_id = f"v{record['NextVersion']}"
            record["NextVersion"] += 1
            record["Versions"].append({"VersionId": version_id, "Document": document, "CreateDate": now})
            if params.get("SetAsDefault"):
                record["DefaultVersionId"] = version_id
                record["UpdateDate"] = now
            return record

        stored = await self._change(params["PolicyArn"], add)
        return {"PolicyVersion": version_shape(stored, stored["Versions"][-1], document=False)}

    async def set_default_version(self, params: dict[str, Any]) -> dict[str, Any]:
        version_id = params["VersionId"]

        def set_default(record: Record) -> Record:
            self._version(record, version_id)
            record["DefaultVersionId"] = version_id
            record["UpdateDate"] = int(self.clock.now())
            return record

        await self._change(params["PolicyArn"], set_default)
        return {}

    async def delete_version(self, params: dict[str, Any]) -> dict[str, Any]:
        version_id = params["VersionId"]

        def delete(record: Record) -> Record:
            version = self._version(record, version_id)
            if version_id == record["DefaultVersionId"]:
                raise AwsError("DeleteConflictException", "Cannot delete the default version of a policy.")
            record["Versions"].remove(version)
            return record

        await self._change(params["PolicyArn"], delete)
        return {}

    async def delete(self, params: dict[str, Any]) -> dict[str, Any]:
        policy_arn = params["PolicyArn"]
        if self.attachments(policy_arn):
            raise AwsError("DeleteConflictException", "Cannot delete a policy attached to entities.")

        def delete(record: Record) -> None:
            if len(record["Versions"]) > 1:
                raise AwsError(
                    "DeleteConflictException",
                    "This policy has more than one version. Before you delete a policy, you must delete the "
                    "policy's versions. The default version is deleted with the policy.",
                )
            return None

        await self._change(policy_arn, delete)
        return {}

    def default_document(self, policy_arn: str) -> str | None:
        record = find_policy(self.repo, policy_arn)
        if record is None:
            return None
        return str(self._version(record, record["DefaultVersionId"])["Document"])
