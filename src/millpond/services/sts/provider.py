"""STS: who the caller is, and temporary credentials for assumed roles and sessions.

With IAM wired in, callers using an IAM user's access key are that user, and AssumeRole uses the role's
id and MaxSessionDuration when the role exists. With IAM enforcement on, AssumeRole also requires the
role to exist and its trust policy to allow the caller; off, any syntactically valid role ARN works.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.iam.evaluation import Policy, Request, evaluate
from millpond.services.iam.provider import IamProvider
from millpond.services.sts import credentials
from millpond.services.sts.repository import SessionCredentials, StsRepository

DEFAULT_DURATION = 3600
MIN_DURATION, MAX_DURATION = 900, 43200
SESSION_TOKEN_DEFAULT, SESSION_TOKEN_MAX = 43200, 129600


def _duration_error(field: str, value: int, low: int, high: int) -> AwsError:
    return AwsError(
        "ValidationError",
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: Member must have value {'greater' if value < low else 'less'} than "
        f"or equal to {low if value < low else high}",
        400,
    )


class StsProvider:
    def __init__(
        self, repository: StsRepository, clock: Clock, iam: IamProvider | None = None, enforce: bool = False
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.iam = iam
        self.enforce = enforce

    def caller(self, ctx: RequestContext) -> dict[str, str]:
        """UserId, Account and Arn of the credentials that signed the request."""
        key = ctx.access_key_id
        session = self.repository.find_session(key) if key else None
        if session is not None and session.expiration > self.clock.now():
            if credentials.ROLE_ARN.match(session.role_arn):
                _, role_name = credentials.parse_role_arn(session.role_arn)
                arn = (
                    f"arn:aws:sts::{session.account_id}:assumed-role/{role_name}/{session.role_session_name}"
                )
                return {"UserId": session.assumed_role_id, "Account": session.account_id, "Arn": arn}
            # GetSessionToken credentials act as the user (or root) that asked for them.
            return {"UserId": session.assumed_role_id, "Account": session.account_id, "Arn": session.role_arn}
        user_key = self.iam.access_key(key) if self.iam is not None and key else None
        user = self.iam.user(user_key["UserName"]) if self.iam is not None and user_key else None
        if user is not None:
            return {"UserId": user["UserId"], "Account": user["Arn"].split(":")[4], "Arn": user["Arn"]}
        # Keys millpond did not issue act as the account root.
        return {
            "UserId": ctx.account_id,
            "Account": ctx.account_id,
            "Arn": f"arn:aws:iam::{ctx.account_id}:root",
        }

    def get_caller_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.caller(ctx)

    def _check_trust(self, ctx: RequestContext, role_arn: str, role: dict[str, Any] | None) -> None:
        caller = self.caller(ctx)
        denied = AwsError(
            "AccessDenied",
            f"User: {caller['Arn']} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            403,
        )
        if role is None:
            # AWS does not say whether the role exists: a missing role reads as any other refusal.
            raise denied
        principal = caller["Arn"]
        if ":assumed-role/" in principal:
            _, _, rest = principal.partition(":assumed-role/")
            principal = f"arn:aws:iam::{caller['Account']}:role/{rest.split('/')[0]}"
        trust = Policy("trust", json.loads(role["AssumeRolePolicyDocument"]), resource_policy=True)
        request = Request("sts:AssumeRole", role_arn, principal, caller["Account"])
        if not evaluate([trust], request).allowed:
            raise denied

    async def assume_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        role_arn = params.get("RoleArn", "")
        session_name = params.get("RoleSessionName", "")
        account, role_name = credentials.parse_role_arn(role_arn)
        credentials.check_session_name(session_name)
        duration = int(params.get("DurationSeconds") or DEFAULT_DURATION)
        if not MIN_DURATION <= duration <= MAX_DURATION:
            raise _duration_error("durationSeconds", duration, MIN_DURATION, MAX_DURATION)
        role = self.iam.role(role_name) if self.iam is not None and account == ctx.account_id else None
        if self.enforce:
            self._check_trust(ctx, role_arn, role)
        if role is not None and duration > role["MaxSessionDuration"]:
            raise AwsError(
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                400,
            )
        role_id = role["RoleId"] if role is not None else credentials.unique_id("AROA")
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
            "Credentials": _credentials(session),
            "AssumedRoleUser": {
                "AssumedRoleId": session.assumed_role_id,
                "Arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}",
            },
            "PackedPolicySize": 0,
        }

    async def get_session_token(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        duration = int(params.get("DurationSeconds") or SESSION_TOKEN_DEFAULT)
        if not MIN_DURATION <= duration <= SESSION_TOKEN_MAX:
            raise _duration_error("durationSeconds", duration, MIN_DURATION, SESSION_TOKEN_MAX)
        key = ctx.access_key_id
        if key and self.repository.find_session(key) is not None:
            raise AwsError("AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
        caller = self.caller(ctx)
        session = SessionCredentials(
            access_key_id=credentials.unique_id("ASIA"),
            secret_access_key=credentials.secret_key(),
            session_token=credentials.session_token(),
            expiration=self.clock.now() + duration,
            account_id=caller["Account"],
            role_arn=caller["Arn"],
            role_session_name="",
            assumed_role_id=caller["UserId"],
        )
        await self.repository.save_session(session)
        return {"Credentials": _credentials(session)}


def _credentials(session: SessionCredentials) -> dict[str, Any]:
    return {
        "AccessKeyId": session.access_key_id,
        "SecretAccessKey": session.secret_access_key,
        "SessionToken": session.session_token,
        "Expiration": datetime.fromtimestamp(session.expiration, UTC),
    }
