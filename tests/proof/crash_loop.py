"""Crash loop: mixed load (tests/proof/crash_load.py) against a millpond that is SIGKILLed at random
moments and restarted on the same data directory, verified after every restart: every acknowledged SQS
message is delivered (no acknowledged delete undone, no phantom, FIFO order per group), every acknowledged
Kinesis record is in its shard with sequence numbers still increasing, every acknowledged SNS publish
reaches the topic's SQS subscriber, every acknowledged entity exists;
at the end both mappings have handed every acknowledged message and record to their function. At
durability "full" a copy of the data directory taken mid-run (process frozen) is opened as a crash image.

    python -m tests.proof.crash_loop [--long] [--kills N] [--durability normal|full]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

from tests.proof.common import Report, client, processes_with_env, reap, wait_for
from tests.proof.crash_load import (
    ESM_QUEUE,
    FIFO,
    SNS_QUEUE,
    STD,
    STREAM,
    Ledger,
    queue_url,
    setup,
    unique_id,
    workers,
)
from tests.support.server import ServerProcess, make_server


def start(tmp: Path, data: Path, durability: str, port: int | None = None) -> ServerProcess:
    args = ("--data-dir", str(data), "--durability", durability, "--log-level", "warning")
    return make_server(tmp, *args, port=port).start(60)


def drain(server: ServerProcess, ledger: Ledger, report: Report, snapshot: dict[str, Any]) -> int:
    """Empty the std and FIFO queues (in-flight messages made visible by the clock) and check them."""
    server.post("/_millpond/clock", {"advance": 61})
    sqs = client(server, "sqs")
    seen = 0
    for name in (STD, FIFO):
        bodies: list[str] = []
        while True:
            got = sqs.receive_message(
                QueueUrl=queue_url(server, name), MaxNumberOfMessages=10, VisibilityTimeout=600
            ).get("Messages", [])
            if not got:
                break
            bodies += [m["Body"] for m in got]
            sqs.delete_message_batch(
                QueueUrl=queue_url(server, name),
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)],
            )
        seen += len(bodies)
        undone = set(bodies) & snapshot["deleted"]
        if undone:
            report.fail(f"{name}: {len(undone)} acknowledged deletes undone, e.g. {sorted(undone)[:3]}")
        phantoms = set(bodies) - ledger.attempted
        if phantoms:
            report.fail(f"{name}: phantom messages {sorted(phantoms)[:3]}")
        if name == FIFO:
            groups: dict[str, list[str]] = {}
            for body in bodies:
                groups.setdefault(body.rsplit("-", 1)[0], []).append(body)
            for group, order in groups.items():
                if order != sorted(order):
                    report.fail(f"FIFO group {group} out of order: {order[:10]}")
        with ledger.lock:
            ledger.delivered.update(bodies)
            ledger.deleted.update(bodies)
        lost = snapshot["acked"][name] - ledger.delivered
        if lost:
            report.fail(f"{name}: {len(lost)} acknowledged messages lost, e.g. {sorted(lost)[:3]}")
    return seen + drain_sns(server, ledger, report, snapshot)


def drain_sns(server: ServerProcess, ledger: Ledger, report: Report, snapshot: dict[str, Any]) -> int:
    """Every acknowledged publish reaches the topic's queue (the outbox delivers after the restart, at
    least once: a delivery the kill cut off before it was recorded may arrive twice)."""
    sqs = client(server, "sqs")
    wanted = snapshot["acked"][SNS_QUEUE]
    bodies: set[str] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        got = sqs.receive_message(
            QueueUrl=queue_url(server, SNS_QUEUE), MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        bodies.update(m["Body"] for m in got)
        if got:
            sqs.delete_message_batch(
                QueueUrl=queue_url(server, SNS_QUEUE),
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)],
            )
        elif wanted <= bodies | ledger.delivered:
            break
    phantoms = bodies - ledger.attempted
    if phantoms:
        report.fail(f"{SNS_QUEUE}: phantom messages {sorted(phantoms)[:3]}")
    with ledger.lock:
        ledger.delivered.update(bodies)
    lost = wanted - ledger.delivered
    if lost:
        report.fail(f"{SNS_QUEUE}: {len(lost)} acknowledged publishes not delivered, e.g. {sorted(lost)[:3]}")
    return len(bodies)


def read_stream(server: ServerProcess) -> dict[str, list[tuple[str, str]]]:
    kinesis = client(server, "kinesis")
    found: dict[str, list[tuple[str, str]]] = {}
    for shard in kinesis.list_shards(StreamName=STREAM)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=STREAM, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records: list[tuple[str, str]] = []
        for _ in range(10_000):
            reply = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
            records += [(r["SequenceNumber"], r["Data"].decode()) for r in reply["Records"]]
            iterator = reply.get("NextShardIterator")
            if (not reply["Records"] and reply.get("MillisBehindLatest", 0) == 0) or not iterator:
                break
        found[shard["ShardId"]] = records
    return found


def check_stream(server: ServerProcess, report: Report, snapshot: dict[str, Any]) -> int:
    found = read_stream(server)
    where = {data: (shard, seq) for shard, records in found.items() for seq, data in records}
    for shard, records in found.items():
        numbers = [int(seq) for seq, _ in records]
        if numbers != sorted(set(numbers)):
            report.fail(f"{shard}: sequence numbers not strictly increasing")
    missing = {d for d, place in snapshot["records"].items() if where.get(d) != place}
    if missing:
        report.fail(
            f"{len(missing)} acknowledged Kinesis records missing or moved, e.g. {sorted(missing)[:3]}"
        )
    # A record put now must sort after everything before the crash.
    kinesis = client(server, "kinesis")
    reply = kinesis.put_record(StreamName=STREAM, Data=b"probe-" + unique_id().encode(), PartitionKey="probe")
    before = [int(seq) for seq, _ in found.get(reply["ShardId"], [])]
    if before and int(reply["SequenceNumber"]) <= max(before):
        report.fail(
            f"{reply['ShardId']}: new sequence number {reply['SequenceNumber']} not above {max(before)}"
        )
    return len(where)


def check_entities(server: ServerProcess, report: Report, snapshot: dict[str, Any]) -> int:
    sqs, iam, cw = client(server, "sqs"), client(server, "iam"), client(server, "cloudwatch")
    apigw, logs, lam = client(server, "apigateway"), client(server, "logs"), client(server, "lambda")
    # Every listing pages to its end: a long run creates thousands of each kind.
    present = {
        "queue": {
            u.rsplit("/", 1)[1]
            for page in sqs.get_paginator("list_queues").paginate(PaginationConfig={"PageSize": 1000})
            for u in page.get("QueueUrls", [])
        },
        "role": {r["RoleName"] for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]},
        "dashboard": {
            d["DashboardName"]
            for page in cw.get_paginator("list_dashboards").paginate()
            for d in page["DashboardEntries"]
        },
        "alarm": {a["AlarmName"] for a in cw.describe_alarms(MaxRecords=100)["MetricAlarms"]},
        "api": {
            a["id"]
            for page in apigw.get_paginator("get_rest_apis").paginate(PaginationConfig={"PageSize": 500})
            for a in page["items"]
        },
        "log_group": {g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]},
    }
    if "alarm" in snapshot["entities"]:  # DescribeAlarms pages by 100
        present["alarm"] = {
            a["AlarmName"]
            for page in cw.get_paginator("describe_alarms").paginate()
            for a in page["MetricAlarms"]
        }
    present["log_group"] = {
        g["logGroupName"]
        for page in logs.get_paginator("describe_log_groups").paginate()
        for g in page["logGroups"]
    }
    count = 0
    for kind, names in snapshot["entities"].items():
        gone = names - present[kind]
        count += len(names)
        if gone:
            report.fail(f"{len(gone)} acknowledged {kind}s gone after restart, e.g. {sorted(gone)[:3]}")
    for name in (STD, FIFO, ESM_QUEUE):
        if name not in present["queue"]:
            report.fail(f"queue {name} gone")
    if len(lam.list_event_source_mappings(FunctionName="cl-sink")["EventSourceMappings"]) != 2:
        report.fail("event source mappings gone")
    client(server, "kinesis").describe_stream_summary(StreamName=STREAM)
    return count


def check_mappings(server: ServerProcess, report: Report, ledger: Ledger, sink: Path) -> None:
    """At-least-once: every acknowledged ESM message and stream record reached the function."""

    def covered() -> bool:
        server.post("/_millpond/clock", {"advance": 31})
        lines = [json.loads(line) for line in sink.read_text().splitlines() if line] if sink.exists() else []
        got = {line.get("s") or line.get("k") for line in lines}
        return ledger.acked[ESM_QUEUE] <= got and set(ledger.records) <= got

    if not wait_for(covered, 90, 0.5):
        lines = sink.read_text().splitlines() if sink.exists() else []
        got = {json.loads(line).get("s") or json.loads(line).get("k") for line in lines if line}
        report.fail(
            f"mappings skipped: {len(ledger.acked[ESM_QUEUE] - got)} SQS messages, "
            f"{len(set(ledger.records) - got)} Kinesis records never reached the function"
        )


def frozen_copy(server: ServerProcess, data: Path, image: Path) -> None:
    """The data directory as a crash would leave it: copied while the process is stopped mid-run."""
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        shutil.copytree(data, image)
    finally:
        os.kill(server.process.pid, signal.SIGCONT)


def run_level(tmp: Path, durability: str, kills: int, report: Report, seed: int) -> None:
    rng = random.Random(seed)
    data, sink, mark = tmp / f"data-{durability}", tmp / f"sink-{durability}.jsonl", f"proof-{unique_id()}"
    ledger = Ledger()
    server = start(tmp, data, durability)
    setup(server, str(sink), mark)
    image_at = rng.randrange(kills) if durability == "full" else -1
    image_snapshot: dict[str, Any] | None = None
    image_delivered: set[str] = set()
    try:
        for epoch in range(kills):
            stop = threading.Event()
            threads = workers(server, ledger, stop)
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.5, 2.5))
            if epoch == image_at:
                image_snapshot = ledger.snapshot()  # acknowledged before the freeze: all in the image
                frozen_copy(server, data, tmp / "image")
                with ledger.lock:  # received before the copy ended: may be deleted in the image
                    image_delivered = set(ledger.delivered)
            time.sleep(rng.uniform(0.0, 0.5))
            server.kill()
            stop.set()
            for thread in threads:
                thread.join(15)
            snapshot = ledger.snapshot()
            server = start(tmp, data, durability, server.port)
            report.figures["kills survived"] = int(report.figures.get("kills survived", 0)) + 1
            report.figures["messages verified"] = int(report.figures.get("messages verified", 0)) + sum(
                len(v) for v in snapshot["acked"].values()
            )
            drain(server, ledger, report, snapshot)
            report.figures["publishes verified"] = len(snapshot["acked"][SNS_QUEUE])
            report.figures["records verified"] = check_stream(server, report, snapshot)
            report.figures["entities verified"] = check_entities(server, report, snapshot)
        check_mappings(server, report, ledger, sink)
        report.figures["operations acknowledged"] = (
            int(report.figures.get("operations acknowledged", 0)) + ledger.ops
        )
    finally:
        server.stop(30)
    if image_snapshot is not None:
        image = start(tmp, tmp / "image", durability)
        try:
            image_ledger = Ledger(attempted=ledger.attempted, delivered=image_delivered)
            drain(image, image_ledger, report, image_snapshot)
            check_stream(image, report, image_snapshot)
            check_entities(image, report, image_snapshot)
            report.figures["crash images opened"] = 1
        finally:
            image.stop(30)
    orphans = processes_with_env(f"PROOF_MARK={mark}")
    if orphans:
        report.fail(f"{len(orphans)} worker processes of killed servers still running")
        reap(orphans)


def run(
    tmp: Path, long: bool = False, kills: int | None = None, levels: tuple[str, ...] = ("normal", "full")
) -> Report:
    report = Report("crash loop")
    started = time.monotonic()
    for index, durability in enumerate(levels):
        run_level(tmp, durability, kills or (30 if long else 6), report, seed=index)
    report.seconds = time.monotonic() - started
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long", action="store_true", help="30 kills per durability level")
    parser.add_argument("--kills", type=int, default=None, help="kills per durability level")
    parser.add_argument("--durability", choices=["normal", "full"], action="append")
    parser.add_argument("--dir", default="/tmp/millpond-proof-crash")
    args = parser.parse_args()
    tmp = Path(args.dir)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    report = run(tmp, args.long, args.kills, tuple(args.durability or ("normal", "full")))
    print(report.summary())
    raise SystemExit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
