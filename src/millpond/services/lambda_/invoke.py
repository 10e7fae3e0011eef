"""Invoke: resolve the qualifier, hold a concurrency slot, run in an environment, shape the answer as AWS.

Function errors are HTTP 200 with X-Amz-Function-Error: Unhandled; only throttles, validation and
conflicts are HTTP errors.
"""

from __future__ import annotations

import base64
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from millpond.clock import Clock
from millpond.errors import AwsError
from millpond.services.lambda_ import functions
from millpond.services.lambda_.concurrency import Concurrency
from millpond.services.lambda_.metrics import LambdaMetrics
from millpond.services.lambda_.repository import FunctionRecord, LambdaRepository
from millpond.services.lambda_.runtime.types import FunctionSpec, InvokeOutcome, InvokeRequest, Runtime

MAX_SYNC_PAYLOAD = 6_291_456
MAX_ASYNC_PAYLOAD = 1_048_576
TAIL_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Target:
    record: FunctionRecord
    config: dict[str, Any]  # of the version that runs
    version: str  # "$LATEST" or a number
    invoked_arn: str  # as the caller named it (qualified when a qualifier was given)


def trace_id(clock: Clock) -> str:
    return f"Root=1-{int(clock.now()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"


class Invoker:
    def __init__(
        self,
        repository: LambdaRepository,
        runtime: Runtime,
        concurrency: Concurrency,
        clock: Clock,
        layer_code: Callable[[str], str | None] | None = None,
    ) -> None:
        self.repository = repository
        # A layer version ARN -> its CodeSha256 (a layer version's content never changes, so kept once read).
        self._layer_code = layer_code
        self._layer_shas: dict[str, str] = {}
        self.runtime = runtime
        self.concurrency = concurrency
        self.clock = clock
        # AWS/Lambda datapoints (Invocations, Errors, Duration, Throttles, ...); set by the server.
        self.metrics: LambdaMetrics | None = None

    def resolve(self, region: str, account: str, ref: str, qualifier: str | None) -> Target:
        name, qualifier = functions.parse_ref(ref, qualifier)
        record = self.repository.get_function(name)
        if record is None:
            raise functions.not_found(region, account, name, qualifier)
        unqualified = functions.function_arn(region, account, name)
        if qualifier is None or qualifier == "$LATEST":
            arn = f"{unqualified}:$LATEST" if qualifier else unqualified
            return Target(record, record.config, "$LATEST", arn)
        version = qualifier
        if not qualifier.isdigit():
            alias = self.repository.get_alias(name, qualifier)
            if alias is None:
                raise functions.alias_not_found(region, account, name, qualifier)
            version = alias["FunctionVersion"]
            weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
            roll = random.random()
            for other, weight in weights.items():
                if roll < weight:
                    version = other
                    break
                roll -= weight
        if version == "$LATEST":
            return Target(record, record.config, "$LATEST", f"{unqualified}:{qualifier}")
        config = self.repository.get_version(name, int(version))
        if config is None:
            raise functions.not_found(region, account, name, qualifier)
        return Target(record, config, version, f"{unqualified}:{qualifier}")

    def spec(self, target: Target, region: str) -> FunctionSpec:
        config = target.config
        return FunctionSpec(
            name=config["FunctionName"],
            version=target.version,
            function_arn=config["FunctionArn"].rsplit(":", 1)[0]
            if target.version != "$LATEST"
            else config["FunctionArn"],
            handler=config["Handler"],
            runtime=config["Runtime"],
            timeout=int(config["Timeout"]),
            memory_size=int(config["MemorySize"]),
            code_sha256=config["CodeSha256"],
            revision_id=config["RevisionId"],
            log_group=config.get("LoggingConfig", {}).get("LogGroup")
            or f"/aws/lambda/{config['FunctionName']}",
            region=region,
            role=config["Role"],
            variables=dict((config.get("Environment") or {}).get("Variables") or {}),
            layers=tuple(self._layer_sha(layer["Arn"]) for layer in config.get("Layers") or []),
        )

    def forget_layers(self) -> None:
        """After a reset, a layer version ARN may come back with other content."""
        self._layer_shas.clear()

    def _layer_sha(self, arn: str) -> str:
        sha = self._layer_shas.get(arn)
        if sha is None:
            sha = self._layer_code(arn) if self._layer_code is not None else None
            if sha is None:
                raise AwsError("ServiceException", f"The content of layer version {arn} is missing.", 500)
            self._layer_shas[arn] = sha
        return sha

    async def run(
        self,
        target: Target,
        region: str,
        payload: bytes,
        *,
        wait: bool,
        client_context: str | None = None,
        request_id: str | None = None,
    ) -> tuple[str, InvokeOutcome]:
        """Run one invocation; (request id, outcome). Raises the throttle error when refused."""
        rid = request_id or str(uuid.uuid4())
        request = InvokeRequest(
            rid, payload or b"{}", target.invoked_arn, client_context, trace_id(self.clock)
        )
        name, metrics = target.record.name, self.metrics
        qualifier = target.invoked_arn.split(":")[7] if target.invoked_arn.count(":") >= 7 else None
        started = self.clock.now()
        try:
            async with self.concurrency.slot(name, target.record.reserved_concurrency, wait=wait):
                if metrics is not None:
                    in_flight = self.concurrency.in_flight.get(name, 0)
                    metrics.started(name, qualifier, in_flight, self.concurrency.total, started)
                begun = time.perf_counter()
                outcome = await self.runtime.invoke(self.spec(target, region), request)
        except AwsError as error:
            if metrics is not None and error.code == "TooManyRequestsException":
                metrics.count("Throttles", name, qualifier, started)
            raise
        if metrics is not None:
            elapsed = (time.perf_counter() - begun) * 1000
            failed = outcome.function_error is not None
            metrics.invocation(name, qualifier, target.version, started, elapsed, failed)
        return rid, outcome

    async def invoke_sync(
        self, target: Target, region: str, params: dict[str, Any], request_id: str | None = None
    ) -> dict[str, Any]:
        payload = check_payload(params.get("Payload") or b"", MAX_SYNC_PAYLOAD)
        context = params.get("ClientContext")
        _, outcome = await self.run(
            target, region, payload, wait=False, client_context=context, request_id=request_id
        )
        result: dict[str, Any] = {
            "StatusCode": 200,
            "Payload": outcome.payload,
            "ExecutedVersion": target.version,
        }
        if outcome.function_error:
            result["FunctionError"] = outcome.function_error
        if params.get("LogType") == "Tail":
            tail = outcome.log_tail.encode("utf-8")[-TAIL_BYTES:]
            result["LogResult"] = base64.b64encode(tail).decode()
        return result


def check_payload(payload: bytes, limit: int) -> bytes:
    if len(payload) > limit:
        operation = "InvokeFunction" if limit == MAX_SYNC_PAYLOAD else "InvokeFunctionAsync"
        raise AwsError(
            "RequestTooLargeException",
            f"Request must be smaller than {limit} bytes for the {operation} operation",
        )
    if payload.strip():
        try:
            json.loads(payload)
        except ValueError as exc:
            raise AwsError(
                "InvalidRequestContentException", f"Could not parse request body into json: {exc}"
            ) from None
    return payload
