"""Calling provider methods for the console: by AWS operation name, with the console's RequestContext,
exactly as the gateway calls them (sync reads and async writes alike). Only operations that the service's
botocore model defines can be called, so internals such as reset() or close() are out of reach.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Mapping
from typing import Any

import botocore.session
from botocore import xform_name

from millpond.context import RequestContext
from millpond.errors import AwsError

# Service names as providers are keyed -> botocore model names.
MODEL_NAMES = {"lambda": "lambda", "logs": "logs", "cloudwatch": "cloudwatch"}


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def operation_names(service: str) -> frozenset[str]:
    try:
        return frozenset(_session().get_service_model(MODEL_NAMES.get(service, service)).operation_names)
    except Exception:  # an unknown model: nothing is callable
        return frozenset()


class Caller:
    def __init__(self, providers: Mapping[str, object], ctx: RequestContext) -> None:
        self.providers = providers
        self.ctx = ctx

    def has(self, service: str) -> bool:
        return service in self.providers

    async def call(
        self, service: str, operation: str, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        provider = self.providers.get(service)
        if provider is None:
            raise AwsError("ServiceUnavailable", f"millpond does not serve {service} (yet)", 501)
        if operation not in operation_names(service):
            raise AwsError("InvalidAction", f"{service} has no operation {operation}", 400)
        method = getattr(provider, xform_name(operation), None)
        if method is None:
            raise AwsError("NotImplemented", f"millpond does not support {service} {operation} yet", 501)
        ctx = dataclasses.replace(self.ctx, service=service, operation=operation)
        result = method(ctx, dict(params or {}))
        if inspect.isawaitable(result):
            result = await result
        return dict(result or {})

    async def attempt(self, service: str, operation: str, params: dict[str, Any] | None = None) -> Any:
        """The result, or {"error": {...}} when the call fails (for views that show partial pages)."""
        try:
            return await self.call(service, operation, params)
        except AwsError as error:
            return {"error": {"code": error.code, "message": error.message}}
