"""Temporary credentials for a function's execution role, issued as STS sessions millpond recognises."""

from __future__ import annotations

from millpond.clock import Clock
from millpond.services.lambda_.runtime.types import Credentials, FunctionSpec
from millpond.services.sts import credentials as sts_ids
from millpond.services.sts.repository import SessionCredentials, StsRepository

SESSION_SECONDS = 12 * 3600


class RoleCredentials:
    def __init__(self, repository: StsRepository, clock: Clock, account: str) -> None:
        self.repository = repository
        self.clock = clock
        self.account = account

    async def __call__(self, spec: FunctionSpec) -> Credentials:
        role_arn = spec.role
        parts = role_arn.split(":")
        account = parts[4] if len(parts) > 5 and parts[4] else self.account
        role_id = sts_ids.unique_id("AROA")
        session = SessionCredentials(
            access_key_id=sts_ids.unique_id("ASIA"),
            secret_access_key=sts_ids.secret_key(),
            session_token=sts_ids.session_token(),
            expiration=self.clock.now() + SESSION_SECONDS,
            account_id=account,
            role_arn=role_arn,
            role_session_name=spec.name,  # Lambda names the session after the function
            assumed_role_id=f"{role_id}:{spec.name}",
        )
        await self.repository.save_session(session)
        return Credentials(
            session.access_key_id, session.secret_access_key, session.session_token, session.expiration
        )
