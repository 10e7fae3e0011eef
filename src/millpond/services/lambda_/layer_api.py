"""The layer operations of the Lambda provider: PublishLayerVersion, GetLayerVersion(ByArn), ListLayers,
ListLayerVersions, DeleteLayerVersion and the layer version policy; and the resolution of the Layers a
function names (CreateFunction, UpdateFunctionConfiguration) into what the configuration shows."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.lambda_ import functions, layers
from millpond.services.lambda_.layers import LayerRepository, LayerVersion
from millpond.services.lambda_.repository import LambdaRepository

LAYER_CODE_PATH = "layers"  # under the code route: <route>/layers/<name>/<version>.zip


class LayersMixin:
    layers: LayerRepository | None
    repository: LambdaRepository
    clock: Clock
    _zip: Callable[[dict[str, Any]], Awaitable[bytes]]
    code_route: str

    def _layer_store(self) -> LayerRepository:
        if self.layers is None:
            raise AwsError("ServiceException", "Layers are not served by this millpond.", 500)
        return self.layers

    def _layer_version(self, ctx: RequestContext, params: dict[str, Any]) -> tuple[str, int, LayerVersion]:
        name = layers.layer_name(params["LayerName"])
        version = int(params["VersionNumber"])
        found = self._layer_store().get(name, version)
        if found is None:
            raise layers.resource_not_found()
        return name, version, found

    # -- layer versions ------------------------------------------------------------------------------------

    async def publish_layer_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = layers.layer_name(params["LayerName"])
        content = params.get("Content") or {}
        if not content:
            raise functions.invalid("Missing Content")
        code = await self._zip(content)
        sha, size = functions.code_details(code)
        arn = layers.layer_arn(ctx.region, ctx.account_id, name)
        created = functions.timestamp(self.clock.now())

        def make(version: int) -> dict[str, Any]:
            location = f"{ctx.endpoint_url}{self.code_route}/{LAYER_CODE_PATH}/{name}/{version}.zip"
            return layers.new_document(params, arn, version, sha, size, created, location)

        return await self._layer_store().publish(name, make, code)

    def get_layer_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._layer_version(ctx, params)[2].document

    def get_layer_version_by_arn(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        found = layers.LAYER_VERSION_ARN.match(params["Arn"])
        if found is None:
            raise functions.invalid(f"{params['Arn']} is not a layer version ARN.")
        return self.get_layer_version(
            ctx, {"LayerName": found.group("name"), "VersionNumber": int(found.group("version"))}
        )

    def list_layer_versions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = layers.layer_name(params["LayerName"])
        runtime, architecture = params.get("CompatibleRuntime"), params.get("CompatibleArchitecture")
        items = [
            layers.list_item(document)
            for document in self._layer_store().list_versions(name)
            if layers.matches(document, runtime, architecture)
        ]
        return functions.paged(items, params, "LayerVersions")

    def list_layers(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        runtime, architecture = params.get("CompatibleRuntime"), params.get("CompatibleArchitecture")
        store = self._layer_store()
        listed: list[dict[str, Any]] = []
        for name in store.list_layer_names():
            newest = next(
                (d for d in store.list_versions(name) if layers.matches(d, runtime, architecture)), None
            )
            if newest is not None:
                listed.append(
                    {
                        "LayerName": name,
                        "LayerArn": newest["LayerArn"],
                        "LatestMatchingVersion": layers.list_item(newest),
                    }
                )
        return functions.paged(listed, params, "Layers")

    async def delete_layer_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        # Deleting a version that does not exist succeeds (DeleteLayerVersion API reference: no errors
        # for a missing version; moto's test deletes the same version again).
        await self._layer_store().delete(layers.layer_name(params["LayerName"]), int(params["VersionNumber"]))
        return {}

    # -- layer version policy ------------------------------------------------------------------------------

    async def add_layer_version_permission(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        name, version, found = self._layer_version(ctx, params)
        added = layers.statement(params, found.document["LayerVersionArn"])

        def change(layer: LayerVersion) -> None:
            _check_policy_revision(layer, params)
            if any(s["Sid"] == added["Sid"] for s in layer.policy):
                raise AwsError(
                    "ResourceConflictException",
                    f"The statement id ({added['Sid']}) provided already exists. Please provide a new "
                    "statement id, or remove the existing statement.",
                )
            layer.policy.append(added)

        changed = await self._layer_store().update_policy(name, version, change)
        if changed is None:
            raise layers.resource_not_found()
        return {"Statement": json.dumps(added), "RevisionId": changed.revision}

    async def remove_layer_version_permission(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        name, version, _ = self._layer_version(ctx, params)
        sid = params["StatementId"]

        def change(layer: LayerVersion) -> None:
            _check_policy_revision(layer, params)
            kept = [s for s in layer.policy if s["Sid"] != sid]
            if len(kept) == len(layer.policy):
                raise AwsError(
                    "ResourceNotFoundException", f"Statement {sid} is not found in resource policy."
                )
            layer.policy[:] = kept

        if await self._layer_store().update_policy(name, version, change) is None:
            raise layers.resource_not_found()
        return {}

    def get_layer_version_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        found = self._layer_version(ctx, params)[2]
        if not found.policy:
            raise layers.resource_not_found()
        policy = {"Version": "2012-10-17", "Id": "default", "Statement": found.policy}
        return {"Policy": json.dumps(policy), "RevisionId": found.revision}

    # -- the Layers of a function --------------------------------------------------------------------------

    def _function_layers(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """`params` with Layers (version ARNs) replaced by the configuration's [{Arn, CodeSize}]."""
        if "Layers" not in params:
            return params
        arns = list(params["Layers"] or [])
        if len(arns) > layers.MAX_LAYERS:
            raise functions.invalid(f"Cannot reference more than {layers.MAX_LAYERS} layers.")
        resolved: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        for arn in arns:
            found = layers.LAYER_VERSION_ARN.match(arn)
            version = None
            if found is not None and found.group("account") == ctx.account_id:
                version = self._layer_store().get(found.group("name"), int(found.group("version")))
            if found is None or version is None:
                raise layers.version_not_found(arn)
            if found.group("name") in seen:
                raise functions.invalid(
                    "Two different versions of the same layer are not allowed to be referenced in the same "
                    f"function. {seen[found.group('name')]} and {arn} reference the same layer."
                )
            seen[found.group("name")] = arn
            resolved.append({"Arn": arn, "CodeSize": version.document["Content"]["CodeSize"]})
        return {**params, "Layers": resolved}

    def layer_code(self, arn: str) -> str | None:
        """The CodeSha256 of the layer version `arn` names, deleted or not (what a function runs with)."""
        found = layers.LAYER_VERSION_ARN.match(arn)
        if found is None or self.layers is None:
            return None
        return self.layers.code_sha256(found.group("name"), int(found.group("version")))

    def layer_archive(self, name: str, version: str) -> bytes | None:
        """The zip a layer version's Content.Location serves."""
        if self.layers is None or not version.isdecimal():
            return None
        found = self.layers.get(name, int(version))
        return None if found is None else self.repository.get_code(found.document["Content"]["CodeSha256"])


def _check_policy_revision(layer: LayerVersion, params: dict[str, Any]) -> None:
    if params.get("RevisionId") and params["RevisionId"] != layer.revision:
        raise AwsError(
            "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. Call the "
            "GetLayerVersionPolicy API to retrieve the latest Revision Id",
        )
