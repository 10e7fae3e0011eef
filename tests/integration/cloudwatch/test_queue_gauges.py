"""The SQS gauges (ApproximateNumberOfMessagesVisible / NotVisible) across virtual-clock moves: each minute's
datapoint says what GetQueueAttributes said in that minute, whether the clock was stepped a minute at a time
or jumped across a visibility timeout in one move (the minutes a jump skips are not all "now", nor what a
consumer did right after the jump)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.cloudwatch.conftest import advance, eventually, unique
from tests.support.server import ServerProcess

GAUGES = ("ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible")
# The message becomes visible again in the second half of a minute, so that a sample taken at the minute's
# end and a GetQueueAttributes call 30 s into the next minute see the same state.
VISIBILITY = 315


def clock_now(server: ServerProcess) -> float:
    return float(server.get("/_millpond/clock")["now"])


def datapoints(server: ServerProcess, queue: str, start: float, end: float) -> dict[float, tuple[int, int]]:
    cw = server.client("cloudwatch")
    found: dict[str, dict[float, float]] = {}
    for metric in GAUGES:
        reply = cw.get_metric_statistics(
            Namespace="AWS/SQS",
            MetricName=metric,
            Dimensions=[{"Name": "QueueName", "Value": queue}],
            StartTime=datetime.fromtimestamp(start, UTC),
            EndTime=datetime.fromtimestamp(end, UTC) + timedelta(seconds=1),
            Period=60,
            Statistics=["Maximum"],
        )
        found[metric] = {p["Timestamp"].timestamp(): p["Maximum"] for p in reply["Datapoints"]}
    stamps = set(found[GAUGES[0]]) & set(found[GAUGES[1]])
    return {s: (int(found[GAUGES[0]][s]), int(found[GAUGES[1]][s])) for s in sorted(stamps)}


def test_gauges_agree_with_get_queue_attributes_across_clock_moves(cw_server: ServerProcess) -> None:
    sqs = cw_server.client("sqs")
    name = unique("gauges")
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": str(VISIBILITY)})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="order 1")
    # Put the clock 30 s past a minute boundary B.
    now = clock_now(cw_server)
    advance(cw_server, (60 - now % 60) + 30)
    boundary = clock_now(cw_server) // 60 * 60

    def attributes() -> tuple[int, int]:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        return int(found[names[0]]), int(found[names[1]])

    # Stepped a minute at a time: minute [B + 60(k-1), B + 60k) is published once the clock passes B + 60k.
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1
    expected: dict[float, tuple[int, int]] = {}
    for k in range(1, 8):
        advance(cw_server, 60)
        expected[boundary + 60 * (k - 1)] = attributes()
    assert expected[boundary] == (0, 1) and expected[boundary + 360] == (1, 0)

    # Jumped ten minutes at once, across the visibility timeout of a second receive.
    received_at = clock_now(cw_server)
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1
    assert attributes() == (0, 1)
    advance(cw_server, 600)
    for k in range(8, 18):
        end = boundary + 60 * k
        expected[end - 60] = (0, 1) if end < received_at + VISIBILITY else (1, 0)
    assert attributes() == expected[boundary + 60 * 16] == (1, 0)
    # A consumer that receives right after the jump (as a Lambda poller woken by it does) changes now,
    # not the minutes jumped over.
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1
    assert attributes() == (0, 1)

    last = boundary + 60 * 16
    found = eventually(
        lambda: datapoints(cw_server, name, boundary, last), lambda points: last in points, timeout=10
    )
    assert {stamp: found.get(stamp) for stamp in expected} == expected
