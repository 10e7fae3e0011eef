"""`make conformance`: moto's own test suite, in moto's server mode, against millpond servers started for it.

moto's tests (from moto's sdist, unpacked by the Makefile into .cache/conformance) run in their own venv
(.venv-conformance) with TEST_SERVER_MODE=true. Their harness resets the server before each test with a
POST to /moto-api/reset, global to the server, so tests cannot share one: the directories are split in two
groups, each with its own millpond (in memory, account 123456789012, --moto-api), run side by side. The
group holding tests/test_sqs gets port 5000, which a few of its tests spell out in expected queue URLs.

Each outcome is compared with expected.toml: the run fails when a test fails that is not listed there,
or a listed test does not fail (so the list stays true). It prints the pass rate per directory and the
count of listed failures per reason.

    python -m tests.conformance.run --moto .cache/conformance/moto-5.2.5 --python .venv-conformance/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tests.support.server import REPO, ServerProcess, make_server

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected.toml"
REASONS = ("aws-differs", "not-yet", "environment")
ACCOUNT_ID = "123456789012"  # what moto's tests expect (moto.core.DEFAULT_ACCOUNT_ID)
# Two groups of about equal run time; the first holds tests/test_sqs and gets port 5000.
GROUPS = (
    ("tests/test_sqs", "tests/test_kinesis", "tests/test_logs", "tests/test_sts", "tests/test_cloudwatch"),
    ("tests/test_awslambda", "tests/test_apigateway", "tests/test_iam"),
)
DIRECTORIES = tuple(directory for group in GROUPS for directory in group)


@dataclass
class Expected:
    failing: dict[str, str]  # nodeid -> reason
    ignore_globs: list[str]


def load_expected(path: Path = EXPECTED) -> Expected:
    data = tomllib.loads(path.read_text())
    failing: dict[str, str] = {}
    for group in data.get("expected", []):
        reason = group["reason"]
        if reason not in REASONS:
            raise SystemExit(f"{path}: reason {reason!r} is not one of {', '.join(REASONS)}")
        if not group.get("note"):
            raise SystemExit(f"{path}: every [[expected]] group needs a note (the source or the issue)")
        for nodeid in group["tests"]:
            if nodeid in failing:
                raise SystemExit(f"{path}: {nodeid} is listed twice")
            failing[nodeid] = reason
    globs = [rule["glob"] for rule in data.get("ignore", [])]
    return Expected(failing, globs)


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_server(port: int, logs: Path) -> ServerProcess:
    if port_in_use(port):  # granian would share it (SO_REUSEPORT) and the two servers would split requests
        raise SystemExit(f"port {port} is in use: stop what listens there or set MILLPOND_CONFORMANCE_PORTS")
    logs.mkdir(parents=True, exist_ok=True)
    log_dir = logs / f"server-{port}"
    log_dir.mkdir(exist_ok=True)
    server = make_server(
        log_dir, "--in-memory", port=port, MILLPOND_ACCOUNT_ID=ACCOUNT_ID, MILLPOND_MOTO_API="true"
    )
    server.log_path.write_bytes(b"")
    return server.start(timeout=60)


def run_group(
    python: str, moto: Path, directories: tuple[str, ...], endpoint: str, results: Path, expected: Expected
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_", "TEST_"))}
    env.update(
        TEST_SERVER_MODE="true",
        TEST_SERVER_MODE_ENDPOINT=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        MILLPOND_CONFORMANCE_RESULTS=str(results),
        PYTHONPATH=str(HERE),
        PYTHONDONTWRITEBYTECODE="1",
    )
    command = [python, "-m", "pytest", "-p", "conformance_plugin", "-p", "no:cacheprovider", "-q"]
    command += ["--timeout", "60", "-o", "addopts=", "--no-header", "-rN", "--tb=no"]
    command += [f"--ignore-glob={glob}" for glob in expected.ignore_globs]
    command += ["-m", "not requires_docker and not network", *directories]
    log = results.with_suffix(".log").open("wb")
    return subprocess.Popen(command, cwd=moto, env=env, stdout=log, stderr=subprocess.STDOUT)


def directory_of(nodeid: str) -> str:
    return "/".join(nodeid.split("/")[:2])


def compare(outcomes: dict[str, str], messages: dict[str, str], expected: Expected) -> int:
    unexpected_failures = sorted(
        n for n, o in outcomes.items() if o == "failed" and n not in expected.failing
    )
    stale = sorted(n for n in expected.failing if outcomes.get(n) != "failed")
    print(f"\n{'directory':28} {'passed':>7} {'failed':>7} {'skipped':>8} {'pass rate':>10}")
    for directory in DIRECTORIES:
        counts = Counter(o for n, o in outcomes.items() if directory_of(n) == directory)
        ran = counts["passed"] + counts["failed"]
        rate = f"{100 * counts['passed'] / ran:.1f}%" if ran else "-"
        print(f"{directory:28} {counts['passed']:7} {counts['failed']:7} {counts['skipped']:8} {rate:>10}")
    totals = Counter(outcomes.values())
    ran = totals["passed"] + totals["failed"]
    rate = f"{100 * totals['passed'] / ran:.1f}%" if ran else "-"
    print(f"{'all':28} {totals['passed']:7} {totals['failed']:7} {totals['skipped']:8} {rate:>10}")
    listed = Counter(
        reason for nodeid, reason in expected.failing.items() if outcomes.get(nodeid) == "failed"
    )
    print("\nexpected failures by reason: " + ", ".join(f"{r} {listed[r]}" for r in REASONS))
    for directory in DIRECTORIES:
        per = Counter(r for n, r in expected.failing.items() if directory_of(n) == directory)
        if per:
            print(f"  {directory:26} " + ", ".join(f"{r} {per[r]}" for r in REASONS if per[r]))
    if unexpected_failures:
        print(f"\n{len(unexpected_failures)} failed and are not in {EXPECTED.relative_to(REPO)}:")
        for nodeid in unexpected_failures:
            print(f"  {nodeid}\n      {messages.get(nodeid, '')}")
    if stale:
        print(f"\n{len(stale)} are listed in {EXPECTED.relative_to(REPO)} but did not fail (remove them):")
        for nodeid in stale:
            print(f"  {nodeid} ({outcomes.get(nodeid, 'not collected')})")
    ok = not unexpected_failures and not stale
    print("\nconformance: " + ("as expected" if ok else "NOT as expected"))
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moto", type=Path, required=True, help="moto's unpacked source distribution")
    parser.add_argument("--python", required=True, help="the interpreter moto and pytest are installed in")
    parser.add_argument("--out", type=Path, default=REPO / ".cache" / "conformance" / "results")
    parser.add_argument("--ports", default=os.environ.get("MILLPOND_CONFORMANCE_PORTS", "5000,5001"))
    parser.add_argument("--only", nargs="*", help="run only these directories (e.g. tests/test_sqs)")
    args = parser.parse_args(argv)
    args.moto, args.out = args.moto.resolve(), args.out.resolve()
    python = str(Path(args.python).absolute())  # not resolved: a venv's python is a symlink to its base
    expected = load_expected()
    ports = [int(p) for p in args.ports.split(",")]
    groups = [tuple(d for d in group if not args.only or d in args.only) for group in GROUPS]
    started = time.monotonic()
    servers: list[ServerProcess] = []
    runs: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for port, group in zip(ports, groups, strict=True):
            if not group:
                continue
            server = start_server(port, args.out)
            servers.append(server)
            results = args.out / f"results-{port}.json"
            results.unlink(missing_ok=True)
            runs.append((run_group(python, args.moto, group, server.url, results, expected), results))
        for process, _ in runs:
            process.wait()
    finally:
        for server in servers:
            server.stop()
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    for process, results in runs:
        if not results.exists():
            print(f"pytest wrote no results ({process.returncode}); its output:")
            print(results.with_suffix(".log").read_text(errors="replace")[-5000:])
            return 2
        data = json.loads(results.read_text())
        outcomes.update(data["outcomes"])
        messages.update(data["messages"])
    if args.only:
        expected.failing = {n: r for n, r in expected.failing.items() if directory_of(n) in args.only}
    status = compare(outcomes, messages, expected)
    print(f"({time.monotonic() - started:.0f} s; logs and results in {args.out})")
    return status


if __name__ == "__main__":
    sys.exit(main())
