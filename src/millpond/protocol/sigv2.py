"""S3's SigV2 (HMAC-SHA1), which S3 alone still takes: `Authorization: AWS <key>:<signature>` and presigned
URLs with AWSAccessKeyId/Signature/Expires (botocore's default for S3 presigning).

The string to sign is the method, Content-MD5, Content-Type, the Date (Expires when presigned), the
x-amz-* headers, then the resource: `/<bucket>/<key>` plus the sub-resources of the query.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from botocore.auth import HmacV1Auth

from millpond.protocol.http import HttpRequest
from millpond.protocol.s3_routing import host_bucket
from millpond.protocol.sigv4 import MISMATCH, Failure

SUBRESOURCES = frozenset(HmacV1Auth.QSAOfInterest)


@dataclass(frozen=True, slots=True)
class SignedV2:
    access_key_id: str
    signature: str
    expires: int | None  # presigned URLs only


def signed_v2(request: HttpRequest) -> SignedV2 | None:
    header = request.headers.get("authorization", "")
    if header.startswith("AWS "):
        key, _, signature = header[4:].strip().partition(":")
        return SignedV2(key, signature, None)
    if "AWSAccessKeyId=" in request.query_string and "Signature=" in request.query_string:
        values = dict(parse_qsl(request.query_string, keep_blank_values=True))
        try:
            expires = int(values.get("Expires", "0"))
        except ValueError:
            expires = 0
        return SignedV2(values.get("AWSAccessKeyId", ""), values.get("Signature", ""), expires)
    return None


def _resources(request: HttpRequest) -> list[str]:
    """The resource as signed; a bucket alone is signed as `/bucket/` by botocore, `/bucket` by others."""
    path = request.raw_path.partition("?")[0] or "/"
    bucket = host_bucket(request)
    if bucket is not None:
        path = "/" + bucket + path
    paths = [path]
    if path.count("/") == 1 and path != "/":
        paths.append(path + "/")
    elif path.count("/") == 2 and path.endswith("/"):
        paths.append(path[:-1])
    pairs = sorted(
        (k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True) if k in SUBRESOURCES
    )
    query = "?" + "&".join(f"{k}={unquote(v)}" if v else k for k, v in pairs) if pairs else ""
    return [p + query for p in paths]


def verify_v2(request: HttpRequest, signed: SignedV2, secret_key: str, now: float) -> Failure | None:
    if signed.expires is not None and signed.expires < now:
        return Failure("RequestExpired", "Request has expired")
    headers = request.headers
    amz = sorted((k, v.strip()) for k, v in headers.items() if k.startswith("x-amz-"))
    date = str(signed.expires) if signed.expires is not None else headers.get("date", "")
    if signed.expires is None and "x-amz-date" in headers:
        date = ""
    lines = [request.method.upper(), headers.get("content-md5", ""), headers.get("content-type", ""), date]
    head = "\n".join(lines) + "\n" + "".join(f"{k}:{v}\n" for k, v in amz)
    for resource in _resources(request):
        digest = hmac.new(
            secret_key.encode("utf-8"), (head + resource).encode("utf-8"), hashlib.sha1
        ).digest()
        if hmac.compare_digest(base64.b64encode(digest).decode("ascii"), signed.signature):
            return None
    return Failure("SignatureDoesNotMatch", MISMATCH)
