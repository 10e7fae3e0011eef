"""STS: who the caller is, and temporary credentials for assumed roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.sts import credentials
from millpond.services.sts.repository import SessionCredentials, StsRepository

DEFAULT_DURATION = 3600
MIN_DURATION, MAX_DURATION = 900, 43200


class StsProvider:
    def __init__(self, repository: StsRepository, clock: Clock) -> None:
        self.repository = repository
        self.clock = clock

    def get_caller_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        session = self.repository.find_session(ctx.access_key_id) if ctx.access_key_id else None
        if session is not None and session.expiration > self.clock.now():
            _, role_name = credentials.parse_role_arn(session.role_arn)
            arn = f"arn:aws:sts::{session.account_id}:assumed-role/{role_name}/{session.role_session_name}"
            return {"UserId": session.assumed_role_id, "Account": session.account_id, "Arn": arn}
        # Keys millpond did not issue act as the account root.
        return {
            "UserId": ctx.account_id,
            "Account": ctx.account_id,
            "Arn": f"arn:aws:iam::{ctx.account_id}:root",
        }

    async def assume_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        role_arn = params.get("RoleArn", "")
        session_name = params.get("RoleSessionName", "")
        account, role_name = credentials.parse_role_arn(role_arn)
        credentials.check_session_name(session_name)
        duration = int(params.get("DurationSeconds") or DEFAULT_DURATION)
        if not MIN_DURATION <= duration <= MAX_DURATION:
            raise AwsError(
                "ValidationError",
                f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy "
                f"constraint: Member must have value {'greater' if duration < MIN_DURATION else 'less'} than "
                f"or equal to {MIN_DURATION if duration < MIN_DURATION else MAX_DURATION}",
                400,
            )
        role_id = credentials.unique_id("AROA")
        session = SessionCredentials(
            access_key_id=credentials.unique_id("ASIA"),
            secret_access_key=credentials.secret_key(),
            session_token=credentials.session_token(),
            expiration=self.clock.now() + duration,
            account_id=account,
            role_arn=role_arn,
            role_session_name=session_name,
            assumed_role_id=f"{role_id}:{session_name}",
        )
        await self.repository.save_session(session)
        return {
            "Credentials": {
                "AccessKeyId": session.access_key_id,
                "SecretAccessKey": session.secret_access_key,
                "SessionToken": session.session_token,
                "Expiration": datetime.fromtimestamp(session.expiration, UTC),
            },
            "AssumedRoleUser": {
                "AssumedRoleId": session.assumed_role_id,
                "Arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}",
            },
            "PackedPolicySize": 0,
        }
