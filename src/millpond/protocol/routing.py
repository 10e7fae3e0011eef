"""Which service, protocol and operation a request is for, all on one port.

Order (aws-facts §1.2, §12): S3 (signed for s3, or an S3 Host: s3_routing); X-Amz-Target; the
smithy-rpc-v2-cbor path; query `Action` (service from
the SigV4 scope, else `Version`, else the queue-URL path); rest-json paths (Lambda's dated prefixes,
then API Gateway). Anything else is answered as AWS answers an unknown operation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import parse_qs

from botocore.model import OperationModel

from millpond.errors import AwsError
from millpond.protocol import rest_json, s3_routing, specs
from millpond.protocol.http import HttpRequest
from millpond.protocol.sigv4 import CredentialScope, credential_scope

# X-Amz-Target prefix -> service
TARGET_PREFIXES: dict[str, str] = {
    "AmazonSQS": "sqs",
    "Kinesis_20131202": "kinesis",
    "GraniteServiceVersion20100801": "cloudwatch",
    "Logs_20140328": "logs",
}
# query API Version -> service
QUERY_VERSIONS: dict[str, str] = {
    "2012-11-05": "sqs",
    "2010-05-08": "iam",
    "2011-06-15": "sts",
    "2010-08-01": "cloudwatch",
    "2010-03-31": "sns",
}
# SigV4 signing name -> service
SIGNING_NAMES: dict[str, str] = {
    "sqs": "sqs",
    "kinesis": "kinesis",
    "lambda": "lambda",
    "apigateway": "apigateway",
    "execute-api": "apigateway",
    "iam": "iam",
    "sts": "sts",
    "monitoring": "cloudwatch",
    "logs": "logs",
    "sns": "sns",
    "s3": "s3",
}
CBOR_CONTENT_TYPES = ("application/x-amz-cbor-1.1", "application/cbor")
RPC_V2_PATH = re.compile(r"^/service/(?P<service>[^/]+)/operation/(?P<operation>[^/]+)$")
QUEUE_PATH = re.compile(r"^/(?P<account>\d{12})/(?P<queue>[A-Za-z0-9_-]{1,80}(?:\.fifo)?)/?$")
LAMBDA_PATH = re.compile(r"^/20\d\d-\d\d-\d\d/")


@dataclass(slots=True)
class Route:
    service: str
    protocol: str
    operation: OperationModel
    labels: dict[str, str] = field(default_factory=dict)
    scope: CredentialScope | None = None


class UnknownOperation(AwsError):
    """Raised when no served operation matches; carries the protocol style to answer in."""

    def __init__(self, message: str, protocol: str, status: int = 400, service: str | None = None) -> None:
        super().__init__("UnknownOperationException", message, status)
        self.protocol = protocol
        self.service = service


# (service, operation name, protocol) -> its model, or None for a name the service does not have.
_OPERATIONS: dict[tuple[str, str, str | None], OperationModel | None] = {}
# Unknown names are cached too (a client can send any), up to this many entries.
_MAX_CACHED_OPERATIONS = 4096


@cache
def _operation_names(service: str, protocol: str | None) -> frozenset[str]:
    """A set, built once per model: botocore's operation_names is a list, scanned on every lookup."""
    return frozenset(specs.service_model(service, protocol).operation_names)


def _operation(service: str, name: str, protocol: str | None = None) -> OperationModel | None:
    key = (service, name, protocol)
    try:
        return _OPERATIONS[key]
    except KeyError:
        pass
    known = name in _operation_names(service, protocol)
    found = specs.operation_model(service, name, protocol) if known else None
    if len(_OPERATIONS) < _MAX_CACHED_OPERATIONS or found is not None:
        _OPERATIONS[key] = found
    return found


def _json_route(request: HttpRequest, target: str, scope: CredentialScope | None) -> Route:
    prefix, _, name = target.partition(".")
    service = TARGET_PREFIXES.get(prefix)
    protocol = "cbor" if request.content_type in CBOR_CONTENT_TYPES else "json"
    if service is None:
        raise UnknownOperation(f"Unknown target prefix {prefix!r}", protocol)
    operation = _operation(service, name)
    if operation is None:
        raise UnknownOperation(f"Unknown operation {name!r}", protocol, service=service)
    return Route(service, protocol, operation, scope=scope)


