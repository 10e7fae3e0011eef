"""PublishVersion, ListVersionsByFunction and aliases (with weighted routing to a second version)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.lambda_ import functions
from millpond.services.lambda_.repository import FunctionRecord, LambdaRepository

REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


class VersionsMixin:
    repository: LambdaRepository
    clock: Clock
    _record: Callable[..., FunctionRecord]

    async def _publish(
        self, ctx: RequestContext, name: str, description: str | None, *, force: bool = False
    ) -> dict[str, Any]:
        now = self.clock.now()

        def make(record: FunctionRecord, newest: dict[str, Any] | None) -> dict[str, Any] | None:
            # PublishVersion hands back the newest version when $LATEST has not been updated since it was
            # published: any UpdateFunctionCode/Configuration counts, even with the same code (AWS-verified
            # in moto's test_update_function_zip); UpdateFunctionCode with Publish always publishes.
            if newest is not None and not force:
                if record.published_revision is None:  # published before millpond kept the revision
                    unchanged = functions.same_code_and_config(record.config, newest)
                else:
                    unchanged = record.published_revision == record.config["RevisionId"]
                if unchanged:
                    return None
            record.last_version += 1
            record.published_revision = record.config["RevisionId"]
            return functions.published(record.config, record.last_version, description, now)

        config = await self.repository.publish_version(name, make)
        if config is None:
            raise functions.not_found(ctx.region, ctx.account_id, name)
        return config

    async def publish_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self._record(ctx, params["FunctionName"])
        if params.get("CodeSha256") and params["CodeSha256"] != record.config["CodeSha256"]:
            raise functions.invalid(
                f"CodeSHA256 ({params['CodeSha256']}) is different from current CodeSHA256 in $LATEST "
                f"({record.config['CodeSha256']}). Please try again with the CodeSHA256 in $LATEST."
            )
        if params.get("RevisionId") and params["RevisionId"] != record.config["RevisionId"]:
            raise AwsError(
                "PreconditionFailedException",
                REVISION_MISMATCH,
            )
        return await self._publish(ctx, record.name, params.get("Description"))

    def list_versions_by_function(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self._record(ctx, params["FunctionName"])
        versions = [functions.listed_latest(record.config), *self.repository.list_versions(record.name)]
        return functions.paged(versions, params, "Versions")

    # -- aliases -------------------------------------------------------------------------------------------

    def _check_version(self, ctx: RequestContext, name: str, version: str) -> None:
        if version != "$LATEST" and (
            not version.isdecimal() or self.repository.get_version(name, int(version)) is None
        ):
            raise functions.not_found(ctx.region, ctx.account_id, name, version)

    def _alias_document(
        self, ctx: RequestContext, name: str, alias: str, params: dict[str, Any], base: dict[str, Any]
    ) -> dict[str, Any]:
        document = dict(base)
        document.update(
            AliasArn=functions.function_arn(ctx.region, ctx.account_id, name, alias),
            Name=alias,
            RevisionId=str(uuid.uuid4()),
        )
        if "FunctionVersion" in params:
            self._check_version(ctx, name, params["FunctionVersion"])
            document["FunctionVersion"] = params["FunctionVersion"]
        if "Description" in params:
            document["Description"] = params["Description"]
        document.setdefault("Description", "")
        if "RoutingConfig" in params:
            weights = (params["RoutingConfig"] or {}).get("AdditionalVersionWeights") or {}
            for version, weight in weights.items():
                self._check_version(ctx, name, version)
                if not 0 <= float(weight) <= 1:
                    raise functions.invalid("AdditionalVersionWeights must be between 0.0 and 1.0")
            if weights:
                document["RoutingConfig"] = {"AdditionalVersionWeights": weights}
            else:
                document.pop("RoutingConfig", None)
        return document

    async def create_alias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self._record(ctx, params["FunctionName"])
        alias = params["Name"]
        if not functions.ALIAS.match(alias):
            raise functions.invalid(f"Alias name {alias} is not valid: it must not be only digits.")
        document = self._alias_document(ctx, record.name, alias, params, {})
        if not await self.repository.put_alias(record.name, alias, document, create=True):
            raise AwsError(
                "ResourceConflictException",
                "Alias already exists: "
                + functions.function_arn(ctx.region, ctx.account_id, record.name, alias),
            )
        return document

    def _alias(self, ctx: RequestContext, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        record = self._record(ctx, params["FunctionName"])
        document = self.repository.get_alias(record.name, params["Name"])
        if document is None:
            raise functions.alias_not_found(ctx.region, ctx.account_id, record.name, params["Name"])
        return record.name, document

    def get_alias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._alias(ctx, params)[1]

    def list_aliases(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self._record(ctx, params["FunctionName"])
        aliases = self.repository.list_aliases(record.name)
        if params.get("FunctionVersion"):
            aliases = [a for a in aliases if a["FunctionVersion"] == params["FunctionVersion"]]
        return {"Aliases": aliases}

    async def update_alias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name, current = self._alias(ctx, params)
        if params.get("RevisionId") and params["RevisionId"] != current["RevisionId"]:
            raise AwsError(
                "PreconditionFailedException",
                REVISION_MISMATCH,
            )
        document = self._alias_document(ctx, name, params["Name"], params, current)
        await self.repository.put_alias(name, params["Name"], document, create=False)
        return document

    async def delete_alias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self._record(ctx, params["FunctionName"])
        await self.repository.delete_alias(record.name, params["Name"])  # AWS answers 204 even if absent
        return {}
