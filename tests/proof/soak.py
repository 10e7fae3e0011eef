"""Soak (a benchmark, never in CI): steady mixed load for a long time, sampling the server's resident
memory, open files, worker processes, data-directory size and request latency percentiles each interval.

The load: SQS batch sends, receives and deletes; Kinesis PutRecords; direct Lambda invokes; and an SQS
event source mapping feeding the same function. After each sample the virtual clock moves on by
--clock-step seconds (two hours by default), so an hour's run spans days of clock time: the Kinesis
stream's 24-hour retention and the function's 1-day log retention start dropping data within the run,
and the data directory must level off rather than grow without bound.

    python -m tests.proof.soak [--minutes 60] [--interval 60] [--clock-step 7200]
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from collections import Counter
from pathlib import Path

from botocore.exceptions import ClientError

from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.proof.common import Report, client, descendants
from tests.support.server import ServerProcess, make_server


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def _load(
    server: ServerProcess,
    stop: threading.Event,
    latencies: list[float],
    errors: Counter[str],
    lock: threading.Lock,
) -> None:
    sqs, kinesis, lam = client(server, "sqs"), client(server, "kinesis"), client(server, "lambda")
    url = sqs.get_queue_url(QueueName="soak")["QueueUrl"]
    mapped = sqs.get_queue_url(QueueName="soak-mapped")["QueueUrl"]
    n = 0
    while not stop.is_set():
        n += 1
        started = time.perf_counter()
        try:
            sqs.send_message_batch(
                QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x" * 200} for i in range(10)]
            )
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            records = [{"Data": b"y" * 200, "PartitionKey": str(n)}] * 5
            kinesis.put_records(StreamName="soak", Records=records)
            if n % 5 == 0:
                sqs.send_message(QueueUrl=mapped, MessageBody=f"order {n}")
            if n % 20 == 0:
                lam.invoke(FunctionName="soak", Payload=b"{}")
        except Exception as error:  # counted and reported; the load goes on
            code = error.response["Error"]["Code"] if isinstance(error, ClientError) else type(error).__name__
            with lock:
                errors[code] += 1
            continue
        with lock:
            latencies.append(time.perf_counter() - started)
        time.sleep(0.01)


def run(tmp: Path, minutes: float, interval: float, clock_step: float = 7200.0) -> Report:
    report = Report("soak")
    started = time.monotonic()
    server = make_server(tmp, "--data-dir", str(tmp / "data"), "--log-level", "warning").start()
    assert server.process is not None
    pid = server.process.pid
    sqs, lam, logs = client(server, "sqs"), client(server, "lambda"), client(server, "logs")
    sqs.create_queue(QueueName="soak")
    mapped = sqs.create_queue(QueueName="soak-mapped")["QueueUrl"]
    client(server, "kinesis").create_stream(StreamName="soak", ShardCount=2)
    lam.create_function(
        FunctionName="soak",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={
            "ZipFile": zip_of(
                "def handler(e, c):\n    print('hi', len(e.get('Records', [])))\n    return 1\n"
            )
        },
    )
    logs.create_log_group(logGroupName="/aws/lambda/soak")
    logs.put_retention_policy(logGroupName="/aws/lambda/soak", retentionInDays=1)
    mapped_arn = sqs.get_queue_attributes(QueueUrl=mapped, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lam.create_event_source_mapping(FunctionName="soak", EventSourceArn=mapped_arn, BatchSize=10)
    stop, lock = threading.Event(), threading.Lock()
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    threads = [
        threading.Thread(target=_load, args=(server, stop, latencies, errors, lock), daemon=True)
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    samples = []
    print(
        f"{'min':>5} {'rss MB':>8} {'fds':>5} {'workers':>7} {'data MB':>8} "
        f"{'rounds':>7} {'p50 ms':>7} {'p99 ms':>7}"
    )
    try:
        deadline = time.monotonic() + minutes * 60
        while time.monotonic() < deadline:
            time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
            with lock:
                window, latencies[:] = sorted(latencies), []
            p50 = window[len(window) // 2] * 1000 if window else 0.0
            p99 = window[int(len(window) * 0.99)] * 1000 if window else 0.0
            sample = (
                (time.monotonic() - started) / 60,
                _rss_mb(pid),
                len(os.listdir(f"/proc/{pid}/fd")),
                len(descendants(pid)),
                _dir_mb(tmp / "data"),
                len(window),
                p50,
                p99,
            )
            samples.append(sample)
            print("{:5.1f} {:8.1f} {:5d} {:7d} {:8.1f} {:7d} {:7.1f} {:7.1f}".format(*sample), flush=True)
            if clock_step:
                server.post("/_millpond/clock", {"advance": clock_step})
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        server.stop(30)
    if len(samples) >= 4:
        settled = samples[len(samples) // 4 :]  # after warm-up
        first, last = settled[0], settled[-1]
        growth = last[1] - first[1]
        report.figures["rss MB after warm-up, at end"] = f"{first[1]:.1f}, {last[1]:.1f}"
        report.figures["rss MB max"] = round(max(s[1] for s in samples), 1)
        report.figures["open files after warm-up, at end"] = f"{first[2]}, {last[2]}"
        report.figures["workers max"] = max(s[3] for s in samples)
        report.figures["data MB after warm-up, max, at end"] = (
            f"{first[4]:.1f}, {max(s[4] for s in samples):.1f}, {last[4]:.1f}"
        )
        report.figures["rounds"] = sum(s[5] for s in samples)
        report.figures["p50 ms median of samples"] = round(
            sorted(s[6] for s in samples)[len(samples) // 2], 1
        )
        report.figures["p99 ms worst sample"] = round(max(s[7] for s in samples), 1)
        if growth > max(50.0, first[1] * 0.25):
            report.fail(f"resident memory grew {growth:.0f} MB after warm-up")
        if last[2] > first[2] + 50:
            report.fail(f"open files grew from {first[2]} to {last[2]} after warm-up")
    report.figures["samples"] = len(samples)
    report.figures["errors"] = sum(errors.values())
    for code, count in errors.most_common(10):
        report.fail(f"{count} requests failed with {code}")
    report.seconds = time.monotonic() - started
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--interval", type=float, default=60)
    parser.add_argument(
        "--clock-step",
        type=float,
        default=7200,
        help="virtual seconds to advance after each sample (0: none)",
    )
    parser.add_argument("--dir", default="/tmp/millpond-proof-soak")
    args = parser.parse_args()
    tmp = Path(args.dir)
    tmp.mkdir(parents=True, exist_ok=True)
    report = run(tmp, args.minutes, args.interval, args.clock_step)
    print(report.summary())
    raise SystemExit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
