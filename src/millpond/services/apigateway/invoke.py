"""The data plane: an invoke URL request -> stage -> deployment snapshot -> route -> integration -> response.

Lambda is called through the Lambda provider's own invoke (handed in at wiring), never over HTTP. The
integration timeout (timeoutInMillis, 29 s by default) is measured on the injected clock: the function
keeps running past it, as on AWS, but the client gets 504 at once. An invoke URL names the API by id only;
the API's record says which account and region it lives in, and so what requestContext and source ARNs say.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.apigateway import (
    authorizers,
    aws_integration,
    http_proxy,
    mapping,
    mock,
    proxy_event,
    proxy_response,
    routing,
)
from millpond.services.apigateway.integrations import DEFAULT_TIMEOUT_MS, LAMBDA_URI
from millpond.services.apigateway.repository import ApiGatewayRepository, Owner, RestApiRecord
from millpond.services.apigateway.request import ExecuteRequest, ExecuteResponse
from millpond.services.apigateway.usage_plans import UsagePlans

log = logging.getLogger("millpond.apigateway")

T = TypeVar("T")
LambdaInvoke = Callable[[RequestContext, dict[str, Any]], Awaitable[dict[str, Any]]]
STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([a-zA-Z0-9_]+)\}")


class IntegrationTimeout(Exception):
    pass


def error_response(status: int, message: str, error_type: str | None = None) -> ExecuteResponse:
    headers = [("Content-Type", "application/json")]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    return ExecuteResponse(status, headers, json.dumps({"message": message}).encode())


def missing_token() -> ExecuteResponse:
    # No resource/method matches: 403, as if the caller had failed to sign the request.
    return error_response(403, "Missing Authentication Token", "MissingAuthenticationTokenException")


def forbidden() -> ExecuteResponse:
    return error_response(403, "Forbidden", "ForbiddenException")


def internal_error(status: int = 500) -> ExecuteResponse:
    return error_response(status, "Internal server error", "InternalServerErrorException")


def timed_out() -> ExecuteResponse:
    return error_response(504, "Endpoint request timed out")


class ExecuteApi:
    def __init__(
        self,
        repository: ApiGatewayRepository,
        clock: Clock,
        lambda_invoke: LambdaInvoke | None,
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.lambda_invoke = lambda_invoke
        self._snapshots: dict[tuple[str, str], dict[str, Any]] = {}  # deployments never change
        self._running: set[asyncio.Future[Any]] = set()  # integrations the client stopped waiting for
        self.authorizer_cache = authorizers.AuthorizerCache()
        self.aws_call: aws_integration.AwsCall | None = None  # a millpond service, for AWS integrations
        self.usage_plans: UsagePlans | None = None  # API keys and usage plans (methods with apiKeyRequired)
        # With IAM enforcement: (function, execute-api source ARN) -> may API Gateway invoke it?
        self.invoke_permission: Callable[[str, str], bool] | None = None

    async def close(self) -> None:
        for task in list(self._running):
            task.cancel()
        for task in list(self._running):
            with contextlib.suppress(BaseException):
                await task
        self._running.clear()

    def _snapshot(self, api_id: str, deployment_id: str) -> dict[str, Any] | None:
        key = (api_id, deployment_id)
        if key not in self._snapshots:
            found = self.repository.get_snapshot(api_id, deployment_id)
            if found is None:
                return None
            self._snapshots[key] = found
        return self._snapshots[key]

    async def handle(self, request: ExecuteRequest) -> ExecuteResponse:
        now = self.clock.now()
        request_id = str(uuid.uuid4())
        extended_id = proxy_event.extended_request_id()
        trace = proxy_event.trace_id(now)
        response = await self._serve(request, request_id, extended_id, trace, now)
        response.headers.extend(
            [("x-amzn-RequestId", request_id), ("x-amz-apigw-id", extended_id), ("X-Amzn-Trace-Id", trace)]
        )
        return response

    async def _serve(
        self, request: ExecuteRequest, request_id: str, extended_id: str, trace: str, now: float
    ) -> ExecuteResponse:
        record = self.repository.get_api(request.api_id)
        stage = record.stages.get(request.stage) if record is not None else None
        if record is None or stage is None:
            return forbidden()
        snapshot = self._snapshot(request.api_id, stage["deploymentId"])
        if snapshot is None or snapshot.get("disableExecuteApiEndpoint"):
            return forbidden()
        found = routing.match(snapshot["resources"], request.method, request.path)
        if found is None:
            return missing_token()
        variables = dict(stage.get("variables") or {})
        ids = (request_id, extended_id, trace)
        authorizer_context = None
        if found.method.get("authorizationType") == "CUSTOM":
            verdict = await self._authorize(request, record, snapshot, found, variables, stage, ids, now)
            if verdict.status is not None:
                return _refused(verdict)
            authorizer_context = verdict.context
        if found.method.get("apiKeyRequired"):
            refusal = await self._admit(request, record, now)
            if refusal is not None:
                return refusal
        return await self.integrate(
            request, record, snapshot, found, variables, stage["deploymentId"], ids, now, authorizer_context
        )

    async def _admit(
        self, request: ExecuteRequest, record: RestApiRecord, now: float
    ) -> ExecuteResponse | None:
        """An API key and its usage plan's throttle and quota, for a method that requires a key."""
        if self.usage_plans is None:
            return forbidden()
        found = await self.usage_plans.admit(
            record.owner, request.api_id, request.stage, request.header("x-api-key"), now
        )
        if found == "throttled":
            return error_response(429, "Too Many Requests", "TooManyRequestsException")
        if found == "quota":
            return error_response(429, "Limit Exceeded", "LimitExceededException")
        return forbidden() if found else None

    async def _authorize(
        self,
        request: ExecuteRequest,
        record: RestApiRecord,
        snapshot: dict[str, Any],
        found: routing.RouteMatch,
        variables: dict[str, str],
        stage: dict[str, Any],
        ids: tuple[str, str, str],
        now: float,
    ) -> authorizers.Verdict:
        """Run the method's Lambda authorizer (or take its cached answer) and judge the policy."""
        authorizer = (snapshot.get("authorizers") or {}).get(found.method.get("authorizerId") or "")
        if authorizer is None or authorizer.get("type") not in ("TOKEN", "REQUEST"):
            return authorizers.Verdict(500)
        values = authorizers.identity_values(authorizer, request, variables)
        expression = authorizer.get("identityValidationExpression")
        if values is None or (
            authorizer["type"] == "TOKEN" and expression and not re.fullmatch(expression, values[0])
        ):
            return authorizers.Verdict(401, "Unauthorized")
        owner = record.owner
        method_arn = (
            f"arn:aws:execute-api:{owner.region}:{owner.account_id}:{request.api_id}/{request.stage}/"
            f"{request.method}{request.path}"
        )
        ttl = int(authorizer.get("authorizerResultTtlInSeconds", authorizers.DEFAULT_TTL))
        key = (request.api_id, authorizer["id"], tuple(values))
        answer = self.authorizer_cache.get(key, now) if ttl else None
        if answer is None:
            event = _event(request, found, record, snapshot, variables, stage["deploymentId"], ids, now)
            outcome, answer = await self._run_authorizer(
                authorizer, authorizers.event_for(authorizer, request, method_arn, values, event), owner
            )
            if outcome == "unauthorized":
                return authorizers.Verdict(401, "Unauthorized")
            if outcome == "error":
                return authorizers.Verdict(500)
            if ttl:
                self.authorizer_cache.put(key, answer, now + ttl)
        return authorizers.judge(answer, method_arn)

    async def _run_authorizer(
        self, authorizer: dict[str, Any], event: dict[str, Any], owner: Owner
    ) -> tuple[str, Any]:
        target = LAMBDA_URI.match(authorizer.get("authorizerUri") or "")
        if target is None or self.lambda_invoke is None:
            return "error", None
        ctx = RequestContext(
            owner.account_id, target.group("region"), str(uuid.uuid4()), "", "lambda", "Invoke"
        )
        params = {"FunctionName": target.group("function"), "Payload": json.dumps(event).encode()}
        try:
            result = await self._within(DEFAULT_TIMEOUT_MS / 1000, self._invoke(ctx, params))
        except (IntegrationTimeout, AwsError) as error:
            log.warning("authorizer %s could not run: %s", authorizer["id"], error)
            return "error", None
        payload = result.get("Payload") or b""
        return authorizers.parse_answer(
            payload if isinstance(payload, bytes) else str(payload).encode(), result.get("FunctionError")
        )

    async def integrate(
        self,
        request: ExecuteRequest,
        record: RestApiRecord,
        snapshot: dict[str, Any],
        found: routing.RouteMatch,
        variables: dict[str, str],
        deployment_id: str,
        ids: tuple[str, str, str],
        now: float,
        authorizer: dict[str, Any] | None = None,
    ) -> ExecuteResponse:
        """Run the matched method's integration (invoke URLs and TestInvokeMethod alike)."""
        integration = found.method["methodIntegration"]
        kind = integration["type"]
        if kind == "MOCK":
            return mock.respond(request, integration) or internal_error()
        timeout = int(integration.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS) / 1000
        if kind == "HTTP_PROXY":
            try:
                return await self._within(timeout, http_proxy.forward(request, found, integration, variables))
            except IntegrationTimeout:
                return timed_out()
        if kind not in ("AWS_PROXY", "AWS"):
            return internal_error()
        event = _event(request, found, record, snapshot, variables, deployment_id, ids, now)
        if authorizer is not None:
            event["requestContext"]["authorizer"] = authorizer
        if kind == "AWS":
            return await self._aws(request, record.owner, integration, found, event, variables, timeout)
        return await self._lambda_proxy(
            request, record.owner, integration, event, variables, snapshot, timeout
        )

    async def _aws(
        self,
        request: ExecuteRequest,
        owner: Owner,
        integration: dict[str, Any],
        found: routing.RouteMatch,
        event: dict[str, Any],
        variables: dict[str, str],
        timeout: float,
    ) -> ExecuteResponse:
        """A non-proxy AWS integration: mapped request, Lambda or a service action, mapped response."""
        params = mapping.request_params(request.headers, request.query_string, found.path_parameters)
        context = event["requestContext"]
        try:
            body = aws_integration.request_body(integration, request, params, context, variables)
            if body is None:
                return error_response(415, "Unsupported Media Type", "UnsupportedMediaTypeException")
            target = LAMBDA_URI.match(integration.get("uri") or "")
            if target is not None and self.lambda_invoke is not None:
                ctx = RequestContext(
                    owner.account_id,
                    target.group("region"),
                    str(uuid.uuid4()),
                    request.endpoint_url,
                    "lambda",
                    "Invoke",
                )
                call = {"FunctionName": target.group("function"), "Payload": body}
                result = await self._within(timeout, self._invoke(ctx, call))
                payload = result.get("Payload") or b""
                payload = payload if isinstance(payload, bytes) else str(payload).encode()
                selector = aws_integration.lambda_selector(payload, result.get("FunctionError"))
                return aws_integration.method_response(
                    integration, selector, 200, [], payload, params, context, variables
                )
            call_spec = aws_integration.service_call(integration, request, params, body)
            if call_spec is None or self.aws_call is None:
                log.warning(
                    "API %s: integration URI %s names no AWS action", request.api_id, integration.get("uri")
                )
                return internal_error()
            status, headers, answer = await self._within(timeout, self.aws_call(call_spec))
            return aws_integration.method_response(
                integration, str(status), status, headers, answer, params, context, variables
            )
        except IntegrationTimeout:
            return timed_out()
        except (mapping.MappingError, AwsError) as error:
            log.warning("API %s: AWS integration failed: %s", request.api_id, error)
            return internal_error()

    async def _within(self, timeout: float, work: Awaitable[T]) -> T:
        """`work`'s result, or IntegrationTimeout once `timeout` seconds pass on the clock."""
        task = asyncio.ensure_future(work)
        timer = asyncio.ensure_future(self.clock.sleep(timeout))
        done, _ = await asyncio.wait({task, timer}, return_when=asyncio.FIRST_COMPLETED)
        timer.cancel()
        if task in done:
            return task.result()
        # The integration keeps running (a Lambda function is not stopped by API Gateway giving up).
        self._running.add(task)
        task.add_done_callback(self._finished)
        raise IntegrationTimeout

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.info("integration finished after the client got 504: %s", task.exception())

    async def _lambda_proxy(
        self,
        request: ExecuteRequest,
        owner: Owner,
        integration: dict[str, Any],
        event: dict[str, Any],
        variables: dict[str, str],
        snapshot: dict[str, Any],
        timeout: float,
    ) -> ExecuteResponse:
        uri = STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), integration.get("uri") or "")
        target = LAMBDA_URI.match(uri)
        if target is None or self.lambda_invoke is None:
            log.warning("API %s: integration URI %s names no Lambda function", request.api_id, uri)
            return internal_error()
        if integration.get("httpMethod") != "POST":
            # AWS takes a non-POST integration method for AWS_PROXY but every call then fails with 500.
            return internal_error()
        if self.invoke_permission is not None:
            context = event["requestContext"]
            source_arn = (
                f"arn:aws:execute-api:{owner.region}:{owner.account_id}:{request.api_id}/{context['stage']}/"
                f"{context['httpMethod']}{context['resourcePath']}"
            )
            if not self.invoke_permission(target.group("function"), source_arn):
                # AWS: "Execution failed due to configuration error: Invalid permissions on Lambda function".
                log.warning("API %s: invalid permissions on Lambda function %s", request.api_id, uri)
                return internal_error()
        ctx = RequestContext(
            account_id=owner.account_id,
            # The integration URI's region is the Lambda function's (arn:aws:apigateway:<region>:lambda:...).
            region=target.group("region"),
            # The function's invocation has a request id of its own, not the API request's (as on AWS).
            request_id=str(uuid.uuid4()),
            endpoint_url=request.endpoint_url,
            service="lambda",
            operation="Invoke",
        )
        params = {
            "FunctionName": target.group("function"),
            "InvocationType": "RequestResponse",
            "Payload": json.dumps(event).encode(),
        }
        try:
            result = await self._within(timeout, self._invoke(ctx, params))
        except IntegrationTimeout:
            return timed_out()
        except AwsError as error:
            # Missing function, throttling, bad permissions: "Execution failed due to configuration error".
            log.warning("API %s: Lambda invoke failed: %s", request.api_id, error)
            return internal_error()
        return _proxy_result(result, request, snapshot)

    async def _invoke(self, ctx: RequestContext, params: dict[str, Any]) -> Any:
        assert self.lambda_invoke is not None
        return await self.lambda_invoke(ctx, params)


