"""Mappings are durable: their pollers start with the server, and resume where they left off."""

from __future__ import annotations

import time
from pathlib import Path

from tests.integration.event_sources.conftest import advance, create_function, create_queue, drain, wait_state
from tests.integration.event_sources.test_kinesis_source import LOGGING, data_of, make_stream, put, records_of
from tests.integration.event_sources.test_sqs_source import REPORTING
from tests.support.server import ServerProcess, make_server


def _restart(server: ServerProcess, tmp_path: Path) -> ServerProcess:
    server.stop()
    return make_server(tmp_path, "--data-dir", str(tmp_path / "data"), port=server.port).start()


def test_kinesis_restart_in_the_middle_of_a_stream_skips_nothing(tmp_path: Path) -> None:
    server = make_server(tmp_path, "--data-dir", str(tmp_path / "data")).start()
    try:
        log_url, _ = create_queue(server)
        stream, arn = make_stream(server, 1)
        function = create_function(
            server, LOGGING, Environment={"Variables": {"LOG_URL": log_url, "PAUSE": "0.2"}}
        )
        created = server.client("lambda").create_event_source_mapping(
            EventSourceArn=arn, FunctionName=function, StartingPosition="TRIM_HORIZON", BatchSize=2
        )
        wait_state(server, created["UUID"], "Enabled")
        put(server, stream, [("k", f"r{i:02d}") for i in range(20)])
        before = drain(server, log_url, lambda got: len(got) >= 2)
        server = _restart(server, tmp_path)
        put(server, stream, [("k", f"r{i:02d}") for i in range(20, 24)])
        after = drain(
            server,
            log_url,
            lambda got: {data_of(r) for r in records_of(before + got)} >= {f"r{i:02d}" for i in range(24)},
        )
        seen = [data_of(r) for r in records_of(before + after)]
        assert sorted(set(seen)) == [f"r{i:02d}" for i in range(24)]
        assert server.client("lambda").get_event_source_mapping(UUID=created["UUID"])["State"] == "Enabled"
    finally:
        server.stop()


def test_sqs_restart_loses_nothing(tmp_path: Path) -> None:
    server = make_server(tmp_path, "--data-dir", str(tmp_path / "data")).start()
    try:
        log_url, _ = create_queue(server)
        url, arn = create_queue(server, VisibilityTimeout="30")
        function = create_function(
            server, REPORTING, Environment={"Variables": {"LOG_URL": log_url, "PAUSE": "0.2"}}
        )
        created = server.client("lambda").create_event_source_mapping(
            EventSourceArn=arn, FunctionName=function, BatchSize=2, ScalingConfig={"MaximumConcurrency": 2}
        )
        wait_state(server, created["UUID"], "Enabled")
        sqs = server.client("sqs")
        for start in range(0, 20, 10):
            sqs.send_message_batch(
                QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{start + i:02d}"} for i in range(10)]
            )
        before = drain(server, log_url, lambda got: len(got) >= 2)
        server = _restart(server, tmp_path)
        advance(server, 31)  # messages in flight at the stop come back after the visibility timeout

        def bodies(got: list[dict]) -> set[str]:
            return {r["body"] for e in got for r in e["records"]}

        after = drain(server, log_url, lambda got: bodies(before + got) >= {f"m{i:02d}" for i in range(20)})
        assert bodies(before + after) == {f"m{i:02d}" for i in range(20)}
        deadline = time.monotonic() + 10
        while (
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"
            ]["ApproximateNumberOfMessages"]
            != "0"
        ):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        server.stop()
