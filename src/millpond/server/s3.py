"""Wiring S3: its blob folder (under the data directory, or a temp folder for --in-memory), its
repository, and the notifier that delivers its events through the other services' providers."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from millpond.clock import Clock
from millpond.config import Settings
from millpond.services.s3.notifications import Notifier
from millpond.services.s3.provider import S3Provider
from millpond.storage.engine import Engine
from millpond.storage.s3 import SqliteS3Repository
from millpond.storage.s3_blobs import FileBlobStore


class _TemporaryBlobs(FileBlobStore):
    """--in-memory: the bytes go to a temp folder removed when millpond stops."""

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def build_s3(settings: Settings, clock: Clock, engine: Engine, providers: dict[str, object]) -> S3Provider:
    if settings.in_memory:
        blobs: FileBlobStore = _TemporaryBlobs(Path(tempfile.mkdtemp(prefix="millpond-s3-")))
    else:
        blobs = FileBlobStore(Path(settings.data_dir) / "s3")
    notifier = Notifier(providers, settings.endpoint_url, settings.account_id)
    return S3Provider(SqliteS3Repository(engine, blobs), clock, settings.account_id, notifier)
