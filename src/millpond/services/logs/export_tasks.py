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
from millpond.services.logs.repository import LogsRepository, events_in_order

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
    def __init__(self, repository: LogsRepository, store: Any, now_ms: Callable[[], int]) -> None:
        self.repository = repository
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
        put = self.put_object
        try:
            await put(bucket, "aws-logs-write-test", b"Permission Check Successful")
            for stream in self.repository.list_streams(group, params.get("logStreamNamePrefix") or ""):
                events = events_in_order(self.repository, group, [stream.name], start, end, page=PAGE)
                lines = "".join(_line(event.timestamp, event.message) for event in events)
                if lines:
                    key = f"{prefix}/{task_id}/{stream.name.strip('/')}/000000.gz"
                    await put(bucket, key, gzip.compress(lines.encode()))
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
