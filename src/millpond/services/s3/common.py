"""What every S3 module shares: the state it works on, owner fields, version ids, bucket lookup."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from millpond.clock import Clock
from millpond.services.s3.errors import no_such_bucket
from millpond.services.s3.notifications import Notifier
from millpond.services.s3.repository import Bucket, S3Repository

OWNER_ID = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"


@dataclass
class S3State:
    repo: S3Repository
    clock: Clock
    account_id: str
    notifier: Notifier
    on_request: Callable[[], None] | None = None

    def now(self) -> float:
        return round(self.clock.now(), 3)

    def bucket(self, name: str) -> Bucket:
        if self.on_request is not None:
            self.on_request()  # lets housekeeping (lifecycle expiration) run when it is due
        bucket = self.repo.get_bucket(name)
        if bucket is None:
            raise no_such_bucket(name)
        return bucket


def owner() -> dict[str, Any]:
    return {"DisplayName": "webfile", "ID": OWNER_ID}


def new_version_id() -> str:
    return secrets.token_urlsafe(24).replace("-", "A").replace("_", "B")[:32]


def version_id_for(bucket: Bucket) -> str:
    return new_version_id() if bucket.versioning == "Enabled" else "null"
