"""The AWS request path: route, parse, call the provider, serialize the result or the AWS error.

Providers are plain objects handed in by the server, one per service, with one method per operation
named as botocore's xform_name (`send_message`), called as `method(ctx, params)`; a missing method
means the operation is not supported yet.
"""

from __future__ import annotations

import inspect
import json
import logging
import time
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, Protocol
from xml.sax.saxutils import escape

from botocore import xform_name

from millpond.context import RequestContext
from millpond.errors import AwsError, not_implemented
from millpond.ids import random_uuid
from millpond.protocol import cbor, cors, json_, query, rest_json, rest_xml, rpcv2_cbor, s3_routing, specs
from millpond.protocol.constraints import check_constraints
from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.protocol.required import check_required
from millpond.protocol.routing import Route, UnknownOperation, queue_path, route

log = logging.getLogger("millpond.requests")

CODECS: dict[str, ModuleType] = {
    "json": json_,
    "cbor": cbor,
    "smithy-rpc-v2-cbor": rpcv2_cbor,
    "query": query,
    "rest-json": rest_json,
    "rest-xml": rest_xml,
}


def new_request_id() -> str:
    return random_uuid()


class Authorizer(Protocol):
    """IAM enforcement, injected at wiring (protocol/ knows no services): both raise AwsError to refuse."""

    def authenticate(self, found: Route, request: HttpRequest) -> object:
        """Check the SigV4 signature before parsing; returns who signed it."""
        ...

    def authorize(
        self,
        identity: object,
        found: Route,
        request: HttpRequest,
        params: dict[str, Any],
        ctx: RequestContext,
    ) -> None:
        """Check the parsed request against IAM policies before the provider runs."""
        ...


class Gateway:
    def __init__(
        self,
        providers: Mapping[str, object],
        account_id: str,
        default_region: str,
        authorizer: Authorizer | None = None,
    ) -> None:
        self.providers = providers
        self.account_id = account_id
        self.default_region = default_region
        self.authorizer = authorizer  # None: any credentials work (IAM enforcement off)
        self._methods: dict[tuple[str, str], Callable[..., Any] | None] = {}
        # Set by the server once S3 exists: whether a bucket of that name exists.
        self.bucket_exists: Callable[[str], bool] | None = None

    def _unsigned_s3(self, request: HttpRequest) -> Route | None:
        """An unsigned path-style request to an existing bucket (`curl localhost:4566/bucket/key`) is S3's;
        any other unknown path keeps its unknown-operation answer."""
        if self.bucket_exists is None or "authorization" in request.headers:
            return None
        bucket = request.path.lstrip("/").split("/", 1)[0]
        if not bucket or not self.bucket_exists(bucket):
            return None
        found = s3_routing.match(request)
        return Route("s3", "rest-xml", found[0], labels=found[1]) if found is not None else None

    def _method(self, service: str, operation: str) -> Callable[..., Any] | None:
        key = (service, operation)
        try:
            return self._methods[key]
        except KeyError:
            method = self._methods[key] = getattr(self.providers.get(service), xform_name(operation), None)
            return method

    async def handle(self, request: HttpRequest, endpoint_url: str) -> HttpResponse:
        request_id = new_request_id()
        logging_requests = log.isEnabledFor(logging.INFO)
        started = time.perf_counter() if logging_requests else 0.0
        if (preflight := cors.preflight(request, request_id)) is not None:
            return preflight
        try:
            found = route(request)
        except UnknownOperation as error:
            unsigned_s3 = self._unsigned_s3(request)
            if unsigned_s3 is not None:
                return await self._call(unsigned_s3, request, endpoint_url, request_id)
            if cors.names_no_operation(request):
                response = cors.access_denied(request_id)
            else:
                response = unknown_operation_response(error, request_id)
            if logging_requests:
                log.info("%s %s -> %s (unknown operation)", request.method, request.path, response.status)
            return cors.add_headers(request, response)
        response = await self._call(found, request, endpoint_url, request_id)
        if logging_requests:
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s.%s %s %.1fms", found.service, found.operation.name, response.status, elapsed)
        if found.service == "s3":
            return response  # S3 answers browsers from the bucket's own CORS rules (server/s3.py)
        return cors.add_headers(request, response)

    async def _call(
        self, found: Route, request: HttpRequest, endpoint_url: str, request_id: str
    ) -> HttpResponse:
        codec = CODECS[found.protocol]
        operation = found.operation
        try:
            identity = self.authorizer.authenticate(found, request) if self.authorizer is not None else None
            if request.stream is not None and not operation.has_streaming_input:
                request.body = await _read_whole(request)
            params = codec.parse_request(operation, request, found.labels)
            if found.service == "sqs" and "QueueUrl" not in params and (path := queue_path(request)):
                # Requests sent to a queue URL itself may omit QueueUrl, as AWS allows.
                params["QueueUrl"] = endpoint_url + path
            if operation.name == "SendMessage" and found.service == "sqs":
                trace_header(request, params)
            check_required(found.service, operation.input_shape, params)
            check_constraints(found.service, operation.input_shape, params)
            scope = found.scope
            ctx = RequestContext(
                account_id=self.account_id,
                region=scope.region if scope and scope.region else self.default_region,
                request_id=request_id,
                endpoint_url=endpoint_url,
                service=found.service,
                operation=operation.name,
                access_key_id=scope.access_key_id if scope else None,
                session_token=request.headers.get("x-amz-security-token"),
            )
            if self.authorizer is not None:
                self.authorizer.authorize(identity, found, request, params, ctx)
            method = self._method(found.service, operation.name)
            if method is None:
                raise not_implemented(specs.SERVED_SERVICES[found.service], operation.name)
            result = method(ctx, params)
            if inspect.isawaitable(result):  # providers mix sync (reads) and async (writes) methods
                result = await result
            return codec.serialize_response(operation, result or {}, request_id)
        except AwsError as error:
            await _drain(request)
            return codec.serialize_error(operation.service_model, error, request_id)
        except Exception:
            log.exception("internal error in %s.%s", found.service, operation.name)
            failure = AwsError("InternalFailure", "millpond hit an internal error", 500, sender_fault=False)
            return codec.serialize_error(operation.service_model, failure, request_id)


