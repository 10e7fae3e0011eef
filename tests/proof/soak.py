"""Soak (a benchmark, never in CI): steady mixed load for a long time, sampling the server's resident
memory, open files, worker processes, data-directory size and request latency percentiles each interval.

    python -m tests.proof.soak [--minutes 60] [--interval 60]
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

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


def _load(server: ServerProcess, stop: threading.Event, latencies: list[float], lock: threading.Lock) -> None:
    sqs, kinesis, lam = client(server, "sqs"), client(server, "kinesis"), client(server, "lambda")
    url = sqs.get_queue_url(QueueName="soak")["QueueUrl"]
    n = 0
    while not stop.is_set():
        n += 1
        started = time.perf_counter()
        sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x" * 200} for i in range(10)]
        )
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        kinesis.put_records(StreamName="soak", Records=[{"Data": b"y" * 200, "PartitionKey": str(n)}] * 5)
        if n % 20 == 0:
            lam.invoke(FunctionName="soak", Payload=b"{}")
        with lock:
            latencies.append(time.perf_counter() - started)
        time.sleep(0.01)


def run(tmp: Path, minutes: float, interval: float) -> Report:
    report = Report("soak")
    started = time.monotonic()
    server = make_server(tmp, "--data-dir", str(tmp / "data"), "--log-level", "warning").start()
    assert server.process is not None
    pid = server.process.pid
    client(server, "sqs").create_queue(QueueName="soak")
    client(server, "kinesis").create_stream(StreamName="soak", ShardCount=2)
    client(server, "lambda").create_function(
        FunctionName="soak",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of("def handler(e, c):\n    print('hi')\n    return 1\n")},
    )
    stop, lock = threading.Event(), threading.Lock()
    latencies: list[float] = []
    threads = [
        threading.Thread(target=_load, args=(server, stop, latencies, lock), daemon=True) for _ in range(4)
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
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        server.stop(30)
    if len(samples) >= 4:
        settled = samples[len(samples) // 4 :]  # after warm-up
        growth = settled[-1][1] - settled[0][1]
        report.figures["rss growth after warm-up MB"] = round(growth, 1)
        if growth > max(50.0, settled[0][1] * 0.25):
            report.fail(f"resident memory grew {growth:.0f} MB after warm-up")
    report.figures["samples"] = len(samples)
    report.seconds = time.monotonic() - started
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--interval", type=float, default=60)
    parser.add_argument("--dir", default="/tmp/millpond-proof-soak")
    args = parser.parse_args()
    tmp = Path(args.dir)
    tmp.mkdir(parents=True, exist_ok=True)
    report = run(tmp, args.minutes, args.interval)
    print(report.summary())
    raise SystemExit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
