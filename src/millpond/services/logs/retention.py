"""Log group retention: an event expires `retentionInDays` days after its timestamp.

AWS marks expired events for deletion at once (they leave storedBytes) and deletes them within about
72 hours; millpond deletes them in the background at most a minute of clock time after they expire,
started by writes to the logs and at once by PutRetentionPolicy. PutLogEvents refuses events already
past the group's retention (expiredLogEventEndIndex), as AWS does.
"""

from __future__ import annotations

RETENTION_DAYS = frozenset({1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                            2557, 2922, 3288, 3653})  # fmt: skip
DAY_MS = 86_400_000
EXPIRY_INTERVAL = 60.0  # seconds of clock time between background passes


def expiry_cutoff(retention_days: int | None, now_ms: int) -> int | None:
    """Events with timestamps before this have expired (None: the group keeps events forever)."""
    return None if retention_days is None else now_ms - retention_days * DAY_MS
