"""Identifiers STS hands out: access keys, secrets, session tokens, role ids; and role ARN parsing."""

from __future__ import annotations

import base64
import re
import secrets
import string

from millpond.errors import AwsError

_ID_ALPHABET = string.ascii_uppercase + "234567"
ROLE_ARN = re.compile(
    r"^arn:aws[\w-]*:iam::(?P<account>\d{12}):role/(?:(?P<path>[\w+=,.@/-]*)/)?(?P<name>[\w+=,.@-]{1,64})$"
)
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")


def unique_id(prefix: str) -> str:
    """AWS-style 20-character ids: a 4-letter prefix (ASIA, AROA, AKIA) and 16 base32 characters."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def secret_key() -> str:
    return base64.b64encode(secrets.token_bytes(30)).decode()


def session_token() -> str:
    return "FwoGZXIvYXdzE" + base64.b64encode(secrets.token_bytes(96)).decode()


def parse_role_arn(arn: str) -> tuple[str, str]:
    """(account, role name) of a role ARN, or the ValidationError AWS answers."""
    match = ROLE_ARN.match(arn or "")
    if match is None:
        raise AwsError("ValidationError", f"{arn} is invalid", 400)
    return match.group("account"), match.group("name")


def check_session_name(name: str) -> None:
    if not SESSION_NAME.match(name or ""):
        raise AwsError(
            "ValidationError",
            f"1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
            400,
        )
