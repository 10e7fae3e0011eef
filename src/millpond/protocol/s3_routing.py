"""Recognising S3 requests and finding their operation.

An S3 request is signed for service `s3` (Authorization header or presigned X-Amz-Credential) or with
SigV2 (`AWS key:signature`, or AWSAccessKeyId/Signature presigned URLs, which only S3 takes), or sent to
a virtual-hosted Host (`<bucket>.s3.<anything>`, `<bucket>.localhost`, `s3.<anything>`), or is a browser
form upload (unsigned multipart/form-data POST). The bucket comes from the Host when virtual-hosted,
else from the first path segment. Operations that share a method and path in the model (PutObject,
CopyObject, UploadPart, UploadPartCopy; GetObject and ListParts; ...) are told apart as S3 does, by the
`uploadId`/`partNumber` query and the `x-amz-copy-source` header.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import parse_qs, quote

from botocore.model import OperationModel

from millpond.protocol import rest_routing, specs
from millpond.protocol.http import HttpRequest
from millpond.protocol.sigv4 import CredentialScope

__all__ = ["bucket_of", "host_bucket", "is_preflight", "is_s3", "match"]

# A bucket in the Host: `<bucket>.s3.<anything>`, `<bucket>.s3-<region>...`, or `<bucket>.localhost`.
_VIRTUAL_HOST = re.compile(r"^(?P<bucket>.+?)\.s3[.-]", re.IGNORECASE)
_LOCALHOST = re.compile(r"^(?P<bucket>[^:]+)\.localhost$", re.IGNORECASE)
# Where two operations share method, path and query, the one S3 serves for it.
_PREFERRED = {
    "GetBucketLifecycle": "GetBucketLifecycleConfiguration",
    "PutBucketLifecycle": "PutBucketLifecycleConfiguration",
    "GetBucketNotification": "GetBucketNotificationConfiguration",
    "PutBucketNotification": "PutBucketNotificationConfiguration",
    "ListDirectoryBuckets": "ListBuckets",
}


def _hostname(request: HttpRequest) -> str:
    host = request.headers.get("host", "")
    if host.startswith("["):
        return ""
    return host.rsplit(":", 1)[0] if ":" in host else host


def host_bucket(request: HttpRequest) -> str | None:
    """The bucket named by a virtual-hosted Host, if any."""
    hostname = _hostname(request)
    if ".execute-api." in hostname.lower() or ".lambda-url." in hostname.lower():
        return None  # API Gateway invoke URLs and Lambda function URLs, not buckets
    found = _VIRTUAL_HOST.match(hostname) or _LOCALHOST.match(hostname)
    return found.group("bucket") if found else None


def _s3_host(request: HttpRequest) -> bool:
    hostname = _hostname(request).lower()
    return bool(host_bucket(request)) or hostname.startswith("s3.") or hostname == "s3"


def bucket_of(request: HttpRequest) -> str | None:
    """The bucket a request addresses: from a virtual-hosted Host, else the first path segment."""
    found = host_bucket(request)
    if found is not None:
        return found
    first = request.path.lstrip("/").split("/", 1)[0]
    return first or None


def is_preflight(request: HttpRequest) -> bool:
    """A browser's CORS preflight (no AWS service but S3 answers OPTIONS on this port)."""
    return request.method == "OPTIONS" and "access-control-request-method" in request.headers


# First path segments of the other rest services' APIs (Lambda's dated versions, API Gateway's collections).
_OTHER_REST = re.compile(r"^/(\d{4}-\d{2}-\d{2}|restapis|apikeys|usageplans|domainnames|account|tags)(/|$)")


def is_s3(request: HttpRequest, scope: CredentialScope | None) -> bool:
    if scope is not None:
        return scope.service == "s3"
    if "x-amz-target" in request.headers or "smithy-protocol" in request.headers:
        return False  # a JSON or CBOR request of another service, whatever its Authorization says
    if request.headers.get("authorization", "").startswith("AWS "):
        return not _OTHER_REST.match(request.raw_path)  # SigV2, which only S3 still takes
    if "Signature=" in request.query_string and "AWSAccessKeyId=" in request.query_string:
        return True  # a SigV2 presigned URL (botocore's default for S3 presigning)
    if "authorization" in request.headers or "x-amz-target" in request.headers:
        return False
    if _s3_host(request):
        return True
    return request.method == "POST" and request.content_type == "multipart/form-data"


@cache
def _siblings() -> dict[tuple[str, str], list[OperationModel]]:
    """(method, requestUri) -> every operation the model declares there."""
    model = specs.service_model("s3")
    found: dict[tuple[str, str], list[OperationModel]] = {}
    for name in model.operation_names:
        operation = model.operation_model(name)
        found.setdefault((operation.http["method"], operation.http["requestUri"]), []).append(operation)
    return found


def _required_located(operation: OperationModel) -> list[tuple[str, str]]:
    shape = operation.input_shape
    if shape is None:
        return []
    out = []
    for name in shape.required_members:
        member = shape.members[name]
        location = member.serialization.get("location")
        if location in ("querystring", "header"):
            out.append((location, member.serialization.get("name", name)))
    return out


def _choose(operation: OperationModel, request: HttpRequest, query: dict[str, list[str]]) -> OperationModel:
    """Among operations sharing a method and path, the one whose required query parameters and headers
    the request carries, the most demanding first (UploadPartCopy over UploadPart over PutObject)."""
    candidates = _siblings().get((operation.http["method"], operation.http["requestUri"]), [operation])
    best, best_score = operation, -1
    for candidate in candidates:
        required = _required_located(candidate)
        present = all(
            (key in query) if where == "querystring" else (key.lower() in request.headers)
            for where, key in required
        )
        if present and len(required) > best_score:
            best, best_score = candidate, len(required)
        elif present and len(required) == best_score and _PREFERRED.get(best.name) == candidate.name:
            best = candidate
    preferred = _PREFERRED.get(best.name)
    return specs.operation_model("s3", preferred) if preferred else best


def match(request: HttpRequest) -> tuple[OperationModel, dict[str, str]] | None:
    """The S3 operation of `request` and its labels (Bucket, Key), or None."""
    model = specs.service_model("s3")
    bucket = host_bucket(request)
    path = request.raw_path.partition("?")[0] or "/"
    if bucket is not None:
        path = "/" + quote(bucket, safe="") + (path if path != "/" else "")
    query = parse_qs(request.query_string, keep_blank_values=True)
    found = rest_routing.match_operation(model, request.method, path, request.query_string)
    if found is None:
        return None
    operation, labels = found
    return _choose(operation, request, query), labels
