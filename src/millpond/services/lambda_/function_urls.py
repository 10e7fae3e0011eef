"""Function URL configurations: Create/Get/Update/Delete/ListFunctionUrlConfigs, and finding a URL's function.

A function has at most one URL per qualifier: unqualified ($LATEST) or an alias, never a version number. The
configurations live in the function's record (FunctionRecord.url_configs, by qualifier), so deleting the
function deletes them. Each holds its 32-character url-id; the URL is built from it and the endpoint the
client called (http://<url-id>.lambda-url.<region>.localhost:<port>/; on AWS https://...on.aws/).
Serving the URL itself is url_invoke.py's.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.lambda_ import functions
from millpond.services.lambda_.repository import FunctionRecord, LambdaRepository
from millpond.validation import validation_error, violation

URL_ID_ALPHABET = string.ascii_lowercase + string.digits
QUALIFIER_PATTERN = "((?!^\\d+$)^[0-9a-zA-Z-_]+$)"  # the model's FunctionUrlQualifier
CORS_MEMBERS = ("AllowCredentials", "AllowHeaders", "AllowMethods", "AllowOrigins", "ExposeHeaders", "MaxAge")
SHOWN = ("FunctionArn", "AuthType", "Cors", "CreationTime", "LastModifiedTime", "InvokeMode")


def new_url_id() -> str:
    return "".join(secrets.choice(URL_ID_ALPHABET) for _ in range(32))


def url_of(url_id: str, region: str, endpoint_url: str) -> str:
    """The URL a client reaches the function at, on the port it called millpond on."""
    endpoint = urlsplit(endpoint_url)
    port = f":{endpoint.port}" if endpoint.port else ""
    return f"{endpoint.scheme or 'http'}://{url_id}.lambda-url.{region}.localhost{port}/"


def config_not_found() -> AwsError:
    # AWS's wording for a function (or alias) with no URL configuration (LocalStack's AWS-validated snapshots)
    return AwsError("ResourceNotFoundException", "The resource you requested does not exist.")


def function_not_found() -> AwsError:
    # The URL operations word an unknown function (or alias) this way, not "Function not found: <arn>"
    # (LocalStack's AWS-validated test_url_config_exceptions).
    return AwsError("ResourceNotFoundException", "Function does not exist")


def _cors(value: Any) -> dict[str, Any] | None:
    if not value:
        return None
    return {key: value[key] for key in CORS_MEMBERS if key in value}


class FunctionUrlsMixin:
    repository: LambdaRepository
    clock: Clock
    _update: Callable[..., Awaitable[Any]]
    url_functions: dict[str, str]  # url-id -> function name, per node (set up by the provider)

    def _url_target(
        self, ctx: RequestContext, params: dict[str, Any], *, check_alias: bool = True
    ) -> tuple[FunctionRecord, str, str]:
        """(record, qualifier key, FunctionArn) a URL call names; the key is "$LATEST" when unqualified."""
        name, qualifier = functions.parse_ref(params["FunctionName"], params.get("Qualifier"))
        if qualifier is not None and qualifier.isdecimal():
            # A version number cannot have a URL: the model's pattern refuses it.
            raise validation_error(
                [
                    violation(
                        qualifier,
                        "qualifier",
                        f"Member must satisfy regular expression pattern: {QUALIFIER_PATTERN}",
                    )
                ]
            )
        record = self.repository.get_function(name)
        if record is None:
            raise function_not_found()
        key = qualifier or "$LATEST"
        if check_alias and key != "$LATEST" and self.repository.get_alias(name, key) is None:
            raise function_not_found()
        return record, key, functions.function_arn(ctx.region, ctx.account_id, name, qualifier)

    def _shown(self, ctx: RequestContext, config: dict[str, Any]) -> dict[str, Any]:
        region = config["FunctionArn"].split(":")[3]
        shown = {"FunctionUrl": url_of(config["UrlId"], region, ctx.endpoint_url)}
        shown.update((key, config[key]) for key in SHOWN if key in config)
        return shown

    async def create_function_url_config(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record, key, arn = self._url_target(ctx, params)
        now = functions.timestamp(self.clock.now())
        config: dict[str, Any] = {
            "UrlId": new_url_id(),
            "FunctionArn": arn,
            "AuthType": params["AuthType"],
            "CreationTime": now,
            "LastModifiedTime": now,
            "InvokeMode": params.get("InvokeMode") or "BUFFERED",
        }
        cors = _cors(params.get("Cors"))
        if cors is not None:
            config["Cors"] = cors

        def change(found: FunctionRecord) -> None:
            if key in found.url_configs:
                raise AwsError(
                    "ResourceConflictException",
                    f"Failed to create function url config for [functionArn = {arn}]. "
                    "Error message:  FunctionUrlConfig exists for this Lambda function",  # two spaces, as AWS
                )
            found.url_configs[key] = config

        await self._update(ctx, record.name, change)
        shown = self._shown(ctx, config)
        del shown["LastModifiedTime"]  # CreateFunctionUrlConfig's answer has no LastModifiedTime
        return shown

    def get_function_url_config(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record, key, _ = self._url_target(ctx, params)
        config = record.url_configs.get(key)
        if config is None:
            raise config_not_found()
        return self._shown(ctx, config)

    async def update_function_url_config(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record, key, _ = self._url_target(ctx, params)
        now = functions.timestamp(self.clock.now())

        def change(found: FunctionRecord) -> dict[str, Any]:
            config = found.url_configs.get(key)
            if config is None:
                raise config_not_found()
            if params.get("AuthType"):
                config["AuthType"] = params["AuthType"]
            if params.get("InvokeMode"):
                config["InvokeMode"] = params["InvokeMode"]
            if "Cors" in params:  # a new Cors replaces the old one whole
                cors = _cors(params["Cors"])
                if cors is None:
                    config.pop("Cors", None)
                else:
                    config["Cors"] = cors
            config["LastModifiedTime"] = now
            return dict(config)

        config = await self._update_returning(ctx, record.name, change)
        return self._shown(ctx, config)

    async def delete_function_url_config(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record, key, _ = self._url_target(ctx, params)

        def change(found: FunctionRecord) -> None:
            if found.url_configs.pop(key, None) is None:
                raise config_not_found()

        await self._update(ctx, record.name, change)
        return {}

    def list_function_url_configs(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name, _ = functions.parse_ref(params["FunctionName"])
        record = self.repository.get_function(name)
        if record is None:
            raise function_not_found()
        configs = [self._shown(ctx, record.url_configs[key]) for key in sorted(record.url_configs)]
        return functions.paged(configs, params, "FunctionUrlConfigs")

    async def _update_returning(
        self, ctx: RequestContext, name: str, change: Callable[[FunctionRecord], dict[str, Any]]
    ) -> dict[str, Any]:
        found = await self.repository.update_function(name, change)
        if found is None:
            raise function_not_found()
        return found

    # -- the data plane's lookup ---------------------------------------------------------------------------

    def find_url(self, url_id: str) -> tuple[FunctionRecord, str, dict[str, Any]] | None:
        """(record, qualifier key, configuration) of the URL with this url-id, or None.

        The url-id's function is remembered per node; a hit is checked against the (cached) record, a
        miss scans every function once.
        """
        names = self.url_functions
        known = names.get(url_id)
        candidates = [r for r in [self.repository.get_function(known)] if r] if known else []
        for record in candidates or self.repository.list_functions():
            for key, config in record.url_configs.items():
                if config.get("UrlId") == url_id:
                    names[url_id] = record.name
                    return record, key, config
        names.pop(url_id, None)
        return None