def trace_header(request: HttpRequest, params: dict[str, Any]) -> None:
    """SendMessage takes AWSTraceHeader from the X-Amzn-Trace-Id header if none is set (AWS-recorded)."""
    trace = request.headers.get("x-amzn-trace-id")
    system = params.get("MessageSystemAttributes") or {}
    if trace and "AWSTraceHeader" not in system:
        params["MessageSystemAttributes"] = {
            **system,
            "AWSTraceHeader": {"DataType": "String", "StringValue": trace},
        }


MAX_DOCUMENT_BODY = 32 * 1024 * 1024
# An upload refused before it was read is read to its end, up to this much, so the client that is still
# sending it gets the answer rather than a reset connection.
MAX_DRAINED_BODY = 64 * 1024 * 1024


async def _drain(request: HttpRequest) -> None:
    if request.stream is None:
        return
    left = MAX_DRAINED_BODY
    try:
        async for chunk in request.stream:
            left -= len(chunk)
            if left <= 0:
                return
    except (ConnectionError, ValueError):
        return


async def _read_whole(request: HttpRequest) -> bytes:
    """The body of a streamed request whose operation takes a document, not a stream."""
    assert request.stream is not None
    stream, request.stream = request.stream, None
    try:
        return await stream.read(MAX_DOCUMENT_BODY)
    except ValueError as exc:
        raise AwsError(
            "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400
        ) from exc


def unknown_operation_response(error: UnknownOperation, request_id: str) -> HttpResponse:
    """AWS's answer to a request no served operation matches, in the style the client speaks."""
    if error.service is not None:
        model = specs.service_model(error.service, "query" if error.protocol == "query" else None)
        return CODECS[error.protocol].serialize_error(model, error, request_id)
    if error.protocol == "query":
        body = (
            "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>"
            f"<Message>{escape(error.message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
        return HttpResponse(400, headers, body.encode())
    body_json = json.dumps({"__type": error.code, "message": error.message}).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("x-amzn-RequestId", request_id),
        ("x-amzn-ErrorType", error.code),
    ]
    return HttpResponse(error.status or 400, headers, body_json)
