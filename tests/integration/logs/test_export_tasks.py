"""CloudWatch Logs export tasks into an S3 bucket, via boto3: the permission check object, one gzip object
per stream with `<ISO time> <message>` lines, the task's description, and the errors AWS answers."""

from __future__ import annotations

import gzip
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.support.server import ServerProcess


def test_export_writes_each_stream_into_the_bucket(server: ServerProcess) -> None:
    logs, s3 = server.client("logs"), server.client("s3")
    group, bucket = f"/export/{uuid.uuid4().hex[:8]}", f"export-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    logs.create_log_group(logGroupName=group)
    now = int(time.time() * 1000)
    for stream in ("app/a", "other"):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": now + i, "message": f"{stream} line {i}"} for i in range(3)],
        )
    task_id = logs.create_export_task(
        taskName="nightly",
        logGroupName=group,
        logStreamNamePrefix="app/",
        fromTime=now - 60_000,
        to=now + 60_000,
        destination=bucket,
        destinationPrefix="logs",
    )["taskId"]
    assert uuid.UUID(task_id)
    check = s3.get_object(Bucket=bucket, Key="aws-logs-write-test")["Body"].read()
    assert check == b"Permission Check Successful"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(keys) == ["aws-logs-write-test", f"logs/{task_id}/app/a/000000.gz"]
    body = gzip.decompress(s3.get_object(Bucket=bucket, Key=f"logs/{task_id}/app/a/000000.gz")["Body"].read())
    lines = body.decode().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == [f"app/a line {i}" for i in range(3)]
    assert lines[0].split(" ", 1)[0].endswith("Z") and "T" in lines[0]

    [task] = logs.describe_export_tasks(taskId=task_id)["exportTasks"]
    assert task["taskName"] == "nightly" and task["logGroupName"] == group
    assert task["destination"] == bucket and task["destinationPrefix"] == "logs"
    assert task["status"] == {"code": "COMPLETED", "message": "Completed successfully"}
    assert task_id in [t["taskId"] for t in logs.describe_export_tasks(statusCode="COMPLETED")["exportTasks"]]
    with pytest.raises(ClientError) as finished:
        logs.cancel_export_task(taskId=task_id)
    assert finished.value.response["Error"]["Code"] == "InvalidOperationException"


def test_export_errors(server: ServerProcess) -> None:
    logs, s3 = server.client("logs"), server.client("s3")
    group, bucket = f"/export/{uuid.uuid4().hex[:8]}", f"export-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as no_bucket:
        logs.create_export_task(logGroupName=group, fromTime=0, to=1, destination=f"{bucket}-missing")
    assert no_bucket.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "bucket does not exist" in no_bucket.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as no_group:
        logs.create_export_task(logGroupName=f"{group}-missing", fromTime=0, to=1, destination=bucket)
    assert no_group.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as reversed_range:
        logs.create_export_task(logGroupName=group, fromTime=1000, to=500, destination=bucket)
    assert reversed_range.value.response["Error"]["Code"] == "InvalidParameterException"
    for call in (logs.describe_export_tasks, logs.cancel_export_task):
        with pytest.raises(ClientError) as unknown:
            call(taskId=str(uuid.uuid4()))
        assert unknown.value.response["Error"]["Code"] == "ResourceNotFoundException"
