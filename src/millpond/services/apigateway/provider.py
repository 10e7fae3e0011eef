"""API Gateway REST (v1) control plane (rest-json): one thin method per operation over the domain modules.

The data plane (invoke URLs) is `ExecuteApi` in invoke.py, reached as `provider.data_plane`. REST APIs
belong to the caller's account and region (ctx): another region's API id is NotFound, as on AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.apigateway import (
    authorizers,
    deployments,
    integrations,
    methods,
    resources,
    rest_apis,
    stages,
    tags,
)
from millpond.services.apigateway.common import api_not_found, not_found, page
from millpond.services.apigateway.invoke import ExecuteApi, LambdaInvoke
from millpond.services.apigateway.repository import ApiGatewayRepository, Owner, RestApiRecord
from millpond.services.apigateway.testinvoke import test_invoke_method
from millpond.services.apigateway.usage_plans import AccountStore, UsagePlans

T = TypeVar("T")
P = dict[str, Any]


class ApiGatewayProvider:
    def __init__(
        self,
        repository: ApiGatewayRepository,
        clock: Clock,
        lambda_invoke: LambdaInvoke | None = None,
        account_store: AccountStore | None = None,
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.data_plane = ExecuteApi(repository, clock, lambda_invoke)
        self.usage_plans = UsagePlans(account_store) if account_store is not None else None
        self.data_plane.usage_plans = self.usage_plans

    async def close(self) -> None:
        await self.data_plane.close()

    @staticmethod
    def _owner(ctx: RequestContext) -> Owner:
        return Owner(ctx.account_id, ctx.region)

    def _record(self, ctx: RequestContext, api_id: str) -> RestApiRecord:
        record = self.repository.get_api(api_id, self._owner(ctx))
        if record is None:
            raise api_not_found(ctx.account_id, api_id)
        return record

    async def _change(self, ctx: RequestContext, api_id: str, change: Callable[[RestApiRecord], T]) -> T:
        found, result = await self.repository.update_api(self._owner(ctx), api_id, change)
        if not found:
            raise api_not_found(ctx.account_id, api_id)
        return result  # type: ignore[return-value]

    # -- REST APIs -----------------------------------------------------------------------------------------

    async def create_rest_api(self, ctx: RequestContext, params: P) -> P:
        record = rest_apis.new_record(params, self.clock.now())
        record.owner = self._owner(ctx)
        await self.repository.create_api(record)
        return record.api

    def get_rest_api(self, ctx: RequestContext, params: P) -> P:
        return self._record(ctx, params["restApiId"]).api

    def get_rest_apis(self, ctx: RequestContext, params: P) -> P:
        return page([record.api for record in self.repository.list_apis(self._owner(ctx))], params)

    async def update_rest_api(self, ctx: RequestContext, params: P) -> P:
        ops = params.get("patchOperations") or []
        return await self._change(ctx, params["restApiId"], lambda r: rest_apis.update(r, ops))

    async def delete_rest_api(self, ctx: RequestContext, params: P) -> P:
        if not await self.repository.delete_api(self._owner(ctx), params["restApiId"]):
            raise api_not_found(ctx.account_id, params["restApiId"])
        return {}

    # -- resources -----------------------------------------------------------------------------------------

    def get_resources(self, ctx: RequestContext, params: P) -> P:
        embed = "methods" in (params.get("embed") or [])
        record = self._record(ctx, params["restApiId"])
        return page([resources.reported(r, embed) for r in resources.ordered(record)], params)

    def get_resource(self, ctx: RequestContext, params: P) -> P:
        record = self._record(ctx, params["restApiId"])
        return resources.reported(resources.get(record, params["resourceId"]))

    async def create_resource(self, ctx: RequestContext, params: P) -> P:
        return await self._change(
            ctx, params["restApiId"], lambda r: resources.create(r, params["parentId"], params["pathPart"])
        )

    async def delete_resource(self, ctx: RequestContext, params: P) -> P:
        await self._change(ctx, params["restApiId"], lambda r: resources.delete(r, params["resourceId"]))
        return {}

    # -- methods and method responses ----------------------------------------------------------------------

    async def put_method(self, ctx: RequestContext, params: P) -> P:
        return await self._change(ctx, params["restApiId"], lambda r: methods.put(r, params))

    def get_method(self, ctx: RequestContext, params: P) -> P:
        record = self._record(ctx, params["restApiId"])
        return methods.get(record, params["resourceId"], params["httpMethod"])

    async def update_method(self, ctx: RequestContext, params: P) -> P:
        rid, method, ops = params["resourceId"], params["httpMethod"], params.get("patchOperations") or []
        return await self._change(ctx, params["restApiId"], lambda r: methods.update(r, rid, method, ops))

    async def delete_method(self, ctx: RequestContext, params: P) -> P:
        rid, method = params["resourceId"], params["httpMethod"]
        await self._change(ctx, params["restApiId"], lambda r: methods.delete(r, rid, method))
        return {}

    async def put_method_response(self, ctx: RequestContext, params: P) -> P:
        return await self._change(ctx, params["restApiId"], lambda r: methods.put_response(r, params))

    def get_method_response(self, ctx: RequestContext, params: P) -> P:
        record = self._record(ctx, params["restApiId"])
        return methods.get_response(record, params["resourceId"], params["httpMethod"], params["statusCode"])

    async def delete_method_response(self, ctx: RequestContext, params: P) -> P:
        rid, method, status = params["resourceId"], params["httpMethod"], params["statusCode"]
        await self._change(
            ctx, params["restApiId"], lambda r: methods.delete_response(r, rid, method, status)
        )
        return {}

    # -- integrations and integration responses ------------------------------------------------------------

    async def put_integration(self, ctx: RequestContext, params: P) -> P:
        return await self._change(ctx, params["restApiId"], lambda r: integrations.put(r, params))

    def get_integration(self, ctx: RequestContext, params: P) -> P:
        record = self._record(ctx, params["restApiId"])
        return integrations.get(record, params["resourceId"], params["httpMethod"])

    async def update_integration(self, ctx: RequestContext, params: P) -> P:
        rid, method, ops = params["resourceId"], params["httpMethod"], params.get("patchOperations") or []
        return await self._change(
            ctx, params["restApiId"], lambda r: integrations.update(r, rid, method, ops)
        )

    async def delete_integration(self, ctx: RequestContext, params: P) -> P:
        rid, method = params["resourceId"], params["httpMethod"]
        await self._change(ctx, params["restApiId"], lambda r: integrations.delete(r, rid, method))
        return {}

    async def put_integration_response(self, ctx: RequestContext, params: P) -> P:
        return await self._change(ctx, params["restApiId"], lambda r: integrations.put_response(r, params))

    def get_integration_response(self, ctx: RequestContext, params: P) -> P:
        record = self._record(ctx, params["restApiId"])
        rid, method, status = params["resourceId"], params["httpMethod"], params["statusCode"]
        return integrations.get_response(record, rid, method, status)

    async def delete_integration_response(self, ctx: RequestContext, params: P) -> P:
        rid, method, status = params["resourceId"], params["httpMethod"], params["statusCode"]
        await self._change(
            ctx, params["restApiId"], lambda r: integrations.delete_response(r, rid, method, status)
        )
        return {}

    # -- authorizers ---------------------------------------------------------------------------------------

    async def create_authorizer(self, ctx: RequestContext, params: P) -> P:
        return await self._change(ctx, params["restApiId"], lambda r: authorizers.create(r, params))

    def get_authorizer(self, ctx: RequestContext, params: P) -> P:
        return authorizers.get(self._record(ctx, params["restApiId"]), params["authorizerId"])

    def get_authorizers(self, ctx: RequestContext, params: P) -> P:
        return page(authorizers.listed(self._record(ctx, params["restApiId"])), params)

    async def update_authorizer(self, ctx: RequestContext, params: P) -> P:
        ops = params.get("patchOperations") or []
        return await self._change(
            ctx, params["restApiId"], lambda r: authorizers.update(r, params["authorizerId"], ops)
        )

    async def delete_authorizer(self, ctx: RequestContext, params: P) -> P:
        await self._change(ctx, params["restApiId"], lambda r: authorizers.delete(r, params["authorizerId"]))
        return {}

    async def flush_stage_authorizers_cache(self, ctx: RequestContext, params: P) -> P:
        record = self._record(ctx, params["restApiId"])
        if params["stageName"] not in record.stages:
            raise not_found("Invalid Stage identifier specified")
        self.data_plane.authorizer_cache.flush(record.id)
        return {}

    async def test_invoke_method(self, ctx: RequestContext, params: P) -> P:
        record = self._record(ctx, params["restApiId"])
        return await test_invoke_method(self.data_plane, record, params, ctx, self.clock)

    # -- deployments ---------------------------------------------------------------------------------------

    async def create_deployment(self, ctx: RequestContext, params: P) -> P:
        now = self.clock.now()
        found, deployment = await self.repository.deploy(
            self._owner(ctx), params["restApiId"], lambda r: deployments.create(r, params, now)
        )
        if not found or deployment is None:
            raise api_not_found(ctx.account_id, params["restApiId"])
        return deployment

    def get_deployments(self, ctx: RequestContext, params: P) -> P:
        return page(deployments.listed(self._record(ctx, params["restApiId"])), params)

    def get_deployment(self, ctx: RequestContext, params: P) -> P:
        return deployments.get(self._record(ctx, params["restApiId"]), params["deploymentId"])

    async def delete_deployment(self, ctx: RequestContext, params: P) -> P:
        api_id, deployment_id = params["restApiId"], params["deploymentId"]
        await self._change(ctx, api_id, lambda r: deployments.delete(r, deployment_id))
        await self.repository.delete_snapshot(api_id, deployment_id)
        return {}

    # -- stages --------------------------------------------------------------------------------------------

    async def create_stage(self, ctx: RequestContext, params: P) -> P:
        now = self.clock.now()
        return await self._change(ctx, params["restApiId"], lambda r: stages.create(r, params, now))

    def get_stage(self, ctx: RequestContext, params: P) -> P:
        return stages.get(self._record(ctx, params["restApiId"]), params["stageName"])

    def get_stages(self, ctx: RequestContext, params: P) -> P:
        # GetStages answers {"item": [...]}, singular, unlike every other list operation.
        record = self._record(ctx, params["restApiId"])
        return {"item": stages.listed(record, params.get("deploymentId"))}

    async def update_stage(self, ctx: RequestContext, params: P) -> P:
        name, ops, now = params["stageName"], params.get("patchOperations") or [], self.clock.now()
        return await self._change(ctx, params["restApiId"], lambda r: stages.update(r, name, ops, now))

    async def delete_stage(self, ctx: RequestContext, params: P) -> P:
        await self._change(ctx, params["restApiId"], lambda r: stages.delete(r, params["stageName"]))
        return {}

    # -- tags ----------------------------------------------------------------------------------------------

    async def tag_resource(self, ctx: RequestContext, params: P) -> P:
        api_id, stage = tags.parse_arn(ctx, params["resourceArn"])
        await self._change(ctx, api_id, lambda r: tags.tag(r, stage, params["tags"]))
        return {}

    async def untag_resource(self, ctx: RequestContext, params: P) -> P:
        api_id, stage = tags.parse_arn(ctx, params["resourceArn"])
        await self._change(ctx, api_id, lambda r: tags.untag(r, stage, params["tagKeys"]))
        return {}

    def get_tags(self, ctx: RequestContext, params: P) -> P:
        api_id, stage = tags.parse_arn(ctx, params["resourceArn"])
        return {"tags": tags.listed(self._record(ctx, api_id), stage)}

    # -- API keys and usage plans ----------------------------------------------------------------------------

    def _plans(self) -> UsagePlans:
        if self.usage_plans is None:
            raise AwsError("NotImplemented", "API keys and usage plans need millpond's storage", 501)
        return self.usage_plans

    def _stage_exists(self, ctx: RequestContext) -> Callable[[str, str], bool]:
        def exists(api_id: str, stage: str) -> bool:
            record = self.repository.get_api(api_id, self._owner(ctx))
            return record is not None and stage in record.stages

        return exists

    async def create_api_key(self, ctx: RequestContext, params: P) -> P:
        return await self._plans().create_api_key(self._owner(ctx), params, self.clock.now())

    def get_api_key(self, ctx: RequestContext, params: P) -> P:
        return self._plans().get_api_key(self._owner(ctx), params)

    def get_api_keys(self, ctx: RequestContext, params: P) -> P:
        return self._plans().get_api_keys(self._owner(ctx), params)

    async def update_api_key(self, ctx: RequestContext, params: P) -> P:
        return await self._plans().update_api_key(self._owner(ctx), params, self.clock.now())

    async def delete_api_key(self, ctx: RequestContext, params: P) -> P:
        return await self._plans().delete_api_key(self._owner(ctx), params)

    async def create_usage_plan(self, ctx: RequestContext, params: P) -> P:
        return await self._plans().create_usage_plan(self._owner(ctx), params, self._stage_exists(ctx))

    def get_usage_plan(self, ctx: RequestContext, params: P) -> P:
        return self._plans().get_usage_plan(self._owner(ctx), params)

    def get_usage_plans(self, ctx: RequestContext, params: P) -> P:
        return self._plans().get_usage_plans(self._owner(ctx), params)

    async def update_usage_plan(self, ctx: RequestContext, params: P) -> P:
        return await self._plans().update_usage_plan(self._owner(ctx), params)

    async def delete_usage_plan(self, ctx: RequestContext, params: P) -> P:
        return await self._plans().delete_usage_plan(self._owner(ctx), params)

    async def create_usage_plan_key(self, ctx: RequestContext, params: P) -> P:
        return await self._plans().create_usage_plan_key(self._owner(ctx), params)

    def get_usage_plan_key(self, ctx: RequestContext, params: P) -> P:
        return self._plans().get_usage_plan_key(self._owner(ctx), params)

    def get_usage_plan_keys(self, ctx: RequestContext, params: P) -> P:
        return self._plans().get_usage_plan_keys(self._owner(ctx), params)

    async def delete_usage_plan_key(self, ctx: RequestContext, params: P) -> P:
        return await self._plans().delete_usage_plan_key(self._owner(ctx), params)

    def get_usage(self, ctx: RequestContext, params: P) -> P:
        return self._plans().get_usage(self._owner(ctx), params)

    async def update_usage(self, ctx: RequestContext, params: P) -> P:
        return await self._plans().update_usage(self._owner(ctx), params, self.clock.now())