def _event(
    request: ExecuteRequest,
    found: routing.RouteMatch,
    record: RestApiRecord,
    snapshot: dict[str, Any],
    variables: dict[str, str],
    deployment_id: str,
    ids: tuple[str, str, str],
    now: float,
) -> dict[str, Any]:
    """The proxy event of a request (what AWS_PROXY integrations and REQUEST authorizers are given)."""
    request_id, extended_id, trace = ids
    return proxy_event.build(
        request,
        found,
        account_id=record.owner.account_id,
        deployment_id=deployment_id,
        stage_variables=variables,
        binary_media_types=snapshot["binaryMediaTypes"],
        request_id=request_id,
        extended_id=extended_id,
        trace=trace,
        now=now,
    )


def _refused(verdict: authorizers.Verdict) -> ExecuteResponse:
    if verdict.status == 401:
        return error_response(401, "Unauthorized", "UnauthorizedException")
    if verdict.status == 403:
        # An authorizer's refusal spells the key with a capital M, unlike API Gateway's other errors.
        body = json.dumps({"Message": verdict.message}).encode()
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException")]
        return ExecuteResponse(403, headers, body)
    body = json.dumps({"message": None}).encode()
    return ExecuteResponse(
        500,
        [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AuthorizerConfigurationException")],
        body,
    )


def _proxy_result(result: Any, request: ExecuteRequest, snapshot: dict[str, Any]) -> ExecuteResponse:
    if result.get("FunctionError"):
        # "Lambda execution failed with status 200 due to customer function error".
        return internal_error(502)
    payload = result.get("Payload") or b""
    if isinstance(payload, str):
        payload = payload.encode()
    try:
        return proxy_response.translate(payload, request.header("Accept"), snapshot["binaryMediaTypes"])
    except proxy_response.MalformedProxyResponse as error:
        log.info("API %s: malformed Lambda proxy response: %s", request.api_id, error)
        return internal_error(502)
