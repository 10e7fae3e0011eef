"""SQS in SQLite: SqliteSqsRepository implements services/sqs/repository.

One module per concept: queue records (sqs_queues), sends and visibility (sqs_messages), receives
(sqs_receive) and move tasks (sqs_move_tasks).
"""

from __future__ import annotations

from millpond.services.sqs.repository import SqsRepository
from millpond.storage.engine import Engine
from millpond.storage.sqs_messages import SqliteSqsMessages
from millpond.storage.sqs_move_tasks import SqliteSqsMoveTasks
from millpond.storage.sqs_queues import SqliteSqsQueues
from millpond.storage.sqs_receive import SqliteSqsReceive


class SqliteSqsRepository(
    SqliteSqsQueues, SqliteSqsMessages, SqliteSqsReceive, SqliteSqsMoveTasks, SqsRepository
):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
