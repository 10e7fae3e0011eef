"""SigV4 verification against requests signed by botocore's own SigV4Auth and SigV4QueryAuth."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from millpond.protocol.http import HttpRequest
from millpond.protocol.sigv4 import verify

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
URL = "http://localhost:4566/2015-03-31/functions/my%20fn/invocations?Qualifier=v%201&a=b"


def signed(
    body: bytes = b'{"a": 1}', token: str | None = None, presign: bool = False, url: str = URL
) -> tuple[HttpRequest, float]:
    request = AWSRequest("POST", url, data=body, headers={"Content-Type": "application/x-amz-json-1.1"})
    credentials = Credentials("AKIAEXAMPLE", SECRET, token)
    signer = (
        SigV4QueryAuth(credentials, "lambda", "us-east-1", 300)
        if presign
        else SigV4Auth(credentials, "lambda", "us-east-1")
    )
    signer.add_auth(request)
    prepared = request.prepare()
    parts = urlsplit(prepared.url)
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    headers.setdefault("host", parts.netloc)
    http = HttpRequest("POST", parts.path, parts.query, headers, prepared.body or b"")
    return http, _signed_time(headers, parts.query)


def _signed_time(headers: dict[str, str], query: str) -> float:
    stamp = headers.get("x-amz-date") or parse_qs(query)["X-Amz-Date"][0]
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzEXAMPLETOKEN"])
@pytest.mark.parametrize("presign", [False, True])
def test_botocore_signatures_verify(token: str | None, presign: bool) -> None:
    request, at = signed(token=token, presign=presign)
    assert verify(request, SECRET, at + 5) is None


def test_root_path_and_empty_body() -> None:
    request, at = signed(body=b"", url="http://localhost:4566/")
    assert verify(request, SECRET, at) is None


def test_wrong_secret_and_tampered_body_do_not_match() -> None:
    request, at = signed()
    wrong = verify(request, SECRET + "x", at)
    assert wrong is not None and wrong.reason == "SignatureDoesNotMatch"
    request.body = b'{"a": 2}'
    tampered = verify(request, SECRET, at)
    assert tampered is not None and tampered.reason == "SignatureDoesNotMatch"
    assert tampered.message.startswith("The request signature we calculated does not match")


def test_tampered_query_does_not_match() -> None:
    request, at = signed()
    request.query_string = request.query_string.replace("a=b", "a=c")
    failure = verify(request, SECRET, at)
    assert failure is not None and failure.reason == "SignatureDoesNotMatch"


def test_clock_skew_of_fifteen_minutes() -> None:
    request, at = signed()
    assert verify(request, SECRET, at + 15 * 60) is None
    assert verify(request, SECRET, at - 15 * 60) is None
    late = verify(request, SECRET, at + 15 * 60 + 1)
    assert (
        late is not None
        and late.reason == "SignatureExpired"
        and late.message.startswith("Signature expired: ")
    )
    early = verify(request, SECRET, at - 15 * 60 - 1)
    assert early is not None and early.message.startswith("Signature not yet current: ")


def test_presigned_urls_expire() -> None:
    request, at = signed(presign=True)
    assert verify(request, SECRET, at + 300) is None
    expired = verify(request, SECRET, at + 301)
    assert expired is not None and expired.reason == "RequestExpired"


def test_incomplete_authorization_header() -> None:
    request, at = signed()
    request.headers["authorization"] = request.headers["authorization"].split(", Signature=")[0]
    failure = verify(request, SECRET, at)
    assert failure is not None and failure.reason == "IncompleteSignature"
