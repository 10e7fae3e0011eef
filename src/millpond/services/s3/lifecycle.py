"""Lifecycle expiration on the (virtual) clock: Expiration Days/Date on current versions, and
AbortIncompleteMultipartUpload, for enabled rules whose filter (prefix, tags) matches.

S3 counts Days from the object's creation, rounded up to the next midnight UTC. The sweep runs as
housekeeping: at most once per SWEEP_EVERY seconds of clock time, started by S3 requests.
"""

from __future__ import annotations

import contextlib
import math
from datetime import datetime
from typing import Any

from millpond.context import RequestContext
from millpond.services.housekeeping import Housekeeping
from millpond.services.s3 import configs
from millpond.services.s3.common import S3State, version_id_for
from millpond.services.s3.repository import Bucket, ObjectVersion

DAY = 86400
SWEEP_EVERY = 60.0


def _due(created: float, days: int) -> float:
    return math.ceil((created + days * DAY) / DAY) * DAY  # the midnight UTC after `days` days


def _filter(rule: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    found = rule.get("Filter") or {}
    both = found.get("And") or {}
    prefix = found.get("Prefix", both.get("Prefix", rule.get("Prefix", ""))) or ""
    tags = ([found["Tag"]] if found.get("Tag") else []) + list(both.get("Tags") or [])
    return prefix, tags


def _matches(rule: dict[str, Any], version: ObjectVersion) -> bool:
    prefix, tags = _filter(rule)
    if not version.key.startswith(prefix):
        return False
    have = {(t.get("Key"), t.get("Value")) for t in version.attrs.get("Tags") or []}
    return all((t.get("Key"), t.get("Value")) in have for t in tags)


def _expired(rule: dict[str, Any], version: ObjectVersion, now: float) -> bool:
    expiration = rule.get("Expiration") or {}
    if expiration.get("Days"):
        return now >= _due(version.last_modified, int(expiration["Days"]))
    when = expiration.get("Date")
    return isinstance(when, datetime) and now >= when.timestamp()


class Lifecycle:
    def __init__(self, state: S3State) -> None:
        self.s = state
        self.housekeeping = Housekeeping(
            "S3 objects past their lifecycle expiration", SWEEP_EVERY, self.sweep
        )

    def poke(self) -> None:
        self.housekeeping.poke(self.s.clock.now())

    async def sweep(self, now: float) -> int:
        removed = 0
        for bucket in self.s.repo.list_buckets():
            rules = configs.decode((bucket.configs.get("lifecycle") or {}).get("Rules") or [])
            enabled = [r for r in rules if r.get("Status") == "Enabled"]
            if enabled:
                removed += await self._bucket(bucket, enabled, now)
        return removed

    async def _bucket(self, bucket: Bucket, rules: list[dict[str, Any]], now: float) -> int:
        removed = 0
        expiring = [r for r in rules if r.get("Expiration")]
        if expiring:
            for version in self.s.repo.expired_candidates(bucket.name):
                if any(_matches(r, version) and _expired(r, version, now) for r in expiring):
                    await self._expire(bucket, version, now)
                    removed += 1
        aborting = [
            r for r in rules if (r.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")
        ]
        for upload in self.s.repo.list_uploads(bucket.name) if aborting else []:
            for rule in aborting:
                days = int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
                if upload.key.startswith(_filter(rule)[0]) and now >= _due(upload.initiated, days):
                    with contextlib.suppress(KeyError):
                        self.s.repo.blobs.delete(
                            await self.s.repo.finish_upload(upload.upload_id, None, False)
                        )
                    removed += 1
                    break
        return removed

    async def _expire(self, bucket: Bucket, version: ObjectVersion, now: float) -> None:
        ctx = RequestContext(self.s.account_id, bucket.region, "lifecycle", "", "s3", "Lifecycle")
        if bucket.versioning:
            marker = ObjectVersion(bucket.name, version.key, version_id_for(bucket), now, delete_marker=True)
            dropped = await self.s.repo.put_version(marker, replace_null=marker.version_id == "null")
            self.s.repo.blobs.delete(dropped)
            self.s.notifier.notify(ctx, bucket, "LifecycleExpiration:DeleteMarkerCreated", marker, now)
            return
        removed = await self.s.repo.delete_version(bucket.name, version.key, version.version_id)
        if removed is not None:
            if removed.blob:
                self.s.repo.blobs.delete([removed.blob])
            self.s.notifier.notify(ctx, bucket, "LifecycleExpiration:Delete", removed, now)
