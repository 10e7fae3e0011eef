"""RequestContext: who is calling, where, and through which endpoint; handed to every provider method."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    account_id: str
    region: str
    request_id: str
    # The URL the client used to reach millpond (scheme://host:port), for building queue URLs and the like.
    endpoint_url: str
    service: str = ""
    operation: str = ""
    access_key_id: str | None = None
    session_token: str | None = None
