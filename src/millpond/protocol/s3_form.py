"""S3 POST Object (browser form uploads): a multipart/form-data body whose fields name the key and the
object's headers and whose `file` field (the last one) is the object; and the answers S3 gives it
(success_action_status 204, 200 or 201 with a PostResponse document, or a success_action_redirect).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import quote, urlencode

from millpond.errors import AwsError
from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.protocol.rest_xml import NAMESPACE, response_headers
from millpond.protocol.xml_shapes import escape

__all__ = ["Form", "answer", "is_form_upload", "parse"]

MAX_FORM_BYTES = 64 * 1024 * 1024
# form field (lower case) -> PutObject member
HEADER_FIELDS = {
    "content-type": "ContentType",
    "cache-control": "CacheControl",
    "content-disposition": "ContentDisposition",
    "content-encoding": "ContentEncoding",
    "acl": "ACL",
    "x-amz-storage-class": "StorageClass",
    "x-amz-website-redirect-location": "WebsiteRedirectLocation",
    "content-md5": "ContentMD5",
}


@dataclass
class Form:
    params: dict[str, Any]
    status: str = "204"
    redirect: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


def is_form_upload(request: HttpRequest) -> bool:
    return request.method == "POST" and request.content_type == "multipart/form-data"


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidArgument", message, 400)


def parse(request: HttpRequest, bucket: str, now: float) -> Form:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + request.headers["content-type"].encode("latin-1") + b"\r\n\r\n" + request.body
    )
    if not message.is_multipart():
        raise AwsError(
            "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data."
        )
    fields: dict[str, str] = {}
    file: bytes | None = None
    filename = ""
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition") or "")
        if name.lower() == "file":
            file = _bytes(part.get_payload(decode=True))
            filename = part.get_filename() or ""
            if part.get_content_type() and "content-type" not in fields and part.get("content-type"):
                fields.setdefault("content-type", part.get_content_type())
            break  # S3 ignores fields after the file
        fields[name.lower()] = _bytes(part.get_payload(decode=True)).decode("utf-8", "replace")
    if file is None:
        raise _invalid("POST requires exactly one file upload per request.")
    key = fields.get("key")
    if not key:
        raise _invalid(
            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order "
            "of the fields."
        )
    _check_policy(fields.get("policy"), now)
    params: dict[str, Any] = {"Bucket": bucket, "Key": key.replace("${filename}", filename), "Body": file}
    for name, member in HEADER_FIELDS.items():
        if fields.get(name):
            params[member] = fields[name]
    metadata = {k[len("x-amz-meta-") :]: v for k, v in fields.items() if k.startswith("x-amz-meta-")}
    if metadata:
        params["Metadata"] = metadata
    for name, value in fields.items():
        if name.startswith("x-amz-checksum-"):
            params["Checksum" + name[len("x-amz-checksum-") :].upper()] = value
    status = fields.get("success_action_status", "204")
    return Form(
        params,
        status if status in ("200", "201", "204") else "204",
        fields.get("success_action_redirect"),
        fields,
    )


def _bytes(payload: Any) -> bytes:
    return payload if isinstance(payload, bytes) else b""


def _check_policy(policy: str | None, now: float) -> None:
    if not policy:
        return
    try:
        document = json.loads(base64.b64decode(policy))
        expiration = datetime.fromisoformat(str(document["expiration"]).replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError):
        raise _invalid("Invalid Policy: Invalid JSON.") from None
    if expiration.astimezone(UTC).timestamp() < now:
        raise AwsError("AccessDenied", "Invalid according to Policy: Policy expired.", 403)


def answer(form: Form, result: dict[str, Any], endpoint_url: str, request_id: str) -> HttpResponse:
    bucket, key = form.params["Bucket"], form.params["Key"]
    location = f"{endpoint_url}/{bucket}/{quote(key)}"
    headers = [*response_headers(request_id), ("ETag", result.get("ETag", "")), ("Location", location)]
    if result.get("VersionId"):
        headers.append(("x-amz-version-id", result["VersionId"]))
    if form.redirect:
        query = urlencode({"bucket": bucket, "key": key, "etag": result.get("ETag", "")})
        separator = "&" if "?" in form.redirect else "?"
        return HttpResponse(303, [*headers, ("Location", form.redirect + separator + query)], b"")
    if form.status == "201":
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse xmlns="{NAMESPACE}">'
            f"<Location>{escape(location)}</Location><Bucket>{escape(bucket)}</Bucket><Key>{escape(key)}</Key>"
            f"<ETag>{escape(result.get('ETag', ''))}</ETag></PostResponse>"
        )
        return HttpResponse(201, [*headers, ("Content-Type", "application/xml")], body.encode("utf-8"))
    return HttpResponse(int(form.status), headers, b"")
