"""IAM (query protocol, global): one thin method per operation; the rules live in the modules beside it."""

from __future__ import annotations

from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.iam import principals as p
from millpond.services.iam import simulate
from millpond.services.iam.account import authorization_details
from millpond.services.iam.account_settings import AccountOperations
from millpond.services.iam.identity_providers import IdentityProviderOperations
from millpond.services.iam.instance_profiles import InstanceProfileOperations
from millpond.services.iam.policies import Policies
from millpond.services.iam.principals import GROUP, ROLE, USER
from millpond.services.iam.repository import IamRepository, Record
from millpond.services.iam.roles import Roles
from millpond.services.iam.user_credentials import UserCredentialOperations
from millpond.services.iam.users import Users, user_shape

Params = dict[str, Any]
Result = dict[str, Any]


class IamProvider(
    InstanceProfileOperations, IdentityProviderOperations, AccountOperations, UserCredentialOperations
):
    """Roles, users, groups and policies here; instance profiles, identity providers, account settings and
    users' other credentials in the operation classes it inherits."""

    def __init__(self, repository: IamRepository, clock: Clock) -> None:
        self.repository = repository
        self.clock = clock
        self.roles = Roles(repository, clock)
        self.users = Users(repository, clock)
        self.policies = Policies(repository, clock)

    # -- lookups for STS and enforcement -------------------------------------------------------------------

    def access_key(self, access_key_id: str) -> Record | None:
        return self.users.find_key(access_key_id)

    def user(self, name: str) -> Record | None:
        return self.repository.get("user", name.lower())

    def role(self, name: str) -> Record | None:
        return self.roles.find(name)

    def _caller_user(self, ctx: RequestContext, params: Params) -> str:
        if params.get("UserName"):
            return str(params["UserName"])
        key = self.access_key(ctx.access_key_id) if ctx.access_key_id else None
        if key is None:
            raise AwsError(
                "ValidationError", "Must specify userName when calling with non-User credentials", 400
            )
        return str(key["UserName"])

    # -- roles ---------------------------------------------------------------------------------------------

    async def create_role(self, ctx: RequestContext, params: Params) -> Result:
        return await self.roles.create(ctx.account_id, params)

    def get_role(self, ctx: RequestContext, params: Params) -> Result:
        return self.roles.get(params)

    def list_roles(self, ctx: RequestContext, params: Params) -> Result:
        return self.roles.list_all(params)

    async def update_role(self, ctx: RequestContext, params: Params) -> Result:
        return await self.roles.update(params)

    async def update_role_description(self, ctx: RequestContext, params: Params) -> Result:
        return await self.roles.update_description(params)

    async def update_assume_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self.roles.update_assume_role_policy(params)

    async def delete_role(self, ctx: RequestContext, params: Params) -> Result:
        if self.role_in_instance_profile(params.get("RoleName", "")):
            raise AwsError(
                "DeleteConflictException",
                "Cannot delete entity, must remove roles from instance profile first.",
            )
        return await self.roles.delete(params)

    async def tag_role(self, ctx: RequestContext, params: Params) -> Result:
        return await self.roles.tag(params)

    async def untag_role(self, ctx: RequestContext, params: Params) -> Result:
        return await self.roles.untag(params)

    def list_role_tags(self, ctx: RequestContext, params: Params) -> Result:
        return self.roles.list_tags(params)

    async def attach_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        await p.attach(self.repository, ROLE, params)
        return {}

    async def detach_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        await p.detach(self.repository, ROLE, params)
        return {}

    def list_attached_role_policies(self, ctx: RequestContext, params: Params) -> Result:
        return p.list_attached(self.repository, ROLE, params)

    async def put_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        await p.put_inline(self.repository, ROLE, params)
        return {}

    def get_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        return p.get_inline(self.repository, ROLE, params)

    def list_role_policies(self, ctx: RequestContext, params: Params) -> Result:
        return p.list_inline(self.repository, ROLE, params)

    async def delete_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        await p.delete_inline(self.repository, ROLE, params)
        return {}

    # -- managed policies ----------------------------------------------------------------------------------

    async def create_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self.policies.create(ctx.account_id, params)

    def get_policy(self, ctx: RequestContext, params: Params) -> Result:
        return self.policies.get(params)

    def get_policy_version(self, ctx: RequestContext, params: Params) -> Result:
        return self.policies.get_version(params)

    def list_policies(self, ctx: RequestContext, params: Params) -> Result:
        return self.policies.list_all(params)

    def list_policy_versions(self, ctx: RequestContext, params: Params) -> Result:
        return self.policies.list_versions(params)

    async def create_policy_version(self, ctx: RequestContext, params: Params) -> Result:
        return await self.policies.create_version(params)

    async def set_default_policy_version(self, ctx: RequestContext, params: Params) -> Result:
        return await self.policies.set_default_version(params)

    async def delete_policy_version(self, ctx: RequestContext, params: Params) -> Result:
        return await self.policies.delete_version(params)

    async def delete_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self.policies.delete(params)

    # -- users and access keys -----------------------------------------------------------------------------

    async def create_user(self, ctx: RequestContext, params: Params) -> Result:
        return await self.users.create(ctx.account_id, params)

    def get_user(self, ctx: RequestContext, params: Params) -> Result:
        key = self.access_key(ctx.access_key_id) if ctx.access_key_id else None
        if not params.get("UserName") and key is None:
            # Without a name GetUser describes the caller; keys millpond did not issue act as the root user.
            return {
                "User": {
                    "UserId": ctx.account_id,
                    "Arn": f"arn:aws:iam::{ctx.account_id}:root",
                    "CreateDate": 0,
                }
            }
        return self.users.get({"UserName": self._caller_user(ctx, params)})

    def list_users(self, ctx: RequestContext, params: Params) -> Result:
        return self.users.list_all(params)

    async def update_user(self, ctx: RequestContext, params: Params) -> Result:
        return await self.users.update(ctx.account_id, params)

    async def delete_user(self, ctx: RequestContext, params: Params) -> Result:
        return await self.users.delete(params)

    async def tag_user(self, ctx: RequestContext, params: Params) -> Result:
        return await self.users.tag(params)

    async def untag_user(self, ctx: RequestContext, params: Params) -> Result:
        return await self.users.untag(params)

    def list_user_tags(self, ctx: RequestContext, params: Params) -> Result:
        return self.users.list_tags(params)

    async def create_access_key(self, ctx: RequestContext, params: Params) -> Result:
        return await self.users.create_key(self._caller_user(ctx, params))

    def list_access_keys(self, ctx: RequestContext, params: Params) -> Result:
        return self.users.list_keys(self._caller_user(ctx, params), params)

    async def update_access_key(self, ctx: RequestContext, params: Params) -> Result:
        return await self.users.update_key(self._caller_user(ctx, params), params)

    async def delete_access_key(self, ctx: RequestContext, params: Params) -> Result:
        return await self.users.delete_key(self._caller_user(ctx, params), params)

    async def attach_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        await p.attach(self.repository, USER, params)
        return {}

    async def detach_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        await p.detach(self.repository, USER, params)
        return {}

    def list_attached_user_policies(self, ctx: RequestContext, params: Params) -> Result:
        return p.list_attached(self.repository, USER, params)

    async def put_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        await p.put_inline(self.repository, USER, params)
        return {}

    def get_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        return p.get_inline(self.repository, USER, params)

    def list_user_policies(self, ctx: RequestContext, params: Params) -> Result:
        return p.list_inline(self.repository, USER, params)

    async def delete_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        await p.delete_inline(self.repository, USER, params)
        return {}

    # -- groups --------------------------------------------------------------------------------------------

    async def create_group(self, ctx: RequestContext, params: Params) -> Result:
        return await self.users.create_group(ctx.account_id, params)

    def get_group(self, ctx: RequestContext, params: Params) -> Result:
        return self.users.get_group(params)

    def list_groups(self, ctx: RequestContext, params: Params) -> Result:
        return self.users.list_groups(params)

    def list_groups_for_user(self, ctx: RequestContext, params: Params) -> Result:
        return self.users.groups_for_user(params)

    async def add_user_to_group(self, ctx: RequestContext, params: Params) -> Result:
        return await self.users.add_user(params)

    async def remove_user_from_group(self, ctx: RequestContext, params: Params) -> Result:
        return await self.users.remove_user(params)

    async def delete_group(self, ctx: RequestContext, params: Params) -> Result:
        return await self.users.delete_group(params)

    async def attach_group_policy(self, ctx: RequestContext, params: Params) -> Result:
        await p.attach(self.repository, GROUP, params)
        return {}

    async def detach_group_policy(self, ctx: RequestContext, params: Params) -> Result:
        await p.detach(self.repository, GROUP, params)
        return {}

    def list_attached_group_policies(self, ctx: RequestContext, params: Params) -> Result:
        return p.list_attached(self.repository, GROUP, params)

    async def put_group_policy(self, ctx: RequestContext, params: Params) -> Result:
        await p.put_inline(self.repository, GROUP, params)
        return {}

    def get_group_policy(self, ctx: RequestContext, params: Params) -> Result:
        return p.get_inline(self.repository, GROUP, params)

    def list_group_policies(self, ctx: RequestContext, params: Params) -> Result:
        return p.list_inline(self.repository, GROUP, params)

    async def delete_group_policy(self, ctx: RequestContext, params: Params) -> Result:
        await p.delete_inline(self.repository, GROUP, params)
        return {}

    # -- simulation and account views ----------------------------------------------------------------------

    def simulate_custom_policy(self, ctx: RequestContext, params: Params) -> Result:
        return simulate.simulate_custom(params)

    def simulate_principal_policy(self, ctx: RequestContext, params: Params) -> Result:
        return simulate.simulate_principal(self.repository, params)

    def get_account_authorization_details(self, ctx: RequestContext, params: Params) -> Result:
        return authorization_details(self.repository, self.policies, params)


__all__ = ["IamProvider", "user_shape"]
