"""IAM instance profiles: a container for one role (CloudFormation and the CDK make them for compute), with
the rule that a role in a profile cannot be deleted until it is removed from it."""

from __future__ import annotations

from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.iam import common
from millpond.services.iam.entities import Entities
from millpond.services.iam.principals import ROLE, load
from millpond.services.iam.repository import IamRepository, Record
from millpond.services.iam.roles import role_shape

Params = dict[str, Any]


class InstanceProfileOperations:
    repository: IamRepository
    clock: Clock

    @property
    def _profiles(self) -> Entities:
        return Entities(
            self.repository,
            "instance_profile",
            "InstanceProfile",
            lambda name: f"Instance Profile {name} cannot be found.",
        )

    def _profile_shape(self, record: Record) -> dict[str, Any]:
        roles = [self.repository.get("role", name.lower()) for name in record.get("Roles", [])]
        shape = {
            "Path": record["Path"],
            "InstanceProfileName": record["InstanceProfileName"],
            "InstanceProfileId": record["InstanceProfileId"],
            "Arn": record["Arn"],
            "CreateDate": record["CreateDate"],
            "Roles": [role_shape(role, full=False) for role in roles if role is not None],
        }
        if record.get("Tags"):
            shape["Tags"] = record["Tags"]
        return shape

    async def create_instance_profile(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        name = common.check_name("instanceProfileName", params.get("InstanceProfileName"), 128)
        path = common.check_path(params.get("Path"))
        record: Record = {
            "InstanceProfileName": name,
            "InstanceProfileId": common.unique_id("AIPA"),
            "Arn": common.arn(ctx.account_id, "instance-profile", path, name),
            "Path": path,
            "CreateDate": int(self.clock.now()),
            "Roles": [],
            "Tags": common.check_tags(params.get("Tags"), "InstanceProfile"),
        }
        await self._profiles.create(name, record, f"Instance Profile {name} already exists.")
        return {"InstanceProfile": self._profile_shape(record)}

    def get_instance_profile(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return {"InstanceProfile": self._profile_shape(self._profiles.load(params["InstanceProfileName"]))}

    def list_instance_profiles(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        found = common.with_prefix(self._profiles.all(), params.get("PathPrefix"))
        return common.paginate([self._profile_shape(r) for r in found], params, "InstanceProfiles")

    def list_instance_profiles_for_role(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        role = load(self.repository, ROLE, params["RoleName"])["RoleName"]
        found = [r for r in self._profiles.all() if role in r.get("Roles", [])]
        return common.paginate([self._profile_shape(r) for r in found], params, "InstanceProfiles")

    async def delete_instance_profile(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        def check(record: Record) -> None:
            if record.get("Roles"):
                raise AwsError(
                    "DeleteConflictException",
                    "Cannot delete entity, must remove roles from instance profile first.",
                )

        await self._profiles.delete(params["InstanceProfileName"], check)
        return {}

    async def add_role_to_instance_profile(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        role = load(self.repository, ROLE, params["RoleName"])["RoleName"]
        name = params["InstanceProfileName"]

        def add(record: Record) -> None:
            if record.get("Roles"):
                # An instance profile holds one role: AWS's quota, not adjustable.
                raise AwsError(
                    "LimitExceededException", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"
                )
            record["Roles"] = [role]

        await self._profiles.change(name, add)
        return {}

    async def remove_role_from_instance_profile(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        role = load(self.repository, ROLE, params["RoleName"])["RoleName"]

        def remove(record: Record) -> None:
            if role not in record.get("Roles", []):
                raise common.no_such_entity(f"The role with name {role} cannot be found.")
            record["Roles"] = [r for r in record["Roles"] if r != role]

        await self._profiles.change(params["InstanceProfileName"], remove)
        return {}

    def role_in_instance_profile(self, role: str) -> bool:
        return any(role in r.get("Roles", []) for r in self._profiles.all())

    async def tag_instance_profile(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._profiles.tag(params["InstanceProfileName"], params.get("Tags"))

    async def untag_instance_profile(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._profiles.untag(params["InstanceProfileName"], params.get("TagKeys"))

    def list_instance_profile_tags(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return self._profiles.list_tags(params["InstanceProfileName"], params)
