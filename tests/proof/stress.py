"""Concurrency stress: 50 clients at once mixing SQS operations on a shared standard and a shared FIFO
queue, with Kinesis producers and consumers beside them. No 5xx, no lost or phantom message, FIFO order
per group, no message handed to two consumers inside its visibility window, every record read back in
order, and CloudWatch's NumberOfMessagesSent equal to the sends acknowledged.

    python -m tests.proof.stress [--long]
"""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from botocore.exceptions import ClientError

from tests.proof.common import Report, client, harness_main
from tests.support.server import ServerProcess, make_server

CLIENTS = 50
VISIBILITY = 30


class Shared:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: set[str] = set()
        self.received: dict[str, list[float]] = {}  # body -> monotonic times it was handed out
        self.deleted: set[str] = set()
        self.fifo_seen: dict[str, list[int]] = {}
        self.records_put: dict[str, list[str]] = {}
        self.errors: list[str] = []
        self.sends = 0


def _client_loop(
    server: ServerProcess, shared: Shared, index: int, urls: dict[str, str], until: float
) -> None:
    sqs = client(server, "sqs", 30)
    role = index % 5  # 0, 1: producers; 2, 3: consumers; 4: kinesis
    kinesis = client(server, "kinesis", 30) if role == 4 else None
    n = 0
    while time.monotonic() < until:
        n += 1
        try:
            if role in (0, 1):
                fifo = role == 1
                body = f"c{index}-{n:06d}"
                url = urls["fifo" if fifo else "std"]
                extra = {"MessageGroupId": f"g{index}", "MessageDeduplicationId": body} if fifo else {}
                if n % 3:
                    sqs.send_message(QueueUrl=url, MessageBody=body, **extra)
                    bodies = [body]
                else:
                    bodies = [f"{body}-{i}" for i in range(10)]
                    entries = [
                        {
                            "Id": str(i),
                            "MessageBody": b,
                            **({**extra, "MessageDeduplicationId": b} if fifo else {}),
                        }
                        for i, b in enumerate(bodies)
                    ]
                    reply = sqs.send_message_batch(QueueUrl=url, Entries=entries)
                    if reply.get("Failed"):
                        shared.errors.append(f"batch failures {reply['Failed'][:1]}")
                with shared.lock:
                    shared.sent.update(bodies)
                    shared.sends += len(bodies)
            elif role in (2, 3):
                url = urls["fifo" if role == 3 else "std"]
                got = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=VISIBILITY
                ).get("Messages", [])
                now = time.monotonic()
                with shared.lock:
                    for m in got:
                        shared.received.setdefault(m["Body"], []).append(now)
                for i, m in enumerate(got):
                    if i % 4 == 3:  # hand some back at once: they may be received again, legitimately
                        with shared.lock:  # marked first: once handed back, another receive may come at once
                            shared.received[m["Body"]].append(-1.0)
                        sqs.change_message_visibility(
                            QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
                        )
                    else:
                        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                        with shared.lock:
                            shared.deleted.add(m["Body"])
            else:
                assert kinesis is not None
                datas = [f"k{index}-{n:06d}-{i}" for i in range(5)]
                reply = kinesis.put_records(
                    StreamName="stress",
                    Records=[{"Data": d.encode(), "PartitionKey": f"p{index}"} for d in datas],
                )
                if reply.get("FailedRecordCount"):
                    shared.errors.append("PutRecords reported failures")
                with shared.lock:
                    shared.records_put.setdefault(f"p{index}", []).extend(datas)
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            if status >= 500:
                shared.errors.append(f"client {index}: HTTP {status} {error}")
        except Exception as error:
            shared.errors.append(f"client {index}: {error!r}")


def _drain(server: ServerProcess, shared: Shared, urls: dict[str, str]) -> None:
    sqs = client(server, "sqs")
    for url in urls.values():
        while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300).get(
            "Messages"
        ):
            with shared.lock:
                for m in got:
                    shared.received.setdefault(m["Body"], []).append(time.monotonic())
                    shared.deleted.add(m["Body"])
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)],
            )


def _check(server: ServerProcess, shared: Shared, report: Report) -> None:
    for error in shared.errors[:20]:
        report.fail(error)
    lost = shared.sent - shared.deleted
    phantom = set(shared.received) - shared.sent
    if lost:
        report.fail(f"{len(lost)} messages lost, e.g. {sorted(lost)[:3]}")
    if phantom:
        report.fail(f"phantom messages {sorted(phantom)[:3]}")
    for body, times in shared.received.items():
        # Two deliveries less than the visibility timeout apart, with no hand-back between them.
        for first, second in itertools.pairwise(times):
            if first >= 0 and second >= 0 and second - first < VISIBILITY - 1:
                report.fail(f"{body} handed out twice within its visibility window")
                break
    kinesis = client(server, "kinesis")
    seen: dict[str, list[str]] = {}
    for shard in kinesis.list_shards(StreamName="stress")["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName="stress", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while True:
            reply = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
            for record in reply["Records"]:
                seen.setdefault(record["PartitionKey"], []).append(record["Data"].decode())
            iterator = reply["NextShardIterator"]
            if not reply["Records"]:
                break
    if seen != shared.records_put:
        report.fail("Kinesis records differ from those put (lost, extra or out of order per key)")
    report.figures["records verified"] = sum(len(v) for v in seen.values())


def _metric_sum(server: ServerProcess, queue: str) -> float:
    now = datetime.fromtimestamp(server.get("/_millpond/clock")["now"], UTC)
    reply = client(server, "cloudwatch").get_metric_statistics(
        Namespace="AWS/SQS",
        MetricName="NumberOfMessagesSent",
        Dimensions=[{"Name": "QueueName", "Value": queue}],
        StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(minutes=5),
        Period=60,
        Statistics=["Sum"],
    )
    return sum(point["Sum"] for point in reply["Datapoints"])


def run(tmp: Path, long: bool = False) -> Report:
    report = Report("stress")
    started = time.monotonic()
    server = make_server(tmp, "--data-dir", str(tmp / "data"), "--log-level", "warning").start()
    try:
        sqs = client(server, "sqs")
        urls = {
            "std": sqs.create_queue(QueueName="stress-std")["QueueUrl"],
            "fifo": sqs.create_queue(QueueName="stress.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"],
        }
        client(server, "kinesis").create_stream(StreamName="stress", ShardCount=4)
        shared = Shared()
        until = time.monotonic() + (60 if long else 5)
        threads = [
            threading.Thread(target=_client_loop, args=(server, shared, i, urls, until), daemon=True)
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        _drain(server, shared, urls)
        _check(server, shared, report)
        expected = {
            "stress-std": sum(
                1 for b in shared.sent if b[1:].split("-")[0].isdigit() and int(b[1:].split("-")[0]) % 5 == 0
            )
        }
        expected["stress.fifo"] = len(shared.sent) - expected["stress-std"]
        for queue, count in expected.items():
            counted = _metric_sum(server, queue)
            if counted != count:
                report.fail(f"CloudWatch NumberOfMessagesSent for {queue}: {counted}, sent {count}")
        report.figures.update(
            {
                "clients": CLIENTS,
                "messages verified": len(shared.sent),
                "deliveries": sum(len(t) for t in shared.received.values()),
            }
        )
    finally:
        server.stop(30)
    return report.finish(server, started)


def main() -> None:
    harness_main(__doc__, run, "a minute of load instead of five seconds", "/tmp/millpond-proof-stress")


if __name__ == "__main__":
    main()
