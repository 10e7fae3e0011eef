"""SigV4: reading the credential scope (access key, date, region, service) of a signed request.

Signature verification belongs to IAM enforcement; routing only needs the scope, from the
Authorization header or, for presigned URLs, from the X-Amz-Credential query parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

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
