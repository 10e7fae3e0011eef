"""Export tasks: a log group's events between two times copied into an S3 bucket, as CloudWatch Logs does.

AWS first writes `aws-logs-write-test` ("Permission Check Successful") to check it may write, then one
gzip object per stream at `<prefix>/<taskId>/<stream>/000000.gz`, each line `<ISO time> <message>`. Here
the copy runs inside CreateExportTask, so a task is COMPLETED when the call answers.
"""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from millpond.errors import AwsError

# (bucket, key, body) -> None; raises AwsError NoSuchBucket when the bucket does not exist
PutObject = Callable[[str, str, bytes], Awaitable[None]]

NO_BUCKET = "The given bucket does not exist. Please make sure the bucket is valid."
DEFAULT_PREFIX = "exportedlogs"  # AWS's destinationPrefix when none is given
PAGE = 10_000


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def _line(timestamp: int, message: str) -> str:
    moment = datetime.fromtimestamp(timestamp / 1000, UTC)
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{timestamp % 1000:03d}Z {message}\n"


class ExportTasks:
    def __init__(self, repository: Any, store: Any, now_ms: Callable[[], int]) -> None:
        self.repository = repository  # a LogsRepository: groups, streams, events
        self.store = store  # a LogFiltersRepository: the tasks are kept as documents
        self.now_ms = now_ms
        self.put_object: PutObject | None = None  # set when S3 is served

    async def create_export_task(self, params: dict[str, Any]) -> dict[str, Any]:
        group, bucket = params["logGroupName"], params["destination"]
        start, end = int(params["from"]), int(params["to"])
        if self.repository.get_group(group) is None:
            raise AwsError("ResourceNotFoundException", "The specified log group does not exist.")
        if start > end:
            # AWS's wording for a reversed range is not recorded; this names both values.
            raise _invalid(f"Specified time range of '{start}' and '{end}' is not valid.")
        if self.put_object is None:
            raise _invalid(NO_BUCKET)
        prefix = params.get("destinationPrefix") or DEFAULT_PREFIX
        task_id = str(uuid.uuid4())
        created = self.now_ms()
        try:
            await self.put_object(bucket, "aws-logs-write-test", b"Permission Check Successful")
            streams = params.get("logStreamNamePrefix") or ""
            await self._copy(group, streams, start, end, bucket, prefix, task_id)
        except AwsError as error:
            if error.code == "NoSuchBucket":
                raise _invalid(NO_BUCKET) from None
            raise
        task = {
            "taskId": task_id,
            "logGroupName": group,
            "from": start,
            "to": end,
            "destination": bucket,
            "destinationPrefix": prefix,
            "status": {"code": "COMPLETED", "message": "Completed successfully"},
            "executionInfo": {"creationTime": created, "completionTime": self.now_ms()},
        }
        if params.get("taskName"):
            task["taskName"] = params["taskName"]
        await self.store.put_document("export-task", task_id, task, created)
        return {"taskId": task_id}

    async def _copy(
        self, group: str, stream_prefix: str, start: int, end: int, bucket: str, prefix: str, task_id: str
    ) -> None:
        for stream in self.repository.list_streams(group, stream_prefix):
            lines: list[str] = []
            after = None
            while True:
                events = self.repository.read_events(
                    group, [stream.name], start, end, after, None, PAGE, False
                )
                lines.extend(_line(event.timestamp, event.message) for event in events)
                if len(events) < PAGE:
                    break
                after = (events[-1].timestamp, events[-1].id)
            if lines:
                key = f"{prefix}/{task_id}/{stream.name.strip('/')}/000000.gz"
                await self.put_object(bucket, key, gzip.compress("".join(lines).encode()))  # type: ignore[misc]

    def describe_export_tasks(self, params: dict[str, Any]) -> dict[str, Any]:
        tasks = self.store.documents("export-task")
        if params.get("taskId"):
            tasks = [t for t in tasks if t["taskId"] == params["taskId"]]
            if not tasks:
                raise AwsError("ResourceNotFoundException", "The specified export task does not exist.")
        if params.get("statusCode"):
            tasks = [t for t in tasks if t["status"]["code"] == params["statusCode"]]
        tasks.sort(key=lambda t: t["executionInfo"]["creationTime"], reverse=True)
        start = int(params["nextToken"]) if str(params.get("nextToken") or "").isdigit() else 0
        limit = int(params.get("limit") or 50)
        result: dict[str, Any] = {"exportTasks": tasks[start : start + limit]}
        if start + limit < len(tasks):
            result["nextToken"] = str(start + limit)
        return result

    async def cancel_export_task(self, params: dict[str, Any]) -> dict[str, Any]:
        task = self.store.get_document("export-task", params["taskId"])
        if task is None:
            raise AwsError("ResourceNotFoundException", "The specified export task does not exist.")
        if task["status"]["code"] not in ("PENDING", "RUNNING"):
            raise AwsError("InvalidOperationException", "The specified export task has already finished")
        return {}
