"""Lambda benchmarks: cold start and warm invoke of an empty handler, against baselines from the same run.

1. In-process: the same handler called directly (the floor a local server could approach).
2. Null request: STS GetCallerIdentity through millpond with the same boto3 client (HTTP + codec cost).
3. Cold start: Invoke on a fresh function each time (worker process start, awslambdaric init, one event).
4. Warm invoke: Invoke on a warm environment; overhead = warm - null request (the Lambda-specific part).

Run: .venv/bin/python bench/lambda.py   (targets: cold start < 300 ms; warm overhead < 2 ms)
"""

from __future__ import annotations

import io
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tempfile

from tests.support.server import make_server

ROLE = "arn:aws:iam::000000000000:role/bench"
HANDLER = "def handler(event, context):\n    return None\n"
COLD = 15
WARM = 300


def timed(fn: Callable[[], Any], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def describe(label: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    p90 = sorted(samples)[int(len(samples) * 0.9) - 1]
    print(f"{label:<34} median {median:8.3f} ms   p90 {p90:8.3f} ms   (n={len(samples)})")
    return median


def main() -> None:
    namespace: dict[str, Any] = {}
    exec(HANDLER, namespace)
    in_process = describe("handler called in-process", timed(lambda: namespace["handler"]({}, None), 10_000))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("app.py", HANDLER)
    with tempfile.TemporaryDirectory() as folder:
        server = make_server(Path(folder), "--in-memory", "--log-level", "warning").start()
        try:
            client = server.client("lambda")
            sts = server.client("sts")
            null = describe("null request (sts via millpond)", timed(sts.get_caller_identity, WARM))
            names = []
            for index in range(COLD):
                name = f"cold-{index}"
                client.create_function(
                    FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                    Code={"ZipFile": archive.getvalue()},
                )  # fmt: skip
                names.append(name)
            pending = iter(names)
            cold = describe(
                "cold start invoke",
                timed(lambda: client.invoke(FunctionName=next(pending))["Payload"].read(), COLD),
            )
            warm = describe(
                "warm invoke", timed(lambda: client.invoke(FunctionName="cold-0")["Payload"].read(), WARM)
            )
        finally:
            server.stop()
    print()
    print(f"cold start: {cold:.1f} ms (target < 300 ms)")
    print(f"warm overhead over the null request: {warm - null:.3f} ms (target < 2 ms)")
    print(f"warm invoke over the in-process call: {warm - in_process:.3f} ms")


if __name__ == "__main__":
    main()
