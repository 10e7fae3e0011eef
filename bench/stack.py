"""The whole stack against its floor: requests/s of a trivial AWS call (STS GetCallerIdentity) through
millpond vs a bare ASGI app on the same granian answering the same bytes, in the same run; the time from
`millpond up` to a healthy answer; and resident memory when idle and after touching every service.

Run: .venv/bin/python bench/stack.py
"""

from __future__ import annotations

import contextlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.server import make_server

from _load import post, requests_per_second, start_bare

STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wrk_rps(url: str, seconds: int = 3) -> float | None:
    if shutil.which("wrk") is None:
        return None
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        f'wrk.method = "POST"\nwrk.body = "{STS_BODY.decode()}"\n'
        f'wrk.headers["Content-Type"] = "{FORM["Content-Type"]}"\n'
    )
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "-s", str(script), url], capture_output=True, text=True
    ).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return None


def measure(port: int) -> float:
    rps = wrk_rps(f"http://127.0.0.1:{port}/")
    if rps is None:
        rps = requests_per_second("127.0.0.1", port, post("/", "127.0.0.1", port, STS_BODY, FORM))
    return rps


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # start-up time, median of 5
        startups = []
        for _ in range(5):
            server = make_server(Path(tmp), "--in-memory", "--log-level", "warning")
            started = time.perf_counter()
            server.start()
            startups.append(time.perf_counter() - started)
            server.stop()
        server = make_server(Path(tmp), "--in-memory", "--log-level", "warning").start()
        assert server.process is not None
        time.sleep(1.0)
        idle = rss_mb(server.process.pid)
        reply = urllib.request.urlopen(
            urllib.request.Request(server.url + "/", data=STS_BODY, headers=FORM)
        ).read()
        for service, call in [
            ("sqs", "list_queues"),
            ("kinesis", "list_streams"),
            ("lambda", "list_functions"),
            ("iam", "list_roles"),
            ("cloudwatch", "list_dashboards"),
            ("logs", "describe_log_groups"),
            ("apigateway", "get_rest_apis"),
        ]:
            with contextlib.suppress(Exception):
                getattr(server.client(service), call)()
        touched = rss_mb(server.process.pid)
        ours = measure(server.port)
        after_load = rss_mb(server.process.pid)
        server.stop()

        bare, bare_port = start_bare(reply)
        try:
            floor = measure(bare_port)
        finally:
            bare.terminate()
            bare.wait()

    print("millpond stack benchmark")
    print(
        f"  start-up to healthy (median of 5): {statistics.median(startups) * 1000:.0f} ms (target < 1000 ms)"
    )
    print(f"  resident memory idle:              {idle:.1f} MB (target < 80 MB)")
    print(f"  after touching every service:      {touched:.1f} MB")
    print(f"  after the load run:                {after_load:.1f} MB")
    print(f"  STS GetCallerIdentity through millpond: {ours:,.0f} req/s")
    print(f"  bare ASGI app, same granian, same bytes: {floor:,.0f} req/s")
    print(f"  ratio millpond / bare: {ours / floor:.2f}")


if __name__ == "__main__":
    main()
