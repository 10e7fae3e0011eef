"""What the fuzzer accepts as an answer: below 500 (501 only as NotImplemented), and an error in the AWS
shape of the protocol the request was sent in (read back by botocore's own parser where one exists)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

import cbor2
from botocore.awsrequest import HeadersDict
from botocore.model import OperationModel
from botocore.parsers import create_parser

# The response content type each request protocol answers errors in.
CONTENT_TYPES = {
    "json": ("application/x-amz-json-1.0", "application/x-amz-json-1.1"),
    "cbor": ("application/x-amz-cbor-1.1",),
    "smithy-rpc-v2-cbor": ("application/cbor",),
    "query": ("text/xml",),
    "rest-json": ("application/json",),
    "rest-xml": ("application/xml",),
}
# Mutations after which the server can no longer tell the request's protocol (any AWS shape will do).
UNROUTABLE = {"wrong_content_type", "xml_body"}
QUERY_BREAKING = {"garbage", "truncated", "wrong_kind"}
# A path-style S3 request without a signature for s3 cannot be told from an unknown path (which answers
# UnknownOperationException in JSON); only the virtual-hosted form is S3 by its Host alone.
S3_UNSIGNED = {"no_auth", "bad_signature"}


def error_code(headers: dict[str, str], body: bytes) -> str | None:
    """The AWS error code in an error answer of any protocol, or None when it holds none."""
    content_type = headers.get("content-type", "").split(";")[0].strip()
    try:
        if "cbor" in content_type:
            decoded = cbor2.loads(body)
            return str(decoded.get("__type") or "") if isinstance(decoded, dict) else None
        if content_type in ("text/xml", "application/xml"):
            root = ElementTree.fromstring(body)
            code = next((el.text for el in root.iter() if el.tag.rpartition("}")[2] == "Code"), None)
            return code or None
        if "json" in content_type:
            decoded = json.loads(body)
            if not isinstance(decoded, dict):
                return None
            return headers.get("x-amzn-errortype") or decoded.get("__type") or decoded.get("code") or None
    except (ValueError, ElementTree.ParseError, cbor2.CBORDecodeError):
        return None
    return None


def _botocore_code(
    operation: OperationModel, protocol: str, status: int, headers: dict[str, str], body: bytes
) -> Any:
    answer = HeadersDict()
    for key, value in headers.items():
        answer[key] = value
    raw = {
        "status_code": status,
        "headers": answer,
        "body": body,
        "context": {"operation_name": operation.name},
    }
    parsed = create_parser(protocol).parse(raw, operation.output_shape)
    return parsed.get("Error", {}).get("Code")


def check_answer(
    operation: OperationModel, protocol: str, mutation: str, status: int, headers: dict[str, str], body: bytes
) -> str | None:
    """None when the answer is acceptable, else what is wrong with it."""
    if status < 400:
        return None
    if protocol == "rest-xml" and operation.http.get("method") == "HEAD" and not body:
        return None  # S3 answers HEAD errors with a status and no body, as botocore expects
    if status == 400 and not body and "content-type" not in headers:
        # A header value HTTP forbids (a NUL byte: S3's header members take any string) is refused by the
        # HTTP server with an empty 400 before any service sees it, as 414 below.
        return None
    if status == 414:
        # A URI longer than the HTTP server takes is refused before any service sees it (AWS's front
        # ends do the same): a transport-level answer, not a service error.
        return None
    code = error_code(headers, body)
    if status >= 500 and not (status == 501 and code == "NotImplemented"):
        return f"HTTP {status} {code}: {body[:300]!r}"
    if not code:
        return f"HTTP {status} without an AWS error code: {headers.get('content-type')} {body[:200]!r}"
    # A query request whose body we broke is no longer a query request (it has no Action).
    routed = mutation not in UNROUTABLE and not (protocol == "query" and mutation in QUERY_BREAKING)
    if protocol == "rest-xml" and mutation in S3_UNSIGNED:
        routed = False
    if not routed:
        return None
    content_type = headers.get("content-type", "").split(";")[0].strip()
    if content_type not in CONTENT_TYPES[protocol]:
        return f"HTTP {status} {code} answered as {content_type!r} to a {protocol} request"
    if protocol != "cbor":
        try:
            parsed = _botocore_code(operation, protocol, status, headers, body)
        except Exception as error:
            return f"botocore cannot parse the {status} {code} answer: {error!r}"
        if not parsed:
            return f"botocore reads no error code from {body[:200]!r}"
    return None
