"""S3 lifecycle expiration on the virtual clock: objects under a rule's prefix expire once the clock is
advanced past Days (rounded to midnight UTC); others stay; incomplete multipart uploads are aborted."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from tests.support.server import make_server

from .conftest import s3_client


def test_expiration_follows_the_virtual_clock(tmp_path: Path) -> None:
    server = make_server(tmp_path, "--in-memory").start()
    try:
        s3: Any = s3_client(server)
        bucket = f"life-{uuid.uuid4().hex[:8]}"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="logs/old.txt", Body=b"old")
        s3.put_object(Bucket=bucket, Key="keep/me.txt", Body=b"keep")
        upload = s3.create_multipart_upload(Bucket=bucket, Key="logs/partial")["UploadId"]
        rules = [
            {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 1},
             "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
        ]  # fmt: skip
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
        time.sleep(0.3)
        assert len(s3.list_objects_v2(Bucket=bucket)["Contents"]) == 2  # not yet a day old
        server.post("/_millpond/clock", {"advance": 2 * 86400 + 60})
        deadline = time.monotonic() + 10
        keys: list[str] = []
        while time.monotonic() < deadline:
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
            if keys == ["keep/me.txt"]:
                break
            time.sleep(0.2)
        assert keys == ["keep/me.txt"]
        assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])] != [
            upload
        ]
    finally:
        server.stop()


def test_daily_storage_metrics(tmp_path: Path) -> None:
    server = make_server(tmp_path, "--in-memory").start()
    try:
        s3: Any = s3_client(server)
        s3.create_bucket(Bucket="metered")
        for i in range(3):
            s3.put_object(Bucket="metered", Key=f"k{i}", Body=b"x" * 100)
        server.post("/_millpond/clock", {"advance": 86400})
        s3.head_bucket(Bucket="metered")  # the day's housekeeping runs on a request
        now = server.get("/_millpond/clock")["now"]
        day = now - now % 86400
        cloudwatch = server.client("cloudwatch")
        from datetime import UTC, datetime

        def stat(name: str, storage: str) -> list[float]:
            dimensions = [
                {"Name": "BucketName", "Value": "metered"},
                {"Name": "StorageType", "Value": storage},
            ]
            found = cloudwatch.get_metric_statistics(
                Namespace="AWS/S3",
                MetricName=name,
                Period=86400,
                Statistics=["Average"],
                Dimensions=dimensions,
                StartTime=datetime.fromtimestamp(day, UTC),
                EndTime=datetime.fromtimestamp(day + 86400, UTC),
            )
            return [p["Average"] for p in found["Datapoints"]]

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not stat("NumberOfObjects", "AllStorageTypes"):
            time.sleep(0.2)
        assert stat("NumberOfObjects", "AllStorageTypes") == [3.0]
        assert stat("BucketSizeBytes", "StandardStorage") == [300.0]
    finally:
        server.stop()
