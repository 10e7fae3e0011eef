"""SNS's internal route: the certificate that verifies message signatures, served at SigningCertURL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.services.sns.messages import CERT_PATH
from millpond.services.sns.provider import SnsProvider

if TYPE_CHECKING:
    from millpond.server.wiring import System


def serve_certificate(system: System, request: HttpRequest) -> HttpResponse | None:
    """GET /_millpond/sns/SimpleNotificationService.pem, or None when the path is not this route."""
    if request.path != CERT_PATH or request.method not in ("GET", "HEAD"):
        return None
    provider = system.providers.get("sns")
    if not isinstance(provider, SnsProvider) or not provider.certificate_pem:
        return HttpResponse(404, [("Content-Type", "text/plain")], b"no signing certificate\n")
    return HttpResponse(200, [("Content-Type", "application/x-pem-file")], provider.certificate_pem.encode())
