"""Kinesis in SQLite: SqliteKinesisRepository implements services/kinesis/repository.

One module per concept: streams and shards (kinesis_streams), records (kinesis_records), and tags,
consumers, policies and account settings (kinesis_metadata).
"""

from __future__ import annotations

from millpond.services.kinesis.repository import KinesisRepository
from millpond.storage.engine import Engine
from millpond.storage.kinesis_metadata import SqliteKinesisMetadata
from millpond.storage.kinesis_records import SqliteKinesisRecords
from millpond.storage.kinesis_streams import SqliteKinesisStreams


class SqliteKinesisRepository(
    SqliteKinesisStreams, SqliteKinesisRecords, SqliteKinesisMetadata, KinesisRepository
):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