def queue_path(request: HttpRequest) -> str | None:
    """The `/<account>/<queue>` path of a request sent to a queue URL, if it is one."""
    match = QUEUE_PATH.match(request.path)
    return match.group(0).rstrip("/") if match else None


def _query_form(request: HttpRequest) -> dict[str, list[str]] | None:
    form = parse_qs(request.query_string, keep_blank_values=True) if request.query_string else {}
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        form.update(parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    return form if "Action" in form else None


def _query_route(request: HttpRequest, form: dict[str, list[str]], scope: CredentialScope | None) -> Route:
    action = form["Action"][0]
    service = SIGNING_NAMES.get(scope.service) if scope else None
    if service is None:
        service = QUERY_VERSIONS.get((form.get("Version") or [""])[0])
    if service is None and QUEUE_PATH.match(request.path):
        service = "sqs"
    if service is None:
        for candidate in ("sts", "iam", "sqs", "cloudwatch", "sns"):
            if action in _operation_names(candidate, "query"):
                service = candidate
                break
    if service not in QUERY_VERSIONS.values():
        raise UnknownOperation(f"The action {action} is not valid for this web service.", "query")
    assert service is not None
    operation = _operation(service, action, "query")
    at_queue = service == "sqs" and QUEUE_PATH.match(request.path) is not None
    if operation is None:
        # What AWS's query services answer for an unknown Action.
        raise InvalidAction(action, service, "endpoint" if at_queue else "web service")
    if at_queue and not _is_queue_action(operation):
        # A queue URL takes queue-level actions only: CreateQueue or ListQueues there is InvalidAction.
        raise InvalidAction(action, service, "endpoint")
    return Route(service, "query", operation, scope=scope)


def _is_queue_action(operation: OperationModel) -> bool:
    shape = operation.input_shape
    return shape is not None and "QueueUrl" in shape.members


class InvalidAction(UnknownOperation):
    def __init__(self, action: str, service: str, where: str = "web service") -> None:
        super().__init__(f"The action {action} is not valid for this {where}.", "query", service=service)
        self.code = "InvalidAction"


class MissingAction(UnknownOperation):
    """A request to a queue URL that names no Action (AWS answers it in XML, as the query protocol)."""

    def __init__(self) -> None:
        super().__init__("The request must contain the parameter Action.", "query", service="sqs")
        self.code = "MissingAction"


def _rest_route(request: HttpRequest, scope: CredentialScope | None) -> Route | None:
    signed_for = SIGNING_NAMES.get(scope.service) if scope else None
    candidates = ["lambda", "apigateway"]
    if signed_for == "apigateway" or not LAMBDA_PATH.match(request.raw_path):
        candidates.reverse()
    for service in candidates:
        found = rest_json.match_operation(
            specs.service_model(service), request.method, request.raw_path, request.query_string
        )
        if found is not None:
            operation, labels = found
            return Route(service, "rest-json", operation, labels=labels, scope=scope)
    return None


def route(request: HttpRequest) -> Route:
    """Find the operation a request is for, or raise UnknownOperation."""
    scope = credential_scope(request)
    if s3_routing.is_s3(request, scope):
        s3 = s3_routing.match(request)
        if s3 is None:
            raise UnknownOperation(
                f"Unknown operation {request.method} {request.path}", "rest-xml", 405, "s3"
            )
        return Route("s3", "rest-xml", s3[0], labels=s3[1], scope=scope)
    target = request.headers.get("x-amz-target")
    if target:
        return _json_route(request, target, scope)
    if request.headers.get("smithy-protocol") == "rpc-v2-cbor":
        match = RPC_V2_PATH.match(request.path)
        if match and match.group("service") in TARGET_PREFIXES:
            service = TARGET_PREFIXES[match.group("service")]
            operation = _operation(service, match.group("operation"))
            if operation is not None:
                return Route(service, "smithy-rpc-v2-cbor", operation, scope=scope)
        raise UnknownOperation("Unknown operation", "smithy-rpc-v2-cbor")
    form = _query_form(request)
    if form is not None:
        return _query_route(request, form, scope)
    found = _rest_route(request, scope)
    if found is not None:
        return found
    if request.method in ("GET", "POST") and QUEUE_PATH.fullmatch(request.path.rstrip("/")):
        raise MissingAction()
    raise UnknownOperation(f"Unknown operation {request.method} {request.path}", "rest-json", 404)
