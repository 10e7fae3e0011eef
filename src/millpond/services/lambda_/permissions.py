"""Resource policy (AddPermission, RemovePermission, GetPolicy), tags, and event invoke configuration."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.lambda_ import functions
from millpond.services.lambda_.repository import FunctionRecord, LambdaRepository

STATEMENT_ID = re.compile(r"^[a-zA-Z0-9-_.]{1,100}$")


def _principal(principal: str) -> dict[str, str] | str:
    if principal == "*":
        return "*"
    if principal.endswith(".amazonaws.com"):
        return {"Service": principal}
    if principal.isdigit():
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    return {"AWS": principal}


class PermissionsMixin:
    repository: LambdaRepository
    clock: Clock
    _record: Callable[..., FunctionRecord]
    _update: Callable[..., Awaitable[Any]]

    # -- policy --------------------------------------------------------------------------------------------

    def _policy_target(self, ctx: RequestContext, params: dict[str, Any]) -> tuple[FunctionRecord, str]:
        """The function and the ARN whose policy a call names: a version and an alias have their own."""
        name, qualifier = functions.parse_ref(params["FunctionName"], params.get("Qualifier"))
        record = self._record(ctx, name)
        if qualifier and qualifier != "$LATEST":
            if qualifier.isdecimal():
                if self.repository.get_version(record.name, int(qualifier)) is None:
                    raise functions.not_found(ctx.region, ctx.account_id, record.name, qualifier)
            elif self.repository.get_alias(record.name, qualifier) is None:
                raise functions.alias_not_found(ctx.region, ctx.account_id, record.name, qualifier)
        return record, functions.function_arn(ctx.region, ctx.account_id, record.name, qualifier)

    async def add_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record, resource = self._policy_target(ctx, params)
        sid = params["StatementId"]
        if not STATEMENT_ID.match(sid):
            raise functions.invalid(f"Statement id {sid} is invalid")
        statement: dict[str, Any] = {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": _principal(params["Principal"]),
            "Action": params["Action"],
            "Resource": resource,
        }
        condition: dict[str, Any] = {}
        if params.get("SourceArn"):
            condition["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
        if params.get("SourceAccount"):
            condition["StringEquals"] = {"AWS:SourceAccount": params["SourceAccount"]}
        if params.get("PrincipalOrgID"):
            condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = params["PrincipalOrgID"]
        if params.get("FunctionUrlAuthType"):
            condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = params[
                "FunctionUrlAuthType"
            ]
        if condition:
            statement["Condition"] = condition

        def change(found: FunctionRecord) -> None:
            if any(s["Sid"] == sid and s["Resource"] == resource for s in found.policy):
                raise AwsError(
                    "ResourceConflictException",
                    f"The statement id ({sid}) provided already exists. Please provide a new statement id, "
                    "or remove the existing statement.",
                )
            found.policy.append(statement)

        await self._update(ctx, record.name, change)
        return {"Statement": json.dumps(statement)}

    async def remove_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record, resource = self._policy_target(ctx, params)
        sid = params["StatementId"]

        def change(found: FunctionRecord) -> None:
            if not any(s["Resource"] == resource for s in found.policy):
                raise AwsError(
                    "ResourceNotFoundException", "No policy is associated with the given resource."
                )
            kept = [s for s in found.policy if not (s["Sid"] == sid and s["Resource"] == resource)]
            if len(kept) == len(found.policy):
                raise AwsError(
                    "ResourceNotFoundException", f"Statement {sid} is not found in resource policy."
                )
            found.policy = kept

        await self._update(ctx, record.name, change)
        return {}

    def get_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record, resource = self._policy_target(ctx, params)
        statements = [s for s in record.policy if s["Resource"] == resource]
        if not statements:
            raise AwsError("ResourceNotFoundException", "The resource you requested does not exist.")
        policy = {"Version": "2012-10-17", "Id": "default", "Statement": statements}
        return {"Policy": json.dumps(policy), "RevisionId": record.config["RevisionId"]}

    # -- tags ----------------------------------------------------------------------------------------------

    async def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        tags = dict(params.get("Tags") or {})

        def change(found: FunctionRecord) -> None:
            found.tags.update(tags)

        await self._update(ctx, self._record(ctx, params["Resource"]).name, change)
        return {}

    async def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        keys = set(params.get("TagKeys") or [])

        def change(found: FunctionRecord) -> None:
            found.tags = {k: v for k, v in found.tags.items() if k not in keys}

        await self._update(ctx, self._record(ctx, params["Resource"]).name, change)
        return {}

    def list_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"Tags": self._record(ctx, params["Resource"]).tags}

    # -- event invoke configuration -------------------------------------------------------------------------

    def _event_config_document(
        self, ctx: RequestContext, name: str, qualifier: str, settings: dict[str, Any]
    ) -> dict[str, Any]:
        document = {
            "LastModified": settings["LastModified"],
            "FunctionArn": functions.function_arn(ctx.region, ctx.account_id, name, qualifier),
        }
        for key in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"):
            if key in settings:
                document[key] = settings[key]
        return document

    async def _put_event_config(
        self, ctx: RequestContext, params: dict[str, Any], merge: bool
    ) -> dict[str, Any]:
        name, qualifier = functions.parse_ref(params["FunctionName"], params.get("Qualifier"))
        record = self._record(ctx, name)
        qualifier = qualifier or "$LATEST"
        retries = params.get("MaximumRetryAttempts")
        if retries is not None and not 0 <= int(retries) <= 2:
            raise functions.invalid("MaximumRetryAttempts must be between 0 and 2")
        age = params.get("MaximumEventAgeInSeconds")
        if age is not None and not 60 <= int(age) <= 21600:
            raise functions.invalid("MaximumEventAgeInSeconds must be between 60 and 21600")
        given: dict[str, Any] = {
            k: params[k]
            for k in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")
            if k in params
        }
        now = self.clock.now()

        def change(found: FunctionRecord) -> dict[str, Any]:
            current = found.event_invoke_configs.get(qualifier)
            if merge and current is None:
                raise AwsError(
                    "ResourceNotFoundException",
                    f"The function {functions.function_arn(ctx.region, ctx.account_id, name, qualifier)} "
                    "doesn't have an EventInvokeConfig",
                )
            settings: dict[str, Any] = {**(current or {}), **given} if merge else dict(given)
            settings["LastModified"] = now
            found.event_invoke_configs[qualifier] = settings
            return settings

        await self._update(ctx, record.name, change)
        return self._event_config_document(
            ctx, record.name, qualifier, self._record(ctx, record.name).event_invoke_configs[qualifier]
        )

    async def put_function_event_invoke_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._put_event_config(ctx, params, merge=False)

    async def update_function_event_invoke_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._put_event_config(ctx, params, merge=True)

    def get_function_event_invoke_config(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name, qualifier = functions.parse_ref(params["FunctionName"], params.get("Qualifier"))
        record = self._record(ctx, name)
        qualifier = qualifier or "$LATEST"
        settings = record.event_invoke_configs.get(qualifier)
        if settings is None:
            raise AwsError(
                "ResourceNotFoundException",
                f"The function {functions.function_arn(ctx.region, ctx.account_id, name, qualifier)} "
                "doesn't have an EventInvokeConfig",
            )
        return self._event_config_document(ctx, name, qualifier, settings)

    def list_function_event_invoke_configs(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        record = self._record(ctx, params["FunctionName"])
        return {
            "FunctionEventInvokeConfigs": [
                self._event_config_document(ctx, record.name, q, s)
                for q, s in record.event_invoke_configs.items()
            ]
        }

    async def delete_function_event_invoke_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        name, qualifier = functions.parse_ref(params["FunctionName"], params.get("Qualifier"))
        self.get_function_event_invoke_config(ctx, params)

        def change(found: FunctionRecord) -> None:
            found.event_invoke_configs.pop(qualifier or "$LATEST", None)

        await self._update(ctx, name, change)
        return {}
