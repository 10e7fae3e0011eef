"""What STS needs from storage: temporary credentials issued by AssumeRole, found again by access key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SessionCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: float  # epoch seconds
    account_id: str
    role_arn: str
    role_session_name: str
    assumed_role_id: str  # AROA...:session-name


class StsRepository(Protocol):
    async def save_session(self, session: SessionCredentials) -> None:
        """Store the session durably; committed before it returns."""
        ...

    def find_session(self, access_key_id: str) -> SessionCredentials | None: ...
