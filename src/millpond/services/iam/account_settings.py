"""IAM account-level settings and views: the account alias, the password policy, GetAccountSummary, the
credential report, service-linked roles, permissions boundaries, policy tags, ListEntitiesForPolicy,
GetAccessKeyLastUsed and UpdateGroup."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.iam import common
from millpond.services.iam.entities import Entities
from millpond.services.iam.principals import GROUP, ROLE, USER, Kind, find_policy, load
from millpond.services.iam.repository import IamRepository, Record

Params = dict[str, Any]
ALIAS = re.compile(r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$")
PASSWORD_DEFAULTS = {
    "MinimumPasswordLength": 8,
    "RequireSymbols": False,
    "RequireNumbers": False,
    "RequireUppercaseCharacters": False,
    "RequireLowercaseCharacters": False,
    "AllowUsersToChangePassword": False,
    "ExpirePasswords": False,
}
SERVICE_ROLE_NAMES = {
    # The names AWS gives a few services' linked roles; others follow AWSServiceRoleFor<Service>.
    "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
    "elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
    "ecs.amazonaws.com": "AWSServiceRoleForECS",
    "lambda.amazonaws.com": "AWSServiceRoleForLambda",
}


def _account(repo: IamRepository) -> Record:
    return repo.get("account", "settings") or {}


class AccountOperations:
    repository: IamRepository
    clock: Clock

    async def _account_change(self, fn: Any) -> Record:
        def change(current: Record | None) -> Record:
            record = dict(current or {})
            fn(record)
            return record

        stored = await self.repository.update("account", "settings", change)
        assert stored is not None
        return stored

    # -- alias and password policy -------------------------------------------------------------------------

    async def create_account_alias(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        alias = params["AccountAlias"]
        if not ALIAS.match(alias):
            raise common.validation(
                "accountAlias",
                alias,
                "Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
            )
        await self._account_change(lambda r: r.update(Alias=alias))
        return {}

    async def delete_account_alias(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        if _account(self.repository).get("Alias") != params["AccountAlias"]:
            raise common.no_such_entity(f"The account alias {params['AccountAlias']} cannot be found.")
        await self._account_change(lambda r: r.pop("Alias", None))
        return {}

    def list_account_aliases(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        alias = _account(self.repository).get("Alias")
        return common.paginate([alias] if alias else [], params, "AccountAliases")

    async def update_account_password_policy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        policy = {**PASSWORD_DEFAULTS, **{k: v for k, v in params.items() if v is not None}}
        if not 6 <= int(policy["MinimumPasswordLength"]) <= 128:
            raise common.validation(
                "minimumPasswordLength",
                policy["MinimumPasswordLength"],
                "Member must have value between 6 and 128",
            )
        policy["ExpirePasswords"] = bool(policy.get("MaxPasswordAge"))
        await self._account_change(lambda r: r.update(PasswordPolicy=policy))
        return {}

    def get_account_password_policy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        policy = _account(self.repository).get("PasswordPolicy")
        if policy is None:
            raise common.no_such_entity(
                f"The Password Policy with domain name {ctx.account_id} cannot be found."
            )
        return {"PasswordPolicy": policy}

    async def delete_account_password_policy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        if _account(self.repository).get("PasswordPolicy") is None:
            raise common.no_such_entity("The account policy with name PasswordPolicy cannot be found.")
        await self._account_change(lambda r: r.pop("PasswordPolicy", None))
        return {}

    def get_account_summary(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        scan = self.repository.scan
        users, roles, groups, policies = scan("user"), scan("role"), scan("group"), scan("policy")
        summary = {
            "Users": len(users),
            "UsersQuota": 5000,
            "Roles": len(roles),
            "RolesQuota": 1000,
            "Groups": len(groups),
            "GroupsQuota": 300,
            "Policies": len(policies),
            "PoliciesQuota": 1500,
            "InstanceProfiles": len(scan("instance_profile")),
            "InstanceProfilesQuota": 1000,
            "Providers": len(scan("oidc_provider")) + len(scan("saml_provider")),
            "MFADevices": len(scan("mfa_device")),
            "MFADevicesInUse": sum(1 for d in scan("mfa_device") if d.get("User")),
            "ServerCertificates": len(scan("server_certificate")),
            "ServerCertificatesQuota": 20,
            "AccessKeysPerUserQuota": 2,
            "AttachedPoliciesPerRoleQuota": 10,
            "AttachedPoliciesPerUserQuota": 10,
            "AttachedPoliciesPerGroupQuota": 10,
            "GroupsPerUserQuota": 10,
            "SigningCertificatesPerUserQuota": 2,
            "PolicySizeQuota": 6144,
            "PolicyVersionsInUse": sum(len(p.get("Versions", [])) for p in policies),
            "PolicyVersionsInUseQuota": 10000,
            "VersionsPerPolicyQuota": 5,
            "GlobalEndpointTokenVersion": 1,
            "AccountMFAEnabled": 0,
            "AccountAccessKeysPresent": 0,
            "AccountSigningCertificatesPresent": 0,
        }
        return {"SummaryMap": summary}

    # -- credential report ---------------------------------------------------------------------------------

    async def generate_credential_report(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        now = int(self.clock.now())
        await self._account_change(lambda r: r.update(CredentialReport=now))
        return {"State": "COMPLETE", "Description": "No report exists. Starting a new report generation task"}

    def get_credential_report(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        generated = _account(self.repository).get("CredentialReport")
        if generated is None:
            raise AwsError("CredentialReportNotPresentException", "Credential report not present.", 410)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "user",
                "arn",
                "user_creation_time",
                "password_enabled",
                "mfa_active",
                "access_key_1_active",
                "access_key_2_active",
            ]
        )
        for user in self.repository.scan("user"):
            keys = [k for k in self.repository.scan("access_key") if k.get("UserName") == user["UserName"]]
            active = [k.get("Status") == "Active" for k in keys] + [False, False]
            created = _iso(user["CreateDate"])
            has_login = self.repository.get("login_profile", user["UserName"].lower()) is not None
            writer.writerow(
                [
                    user["UserName"],
                    user["Arn"],
                    created,
                    str(has_login).lower(),
                    "false",
                    str(active[0]).lower(),
                    str(active[1]).lower(),
                ]
            )
        return {"Content": out.getvalue().encode(), "ReportFormat": "text/csv", "GeneratedTime": generated}

    # -- service-linked roles ------------------------------------------------------------------------------

    async def create_service_linked_role(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        service = params["AWSServiceName"]
        if not service.endswith(".amazonaws.com"):
            raise AwsError("InvalidInputException", f"Invalid AWSServiceName: {service}")
        base = SERVICE_ROLE_NAMES.get(service) or "AWSServiceRoleFor" + "".join(
            part.capitalize() for part in service.removesuffix(".amazonaws.com").split(".")
        )
        name = f"{base}_{params['CustomSuffix']}" if params.get("CustomSuffix") else base
        trust = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
                ],
            }
        )
        path = f"/aws-service-role/{service}/"
        created = await self.create_role(  # type: ignore[attr-defined]
            ctx,
            {
                "RoleName": name,
                "Path": path,
                "AssumeRolePolicyDocument": trust,
                "Description": params.get("Description"),
            },
        )
        return {"Role": created["Role"]}

    async def delete_service_linked_role(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        role = load(self.repository, ROLE, params["RoleName"])
        if not role["Path"].startswith("/aws-service-role/"):
            raise AwsError("InvalidInputException", f"Role {role['RoleName']} is not a service-linked role.")
        # Detach what AWS's own service would have attached, then delete: the task completes at once here.
        await self.repository.update("role", role["RoleName"].lower(), lambda current: None)
        task = f"task/{role['Path'].strip('/')}/{role['RoleName']}/{common.unique_id('SLRD')}"
        await self._account_change(lambda r: r.setdefault("DeletionTasks", {}).update({task: "SUCCEEDED"}))
        return {"DeletionTaskId": task}

    def get_service_linked_role_deletion_status(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        status = _account(self.repository).get("DeletionTasks", {}).get(params["DeletionTaskId"])
        if status is None:
            raise common.no_such_entity(f"Deletion task {params['DeletionTaskId']} cannot be found.")
        return {"Status": status}

    # -- permissions boundaries ----------------------------------------------------------------------------

    async def _boundary(self, kind: Kind, params: Params, policy_arn: str | None) -> dict[str, Any]:
        name = params[kind.name_param]
        if policy_arn is not None:
            policy = find_policy(self.repository, policy_arn)
            if policy is None:
                raise AwsError("InvalidInputException", f"ARN {policy_arn} is not valid.")
        load(self.repository, kind, name)

        def change(record: Record | None) -> Record:
            if record is None:
                raise kind.not_found(name)
            if policy_arn is None:
                record.pop("PermissionsBoundary", None)
            else:
                record["PermissionsBoundary"] = {
                    "PermissionsBoundaryType": "Policy",
                    "PermissionsBoundaryArn": policy_arn,
                }
            return record

        await self.repository.update(kind.name, name.lower(), change)
        return {}

    async def put_role_permissions_boundary(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._boundary(ROLE, params, params["PermissionsBoundary"])

    async def delete_role_permissions_boundary(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._boundary(ROLE, params, None)

    async def put_user_permissions_boundary(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._boundary(USER, params, params["PermissionsBoundary"])

    async def delete_user_permissions_boundary(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._boundary(USER, params, None)

    # -- policies ------------------------------------------------------------------------------------------

    @property
    def _policy_records(self) -> Entities:
        return Entities(self.repository, "policy", "Policy", lambda arn: f"Policy {arn} was not found.")

    async def tag_policy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._policy_records.tag(params["PolicyArn"], params.get("Tags"))

    async def untag_policy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._policy_records.untag(params["PolicyArn"], params.get("TagKeys"))

    def list_policy_tags(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return self._policy_records.list_tags(params["PolicyArn"], params)

    def list_entities_for_policy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        arn = params["PolicyArn"]
        if find_policy(self.repository, arn) is None:
            raise common.no_such_entity(f"Policy {arn} was not found.")
        wanted = params.get("EntityFilter")
        usage = params.get("PolicyUsageFilter")
        result: dict[str, Any] = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
        for kind, key, name_key, id_key in (
            (GROUP, "PolicyGroups", "GroupName", "GroupId"),
            (USER, "PolicyUsers", "UserName", "UserId"),
            (ROLE, "PolicyRoles", "RoleName", "RoleId"),
        ):
            if wanted not in (None, "LocalManagedPolicy", "AWSManagedPolicy", kind.title):
                continue
            for record in self.repository.scan(kind.name):
                as_policy = arn in record.get("Attached", [])
                as_boundary = record.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn") == arn
                if (usage == "PermissionsBoundary" and as_boundary) or (
                    usage != "PermissionsBoundary" and as_policy
                ):
                    result[key].append({name_key: record[name_key], id_key: record[id_key]})
        result["IsTruncated"] = False
        return result

    def get_access_key_last_used(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        key = self.repository.get("access_key", params["AccessKeyId"])
        if key is None:
            raise common.no_such_entity(f"The Access Key with id {params['AccessKeyId']} cannot be found.")
        return {"UserName": key["UserName"], "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}

    async def update_group(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        name = params["GroupName"]
        group = load(self.repository, GROUP, name)
        new_name = params.get("NewGroupName")
        new_path = common.check_path(params["NewPath"]) if params.get("NewPath") else group["Path"]
        if new_name:
            common.check_name("newGroupName", new_name, 128)
            if (
                new_name.lower() != name.lower()
                and self.repository.get("group", new_name.lower()) is not None
            ):
                raise AwsError("EntityAlreadyExistsException", f"Group with name {new_name} already exists.")
        renamed = dict(group)
        renamed["GroupName"] = new_name or group["GroupName"]
        renamed["Path"] = new_path
        renamed["Arn"] = common.arn(ctx.account_id, "group", new_path, renamed["GroupName"])
        # The new record first, then the old one goes: a crash between leaves the group, never loses it.
        await self.repository.update("group", renamed["GroupName"].lower(), lambda current: renamed)
        if renamed["GroupName"].lower() != name.lower():
            await self.repository.update("group", name.lower(), lambda current: None)
        return {}


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
