"""Lambda (rest-json): functions, invoke and concurrency here; versions, aliases, policy, tags, event invoke
configuration, layers and function URLs in the mixins of versions.py, permissions.py, layer_api.py and
function_urls.py."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.lambda_ import functions
from millpond.services.lambda_.async_queue import AsyncQueue, SendToDestination
from millpond.services.lambda_.concurrency import Concurrency
from millpond.services.lambda_.event_sources.mapping import EventSourceMappings
from millpond.services.lambda_.function_urls import FunctionUrlsMixin
from millpond.services.lambda_.invoke import MAX_ASYNC_PAYLOAD, Invoker, check_payload
from millpond.services.lambda_.layer_api import LayersMixin
from millpond.services.lambda_.layers import LayerRepository
from millpond.services.lambda_.permissions import PermissionsMixin
from millpond.services.lambda_.record_cache import CachedLambdaRepository
from millpond.services.lambda_.repository import FunctionRecord, LambdaRepository
from millpond.services.lambda_.runtime.types import Runtime
from millpond.services.lambda_.versions import VersionsMixin

CODE_ROUTE = "/_millpond/lambda/code"
Params = dict[str, Any]
Result = dict[str, Any]


class LambdaProvider(VersionsMixin, PermissionsMixin, LayersMixin, FunctionUrlsMixin):
    code_route = CODE_ROUTE

    def __init__(
        self,
        repository: LambdaRepository,
        runtime: Runtime,
        clock: Clock,
        region: str,
        account: str,
        send: SendToDestination | None = None,
        concurrency: Concurrency | None = None,
        layers: LayerRepository | None = None,
    ) -> None:
        # Invokes read the function's record every time: decoded once, kept until a write changes it.
        self.records = CachedLambdaRepository(repository)
        self.repository: LambdaRepository = self.records
        self.runtime = runtime
        self.clock = clock
        self.concurrency = concurrency or Concurrency()
        self.layers = layers
        self.invoker = Invoker(self.repository, runtime, self.concurrency, clock, self.layer_code)
        self.async_queue = AsyncQueue(self.repository, self.invoker, clock, region, account, send)
        # Set by the server once the event sources (SQS, Kinesis) exist; None: mappings are not served.
        self.event_sources: EventSourceMappings | None = None
        # Set by the server once S3 exists: (bucket, key, version or None) -> the object's bytes.
        self.code_from_s3: Callable[[str, str, str | None], Awaitable[bytes]] | None = None
        self.url_functions: dict[str, str] = {}  # function URLs' url-id -> function name (function_urls.py)

    async def _zip(self, code: dict[str, Any]) -> bytes:
        """The code archive: Code.ZipFile, or the S3 object Code.S3Bucket/S3Key(/S3ObjectVersion) names."""
        if "ZipFile" in code:
            return bytes(code["ZipFile"])
        if code.get("S3Bucket") and code.get("S3Key") and self.code_from_s3 is not None:
            try:
                return await self.code_from_s3(code["S3Bucket"], code["S3Key"], code.get("S3ObjectVersion"))
            except AwsError as error:
                raise functions.invalid(
                    f"Error occurred while GetObject. S3 Error Code: {error.code}. "
                    f"S3 Error Message: {error.message}"
                ) from None
        raise functions.invalid(
            "millpond takes function code as ZipFile or S3Bucket/S3Key (images are not supported)."
        )

    async def close(self) -> None:
        if self.event_sources is not None:
            await self.event_sources.close()
        await self.async_queue.close()
        await self.runtime.close()

    async def reset(self) -> None:
        self.records.clear()  # the rows are gone (System.reset deleted them first)
        self.invoker.forget_layers()
        if self.event_sources is not None:
            await self.event_sources.reset()
        await self.async_queue.close()
        reset = getattr(self.runtime, "reset", None)
        if reset is not None:
            await reset()

    def _record(self, ctx: RequestContext, ref: str, qualifier: str | None = None) -> FunctionRecord:
        name, _ = functions.parse_ref(ref, qualifier)
        record = self.repository.get_function(name)
        if record is None:
            raise functions.not_found(ctx.region, ctx.account_id, name)
        return record

    async def _update(self, ctx: RequestContext, name: str, change: Any, code: bytes | None = None) -> Any:
        found = await self.repository.update_function(name, lambda r: (change(r), r)[1], code)
        if found is None:
            raise functions.not_found(ctx.region, ctx.account_id, name)
        return found

    # -- functions -----------------------------------------------------------------------------------------

    async def create_function(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["FunctionName"]
        if not functions.NAME.match(name):
            name, _ = functions.parse_ref(name)
            params = {**params, "FunctionName": name}
        if params.get("PackageType", "Zip") != "Zip":
            raise functions.invalid("millpond runs zip packages only; container images are not supported.")
        code = params.get("Code") or {}
        zip_bytes = await self._zip(code)
        if not params.get("Handler"):
            raise functions.invalid("Handler must be set for Zip packages.")
        functions.check_runtime(params.get("Runtime"))
        functions.check_settings(params)
        params = self._function_layers(ctx, params)
        sha, size = functions.code_details(zip_bytes)
        config = functions.new_configuration(params, ctx.region, ctx.account_id, sha, size, self.clock.now())
        record = FunctionRecord(name, config, dict(params.get("Tags") or {}))
        if not await self.repository.create_function(record, zip_bytes):
            raise AwsError("ResourceConflictException", f"Function already exist: {name}")
        if params.get("Publish"):
            # The published version as the create reports it: its Version, the unqualified FunctionArn
            # (LocalStack's snapshot-validated create_function: return_qualified_arn=False).
            version = await self._publish(ctx, name, None)
            return functions.as_reported({**version, "FunctionArn": config["FunctionArn"]}, creating=True)
        return functions.as_reported(config, creating=True)

    def get_function(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = self.invoker.resolve(
            ctx.region, ctx.account_id, params["FunctionName"], params.get("Qualifier")
        )
        version = target.version
        result: dict[str, Any] = {
            # FunctionArn as asked for: unqualified, or with the qualifier given (AWS-verified in moto's
            # test_get_function: Qualifier=$LATEST answers ...:function:name:$LATEST)
            "Configuration": {**target.config, "FunctionArn": target.invoked_arn},
            "Code": {
                "RepositoryType": "S3",
                "Location": f"{ctx.endpoint_url}{CODE_ROUTE}/{target.record.name}/{version}.zip",
            },
        }
        if target.record.tags:
            result["Tags"] = target.record.tags
        if target.record.reserved_concurrency is not None:
            result["Concurrency"] = {"ReservedConcurrentExecutions": target.record.reserved_concurrency}
        return result

    def code_archive(self, name: str, version: str, layer: str | None = None) -> bytes | None:
        """The zip GetFunction's Code.Location serves (None if there is no such function or version), or
        with `layer`, the zip of that layer's version (GetLayerVersion's Content.Location)."""
        if layer is not None:
            return self.layer_archive(layer, version)
        record = self.repository.get_function(name)
        if record is None:
            return None
        config = record.config if version == "$LATEST" else None
        if config is None and version.isdecimal():
            config = self.repository.get_version(name, int(version))
        return None if config is None else self.repository.get_code(config["CodeSha256"])

    def get_function_configuration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = self.invoker.resolve(
            ctx.region, ctx.account_id, params["FunctionName"], params.get("Qualifier")
        )
        return {**target.config, "FunctionArn": target.invoked_arn}

    @staticmethod
    def _check_revision(record: FunctionRecord, params: dict[str, Any]) -> None:
        if params.get("RevisionId") and params["RevisionId"] != record.config["RevisionId"]:
            raise functions.invalid(
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/"
                "GetAlias API to retrieve the latest Revision Id"
            ) from None

    async def update_function_code(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = self._record(ctx, params["FunctionName"]).name
        zip_bytes = await self._zip(params)
        sha, size = functions.code_details(zip_bytes)
        if params.get("DryRun"):
            return self._record(ctx, name).config
        now = self.clock.now()

        def change(record: FunctionRecord) -> None:
            self._check_revision(record, params)
            record.config.update(
                CodeSha256=sha,
                CodeSize=size,
                LastModified=functions.timestamp(now),
                RevisionId=str(uuid.uuid4()),
            )

        record = await self._update(ctx, name, change, zip_bytes)
        await self.runtime.discard(name)
        if params.get("Publish"):
            return await self._publish(ctx, name, None, force=True)
        return functions.as_reported(record.config, updating=True)

    async def update_function_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        name = self._record(ctx, params["FunctionName"]).name
        functions.check_settings(params)
        params = self._function_layers(ctx, params)
        now = self.clock.now()

        def change(record: FunctionRecord) -> None:
            self._check_revision(record, params)
            functions.apply_settings(record.config, params)
            record.config.update(LastModified=functions.timestamp(now), RevisionId=str(uuid.uuid4()))

        record = await self._update(ctx, name, change)
        await self.runtime.discard(name)
        return functions.as_reported(record.config, updating=True)

    def list_functions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        configs: list[dict[str, Any]] = []
        every_version = params.get("FunctionVersion") == "ALL"
        for record in self.repository.list_functions():
            configs.append(functions.listed_latest(record.config) if every_version else record.config)
            if every_version:
                configs.extend(self.repository.list_versions(record.name))
        return functions.paged(configs, params, "Functions")

    async def delete_function(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name, qualifier = functions.parse_ref(params["FunctionName"], params.get("Qualifier"))
        if qualifier == "$LATEST":
            raise functions.invalid("$LATEST version cannot be deleted without deleting the function.")
        if qualifier is not None:
            if not qualifier.isdecimal() or not await self.repository.delete_version(name, int(qualifier)):
                raise functions.not_found(ctx.region, ctx.account_id, name, qualifier)
        elif not await self.repository.delete_function(name):
            raise functions.not_found(ctx.region, ctx.account_id, name)
        await self.runtime.discard(name)
        return {"StatusCode": 204}

    # -- invoke --------------------------------------------------------------------------------------------

    async def invoke(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = self.invoker.resolve(
            ctx.region, ctx.account_id, params["FunctionName"], params.get("Qualifier")
        )
        kind = params.get("InvocationType") or "RequestResponse"
        if kind == "DryRun":
            return {"StatusCode": 204}
        if kind == "Event":
            payload = check_payload(params.get("Payload") or b"", MAX_ASYNC_PAYLOAD)
            # Even with reserved concurrency 0 the event is accepted (AWS-recorded); it is then throttled,
            # retried until its maximum age, and goes to the DLQ or OnFailure destination. The handler's
            # context.aws_request_id is the Invoke's own RequestId, as on AWS.
            await self.async_queue.enqueue(target, payload or b"{}", ctx.request_id)
            return {"StatusCode": 202}
        return await self.invoker.invoke_sync(target, ctx.region, params, ctx.request_id)

    # -- concurrency and account ---------------------------------------------------------------------------

    async def put_function_concurrency(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = self._record(ctx, params["FunctionName"]).name
        wanted = int(params["ReservedConcurrentExecutions"])
        others = sum(r.reserved_concurrency or 0 for r in self.repository.list_functions() if r.name != name)
        minimum = self.concurrency.min_unreserved
        if self.concurrency.account_limit - others - wanted < minimum:
            raise functions.invalid(
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{minimum}]."
            )

        def change(record: FunctionRecord) -> None:
            record.reserved_concurrency = wanted

        await self._update(ctx, name, change)
        return {"ReservedConcurrentExecutions": wanted}

    def get_function_concurrency(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        reserved = self._record(ctx, params["FunctionName"]).reserved_concurrency
        return {} if reserved is None else {"ReservedConcurrentExecutions": reserved}

    async def delete_function_concurrency(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        def change(record: FunctionRecord) -> None:
            record.reserved_concurrency = None

        await self._update(ctx, self._record(ctx, params["FunctionName"]).name, change)
        return {}

    def get_account_settings(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        records = self.repository.list_functions()
        reserved = sum(r.reserved_concurrency or 0 for r in records)
        return {
            "AccountLimit": {
                "TotalCodeSize": 80_530_636_800,
                "CodeSizeUnzipped": functions.MAX_UNZIPPED,
                "CodeSizeZipped": functions.MAX_ZIP,
                "ConcurrentExecutions": self.concurrency.account_limit,
                "UnreservedConcurrentExecutions": self.concurrency.account_limit - reserved,
            },
            "AccountUsage": {
                "TotalCodeSize": sum(int(r.config["CodeSize"]) for r in records),
                "FunctionCount": len(records),
            },
        }

    # -- event source mappings (services/lambda_/event_sources/mapping.py) ---------------------------------

    def _mappings(self) -> EventSourceMappings:
        if self.event_sources is None:
            raise AwsError(
                "ServiceException", "Event source mappings are not served.", 500, sender_fault=False
            )
        return self.event_sources

    async def create_event_source_mapping(self, ctx: RequestContext, params: Params) -> Result:
        return await self._mappings().create_event_source_mapping(ctx, params)

    def get_event_source_mapping(self, ctx: RequestContext, params: Params) -> Result:
        return self._mappings().get_event_source_mapping(ctx, params)

    def list_event_source_mappings(self, ctx: RequestContext, params: Params) -> Result:
        return self._mappings().list_event_source_mappings(ctx, params)

    async def update_event_source_mapping(self, ctx: RequestContext, params: Params) -> Result:
        return await self._mappings().update_event_source_mapping(ctx, params)

    async def delete_event_source_mapping(self, ctx: RequestContext, params: Params) -> Result:
        return await self._mappings().delete_event_source_mapping(ctx, params)
