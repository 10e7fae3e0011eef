"""What IAM needs from storage: records of each kind (role, user, group, policy, access_key) by key.

Records are plain JSON-able dicts (services/iam/model.py converts them). `update` runs the caller's
function on the current record inside one write transaction, so read-modify-write is atomic: the function
returns the new record (None deletes it) or raises an AwsError, which leaves the record as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Record = dict[str, Any]
# Kinds of record; keys are lower-cased names (IAM names are unique case-insensitively) or ids.
KINDS = ("role", "user", "group", "policy", "access_key")


class IamRepository(Protocol):
    def get(self, kind: str, key: str) -> Record | None: ...

    def scan(self, kind: str) -> list[Record]:
        """Every record of a kind, in key order."""
        ...

    async def update(
        self, kind: str, key: str, fn: Callable[[Record | None], Record | None]
    ) -> Record | None:
        """Replace the record with fn(current) atomically (None deletes it); return what was stored."""
        ...
