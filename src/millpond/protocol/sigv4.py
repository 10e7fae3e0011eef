"""SigV4: reading the credential scope (access key, date, region, service) of a signed request, and
verifying its signature (`verify`, used by IAM enforcement).

Routing only needs the scope, from the Authorization header or, for presigned URLs, from the
X-Amz-Credential query parameter. `verify` is pure: the caller finds the secret key and passes the time.
"""

from __future__ import annotations

import hashlib
import hmac
import posixpath
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, parse_qsl, quote

from millpond.protocol.http import HttpRequest


@dataclass(frozen=True, slots=True)
class CredentialScope:
    access_key_id: str
    date: str
    region: str
    service: str


def _parse_credential(value: str) -> CredentialScope | None:
    parts = value.strip().split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        return None
    return CredentialScope(parts[0], parts[1], parts[2], parts[3])


def credential_scope(request: HttpRequest) -> CredentialScope | None:
    auth = request.headers.get("authorization", "")
    if auth.startswith("AWS4-HMAC-SHA256"):
        for item in auth[len("AWS4-HMAC-SHA256") :].split(","):
            key, _, value = item.strip().partition("=")
            if key == "Credential":
                return _parse_credential(value)
        return None
    if "X-Amz-Credential" in request.query_string:
        values = parse_qs(request.query_string).get("X-Amz-Credential")
        if values:
            return _parse_credential(values[0])
    return None


# ---------------------------------------------------------------------------------------- verification

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = 15 * 60  # AWS accepts a request signed up to 15 minutes before or after its own clock
MAX_PRESIGN_EXPIRES = 7 * 24 * 3600
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a signature was refused: `reason` is one of SignatureDoesNotMatch, IncompleteSignature,
    SignatureExpired, RequestExpired; each service names the error code for it in its own words."""

    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class _Signed:
    credential: str
    signed_headers: list[str]
    signature: str
    amz_date: str
    presigned: bool
    expires: int | None


def _auth_fields(value: str) -> dict[str, str]:
    fields = {}
    for item in value[len(ALGORITHM) :].split(","):
        key, _, val = item.strip().partition("=")
        fields[key] = val
    return fields


def _signed(request: HttpRequest) -> _Signed | Failure:
    auth = request.headers.get("authorization", "")
    if auth.startswith(ALGORITHM):
        fields = _auth_fields(auth)
        for name in ("Credential", "SignedHeaders", "Signature"):
            if not fields.get(name):
                return Failure(
                    "IncompleteSignature",
                    f"Authorization header requires '{name}' parameter. Authorization={auth}",
                )
        amz_date = request.headers.get("x-amz-date", "")
        if not amz_date:
            return Failure(
                "IncompleteSignature",
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            )
        return _Signed(
            fields["Credential"],
            fields["SignedHeaders"].split(";"),
            fields["Signature"],
            amz_date,
            False,
            None,
        )
    query = parse_qs(request.query_string, keep_blank_values=True)
    values = {k: v[0] for k, v in query.items()}
    for name in ("X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date"):
        if not values.get(name):
            return Failure("IncompleteSignature", f"AWS query-string parameters must include '{name}'.")
    try:
        expires = int(values.get("X-Amz-Expires", "900"))
    except ValueError:
        return Failure("IncompleteSignature", "X-Amz-Expires should be a number")
    return _Signed(
        values["X-Amz-Credential"],
        values["X-Amz-SignedHeaders"].split(";"),
        values["X-Amz-Signature"],
        values["X-Amz-Date"],
        True,
        expires,
    )


def _canonical_uri(raw_path: str) -> str:
    # botocore normalizes the path and encodes it once more (services other than S3 are double-encoded).
    path = raw_path or "/"
    normalized = posixpath.normpath(path) if path not in ("", "/") else "/"
    if path.endswith("/") and normalized != "/":
        normalized += "/"
    return quote(normalized.replace("//", "/"), safe="/~")


def _canonical_query(query_string: str, presigned: bool) -> str:
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if presigned:
        pairs = [(k, v) for k, v in pairs if k != "X-Amz-Signature"]
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def _amz_time(text: str) -> float | None:
    try:
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y%m%dT%H%M%SZ")


def verify(request: HttpRequest, secret_key: str, now: float) -> Failure | None:
    """None when `request` carries a valid SigV4 signature made with `secret_key`, else why not.

    Both forms are read: the Authorization header and presigned query parameters (X-Amz-*). A session
    token, when sent, is covered like any other signed header or query parameter.
    """
    signed = _signed(request)
    if isinstance(signed, Failure):
        return signed
    scope = _parse_credential(signed.credential)
    if scope is None:
        return Failure(
            "IncompleteSignature", f"Credential should be scoped to a valid region. ({signed.credential})"
        )
    signed_at = _amz_time(signed.amz_date)
    if signed_at is None or not signed.amz_date.startswith(scope.date):
        return Failure(
            "IncompleteSignature",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{scope.date}' != '{signed.amz_date[:8]}'",
        )
    if signed.presigned:
        expires = signed.expires or 0
        if not 0 < expires <= MAX_PRESIGN_EXPIRES:
            return Failure(
                "IncompleteSignature", "X-Amz-Expires must be less than a week (in seconds) that is 604800"
            )
        if now > signed_at + expires:
            return Failure("RequestExpired", "Request has expired")
    elif signed_at < now - MAX_SKEW:
        return Failure(
            "SignatureExpired",
            f"Signature expired: {signed.amz_date} is now earlier than {_stamp(now - MAX_SKEW)} "
            f"({_stamp(now)} - 15 min.)",
        )
    elif signed_at > now + MAX_SKEW:
        return Failure(
            "SignatureExpired",
            f"Signature not yet current: {signed.amz_date} is still later than {_stamp(now + MAX_SKEW)} "
            f"({_stamp(now)} + 15 min.)",
        )
    headers = "".join(
        f"{name}:{' '.join(request.headers.get(name, '').split())}\n" for name in signed.signed_headers
    )
    s3 = scope.service == "s3"
    payload = request.headers.get("x-amz-content-sha256")
    if not payload:
        # S3 presigned URLs sign no payload; a streamed S3 body is not hashed here (its header carries it).
        payload = "UNSIGNED-PAYLOAD" if s3 and signed.presigned else hashlib.sha256(request.body).hexdigest()
    canonical = "\n".join(
        [
            request.method.upper(),
            # S3 signs the path as sent: neither normalized nor encoded again.
            (request.raw_path.partition("?")[0] or "/") if s3 else _canonical_uri(request.raw_path),
            _canonical_query(request.query_string, signed.presigned),
            headers,
            ";".join(signed.signed_headers),
            payload,
        ]
    )
    credential_scope = f"{scope.date}/{scope.region}/{scope.service}/aws4_request"
    to_sign = "\n".join(
        [ALGORITHM, signed.amz_date, credential_scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(("AWS4" + secret_key).encode("utf-8"), scope.date)
    for part in (scope.region, scope.service, "aws4_request"):
        key = _hmac(key, part)
    expected = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signed.signature):
        return Failure("SignatureDoesNotMatch", MISMATCH)
    return None
