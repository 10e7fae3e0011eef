"""Who holds an access key: the root keys, an IAM user's key, or an STS session (an assumed role, or
GetSessionToken credentials acting as their user), with the secret the request must be signed with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from millpond.services.iam.authorization import ASSUMED_ROLE, ROOT, USER, Principal
from millpond.services.iam.provider import IamProvider
from millpond.services.iam.simulate import boundary_policy, principal_policies
from millpond.services.sts.repository import SessionCredentials, StsRepository


@dataclass(frozen=True)
class Credential:
    principal: Principal
    secret: str
    session_token: str | None = None  # STS credentials are only valid with their session token
    expiration: float | None = None


def _tags(record: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in record.get("Tags") or []}


class Identities:
    def __init__(
        self, iam: IamProvider, sessions: StsRepository, account: str, root_key: str, root_secret: str
    ) -> None:
        self.iam = iam
        self.sessions = sessions
        self.account = account
        self.root_key = root_key
        self.root_secret = root_secret

    def root(self) -> Principal:
        return Principal(f"arn:aws:iam::{self.account}:root", self.account, self.account, ROOT)

    def user(self, name: str) -> Principal | None:
        record = self.iam.user(name)
        if record is None:
            return None
        policies = tuple(principal_policies(self.iam.repository, record, "user"))
        account = record["Arn"].split(":")[4]
        return Principal(
            record["Arn"],
            account,
            record["UserId"],
            USER,
            record["UserName"],
            policies,
            _tags(record),
            boundary=boundary_policy(self.iam.repository, record),
        )

    def role_session(self, session: SessionCredentials) -> Principal:
        role_name = session.role_arn.rsplit("/", 1)[-1]
        arn = f"arn:aws:sts::{session.account_id}:assumed-role/{role_name}/{session.role_session_name}"
        role = self.iam.role(role_name) if session.account_id == self.account else None
        # A deleted role keeps its sessions' signatures valid but grants nothing, as on AWS.
        policies = tuple(principal_policies(self.iam.repository, role, "role")) if role else ()
        return Principal(
            arn,
            session.account_id,
            session.assumed_role_id,
            ASSUMED_ROLE,
            role_name,
            policies,
            _tags(role) if role else {},
            role_arn=role["Arn"] if role else session.role_arn,
            boundary=boundary_policy(self.iam.repository, role),
        )

    def role(self, role_arn: str) -> Principal | None:
        """A role as the services acting with it are judged (a function's execution role)."""
        record = self.iam.role(role_arn.rsplit("/", 1)[-1])
        if record is None:
            return None
        policies = tuple(principal_policies(self.iam.repository, record, "role"))
        arn = f"arn:aws:sts::{self.account}:assumed-role/{record['RoleName']}/{record['RoleName']}"
        return Principal(
            arn,
            self.account,
            record["RoleId"],
            ASSUMED_ROLE,
            record["RoleName"],
            policies,
            _tags(record),
            role_arn=record["Arn"],
            boundary=boundary_policy(self.iam.repository, record),
        )

    def find(self, access_key_id: str) -> Credential | None:
        """The credential behind a key, or None when millpond never issued it (or it is inactive)."""
        if access_key_id == self.root_key:
            return Credential(self.root(), self.root_secret)
        key = self.iam.access_key(access_key_id)
        if key is not None:
            user = self.user(key["UserName"]) if key.get("Status", "Active") == "Active" else None
            return Credential(user, key["SecretAccessKey"]) if user is not None else None
        session = self.sessions.find_session(access_key_id)
        if session is None:
            return None
        if ":assumed-role/" in session.role_arn or ":role/" in session.role_arn:
            principal: Principal | None = self.role_session(session)
        elif session.role_arn.endswith(":root"):
            principal = self.root()
        else:
            principal = self.user(session.role_arn.rsplit("/", 1)[-1])
        if principal is None:
            return None
        return Credential(principal, session.secret_access_key, session.session_token, session.expiration)
