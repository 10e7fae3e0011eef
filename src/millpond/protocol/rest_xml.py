"""The rest-xml protocol (S3): members spread over the URI, query string and headers, the payload XML or raw.

Input members are read from their `location` (uri, querystring, header, headers); the `payload` member is
the body: a streaming blob arrives as the request's body stream (bytes when it was read whole), a
structure as an XML document (xml_shapes). Responses put members back the same way; a streaming blob
payload goes out as the response's stream. Errors are S3's `<Error><Code/><Message/>...<RequestId/>`.
"""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape

from millpond.errors import AwsError
from millpond.ids import random_uuid
from millpond.protocol import aws_chunked
from millpond.protocol.errors import resolve
from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.protocol.shapes import format_scalar, parse_scalar
from millpond.protocol.xml_shapes import BadXml, escape, parse_document, read_element, write_document

__all__ = ["parse_request", "serialize_error", "serialize_response"]

CONTENT_TYPE = "application/xml"
NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
# Output shapes whose document root AWS names differently from the shape.
ROOT_NAMES = {
    "ListObjectsOutput": "ListBucketResult",
    "ListObjectsV2Output": "ListBucketResult",
    "ListBucketsOutput": "ListAllMyBucketsResult",
    "ListObjectVersionsOutput": "ListVersionsResult",
    "ListMultipartUploadsOutput": "ListMultipartUploadsResult",
    "ListPartsOutput": "ListPartsResult",
    "CreateMultipartUploadOutput": "InitiateMultipartUploadResult",
    "CompleteMultipartUploadOutput": "CompleteMultipartUploadResult",
    "DeleteObjectsOutput": "DeleteResult",
    "GetBucketVersioningOutput": "VersioningConfiguration",
    "GetBucketTaggingOutput": "Tagging",
    "GetObjectTaggingOutput": "Tagging",
    "GetBucketCorsOutput": "CORSConfiguration",
    "GetBucketLifecycleConfigurationOutput": "LifecycleConfiguration",
    "GetBucketNotificationConfigurationOutput": "NotificationConfiguration",
    "GetBucketAclOutput": "AccessControlPolicy",
    "GetObjectAclOutput": "AccessControlPolicy",
    "GetBucketLocationOutput": "LocationConstraint",
}


def malformed_xml() -> AwsError:
    return AwsError(
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
        400,
    )


# ---------------------------------------------------------------------------------------------- requests


def parse_request(operation: OperationModel, request: HttpRequest, labels: dict[str, str]) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    params: dict[str, Any] = {}
    payload = shape.serialization.get("payload")
    query: dict[str, list[str]] | None = None
    try:
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            key = member.serialization.get("name", name)
            if location == "uri":
                if key in labels:
                    params[name] = parse_scalar(member, labels[key])
            elif location == "querystring":
                if query is None:
                    query = request.query
                if isinstance(member, MapShape):
                    params[name] = {k: v[0] for k, v in query.items()}
                    continue
                values = query.get(key)
                if values is None:
                    continue
                if isinstance(member, ListShape):
                    params[name] = [parse_scalar(member.member, value) for value in values]
                else:
                    params[name] = parse_scalar(member, values[0])
            elif location == "header":
                value = request.headers.get(key.lower())
                if value is not None:
                    params[name] = _parse_header(member, value)
            elif location == "headers":
                prefix = key.lower()
                found = {h[len(prefix) :]: v for h, v in request.headers.items() if h.startswith(prefix)}
                if found:
                    params[name] = found
    except ValueError as exc:
        raise AwsError("InvalidArgument", str(exc), 400) from exc
    if payload is not None:
        member = shape.members[payload]
        if member.type_name == "blob":
            params[payload] = _blob_body(request)
        elif member.type_name == "string":
            if request.body:
                try:
                    params[payload] = request.body.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise malformed_xml() from exc
        elif request.body:
            try:
                params[payload] = read_element(member, parse_document(request.body))
            except BadXml as exc:
                raise malformed_xml() from exc
    elif request.body and any("location" not in m.serialization for m in shape.members.values()):
        try:
            params.update(read_element(shape, parse_document(request.body)))  # body members, no payload
        except BadXml as exc:
            raise malformed_xml() from exc
    return params


