"""CORS for the AWS endpoint, as kinesalite recorded AWS answering browsers: a preflight OPTIONS with an
Origin gets the allow headers and an empty 200; any other request with an Origin gets
Access-Control-Allow-Origin and the exposed headers. Also AWS's 403 for a non-POST request that names no
operation at all (GET/PUT/DELETE on `/` without Action)."""

from __future__ import annotations

from millpond.protocol.http import HttpRequest, HttpResponse

EXPOSED = "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date"
MAX_AGE = "172800"


def preflight(request: HttpRequest, request_id: str) -> HttpResponse | None:
    """The answer to a CORS preflight (OPTIONS with an Origin header); None for any other request."""
    if request.method != "OPTIONS" or "origin" not in request.headers:
        return None
    headers = [("x-amzn-RequestId", request_id), ("Access-Control-Allow-Origin", "*")]
    if asked := request.headers.get("access-control-request-headers"):
        headers.append(("Access-Control-Allow-Headers", asked))
    if method := request.headers.get("access-control-request-method"):
        headers.append(("Access-Control-Allow-Methods", method))
    headers.append(("Access-Control-Max-Age", MAX_AGE))
    return HttpResponse(200, headers, b"")


def add_headers(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if "origin" in request.headers and response.header("Access-Control-Allow-Origin") is None:
        response.headers.append(("Access-Control-Allow-Origin", "*"))
        response.headers.append(("Access-Control-Expose-Headers", EXPOSED))
    return response


def names_no_operation(request: HttpRequest) -> bool:
    return request.method in ("GET", "PUT", "DELETE") and request.path == "/" and not request.query_string


def access_denied(request_id: str) -> HttpResponse:
    body = (
        "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized"
        "</Message>\n</AccessDeniedException>\n"
    )
    return HttpResponse(403, [("x-amzn-RequestId", request_id)], body.encode())
