"""API Gateway's AWS integrations reach millpond's own services through the wire gateway, as a request to
`<service>.<region>.amazonaws.com` would: the protocol layer parses it and serializes the answer, so any
action of any served service works. Sent without IAM checks (the integration's credentials role is not
evaluated). A query-protocol service answers XML; asked for JSON (Accept: application/json), as clients of
SQS's query API may, the XML is turned into the JSON document AWS returns then."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from millpond.protocol.gateway import Gateway
from millpond.protocol.http import HttpRequest
from millpond.services.apigateway.aws_integration import AwsCall, ServiceCall

if TYPE_CHECKING:
    from millpond.server.wiring import System


def _strip(tag: str) -> str:
    return tag.split("}", 1)[-1]


def xml_to_json(element: ElementTree.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    found: dict[str, Any] = {}
    for child in children:
        value = xml_to_json(child)
        name = _strip(child.tag)
        if name in found:
            found[name] = [*found[name], value] if isinstance(found[name], list) else [found[name], value]
        else:
            found[name] = value
    return found


def aws_call(system: System) -> AwsCall:
    gateway = Gateway(system.providers, system.settings.account_id, system.settings.region, None)

    async def call(spec: ServiceCall) -> tuple[int, list[tuple[str, str]], bytes]:
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        headers = {name.lower(): value for name, value in spec.headers.items()}
        headers.setdefault("host", f"{spec.service}.{spec.region}.amazonaws.com")
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential=apigateway/{stamp}/{spec.region}/{spec.service}/aws4_request, "
            "SignedHeaders=host, Signature=0"
        )
        if spec.body and "content-type" not in headers:
            headers["content-type"] = "application/x-www-form-urlencoded"
        request = HttpRequest(spec.method, spec.path, spec.query, headers, spec.body, "127.0.0.1")
        response = await gateway.handle(request, system.settings.endpoint_url)
        body, out_headers = response.body, list(response.headers)
        content_type = next((v for k, v in out_headers if k.lower() == "content-type"), "")
        if "json" in headers.get("accept", "") and "xml" in content_type:
            root = ElementTree.fromstring(body)
            body = json.dumps({_strip(root.tag): xml_to_json(root)}).encode()
            out_headers = [(k, v) for k, v in out_headers if k.lower() != "content-type"]
            out_headers.append(("Content-Type", "application/json"))
        return response.status, out_headers, body

    return call