def _blob_body(request: HttpRequest) -> Any:
    """The raw body: bytes, or a BodyStream when the request is streamed (aws-chunked decoded)."""
    if not aws_chunked.is_chunked(request.headers):
        return request.stream if request.stream is not None else request.body
    body = (
        aws_chunked.decode(request.stream)
        if request.stream is not None
        else aws_chunked.decode_bytes(request.body)
    )
    announced = request.headers.get("x-amz-trailer", "")
    body.announced = [name.strip().lower() for name in announced.split(",") if name.strip()]
    return body


def _parse_header(member: Shape, value: str) -> Any:
    if isinstance(member, ListShape):
        return [parse_scalar(member.member, item.strip()) for item in value.split(",")]
    return parse_scalar(member, value)


# --------------------------------------------------------------------------------------------- responses


def _header_text(member: Shape, value: Any) -> str:
    if isinstance(member, ListShape):
        return ",".join(_header_text(member.member, item) for item in value)
    if member.type_name == "string":
        return str(value)
    return format_scalar(member, value, "rfc822")


def response_headers(request_id: str) -> list[tuple[str, str]]:
    return [("x-amz-request-id", request_id), ("x-amz-id-2", random_uuid())]


def serialize_response(operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
    shape = operation.output_shape
    status = int(operation.http.get("responseCode", 200))
    headers = response_headers(request_id)
    if shape is None:
        return HttpResponse(status, headers, b"")
    payload = shape.serialization.get("payload")
    body = b""
    content_type: str | None = None
    stream = None
    body_members: dict[str, Any] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        value = result.get(name)
        if value is None:
            continue
        if location is None and name != payload:
            body_members[name] = value
        elif location == "statusCode":
            status = int(value)
        elif location == "header":
            key = member.serialization.get("name", name)
            if key.lower() == "content-type":
                content_type = _header_text(member, value)
            else:
                headers.append((key, _header_text(member, value)))
        elif location == "headers":
            prefix = member.serialization.get("name", "")
            headers.extend((prefix + key, str(item)) for key, item in value.items())
    if payload is not None:
        member = shape.members[payload]
        value = result.get(payload)
        if value is None:
            pass
        elif member.type_name == "blob":
            if isinstance(value, bytes | bytearray | memoryview):
                body = bytes(value)
            else:
                stream = value  # an async iterator of chunks, with Content-Length among the headers
        elif member.type_name == "string":
            body = value.encode("utf-8")
        else:
            root = member.serialization.get("name", member.name)
            body = write_document(member, root, value, NAMESPACE)
            content_type = content_type or CONTENT_TYPE
    elif operation.name == "GetBucketLocation":
        # botocore reads this document's root text; for us-east-1 AWS leaves it empty.
        location = escape(str(body_members.get("LocationConstraint") or ""))
        text = f'<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="{NAMESPACE}">'
        body = (text + location + "</LocationConstraint>").encode("utf-8")
        content_type = content_type or CONTENT_TYPE
    elif body_members:
        root = ROOT_NAMES.get(shape.name, shape.name.removesuffix("Output") + "Result")
        body = write_document(shape, root, body_members, NAMESPACE)
        content_type = content_type or CONTENT_TYPE
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    if operation.name == "GetObject" and result.get("ContentRange"):
        status = 206  # a ranged read answers Partial Content
    if status in (204, 304):
        body, stream = b"", None
    return HttpResponse(status, headers, body, stream=stream)


def serialize_error(service: ServiceModel, error: AwsError, request_id: str) -> HttpResponse:
    wire = resolve(service, error)
    headers = response_headers(request_id)
    parts = [f"<Code>{escape(wire.code)}</Code>", f"<Message>{escape(wire.message)}</Message>"]
    for name, value in wire.fields.items():
        if value is None:
            continue
        if name.startswith("header:"):
            headers.append((name[len("header:") :], str(value)))
            continue
        parts.append(f"<{name}>{escape(str(value))}</{name}>")
    parts.append(f"<RequestId>{request_id}</RequestId><HostId>{headers[1][1]}</HostId>")
    body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' + "".join(parts) + "</Error>"
    if wire.status == 304:
        return HttpResponse(304, headers, b"")
    headers.append(("Content-Type", CONTENT_TYPE))
    return HttpResponse(wire.status, headers, body.encode("utf-8"))
