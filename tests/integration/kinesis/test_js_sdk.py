"""The AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis, default HTTP/2 handler) against millpond, from a
node script (tests/js/kinesis.mjs, tests/js/subscribe.mjs)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.integration.kinesis.conftest import shard_for
from tests.support.server import ServerProcess, server_env

SCRIPT_DIR = Path(__file__).resolve().parents[2] / "js"


def run_script(script: str, server: ServerProcess, name: str) -> dict[str, Any]:
    """Run tests/js/<script> against the server for the stream `name`; the JSON summary it prints."""
    node = shutil.which("node")
    if node is None or not (SCRIPT_DIR / "node_modules" / "@aws-sdk" / "client-kinesis").is_dir():
        pytest.fail("node and tests/js/node_modules are needed: `make test` installs them")
    result = subprocess.run(
        [node, script, server.url, name],
        cwd=SCRIPT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env=server_env(NODE_NO_WARNINGS="1"),
    )
    assert result.returncode == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_js_sdk_puts_and_gets_records_over_http2(server: ServerProcess, name: str) -> None:
    summary = run_script("kinesis.mjs", server, name)
    assert summary["handler"] == "NodeHttp2Handler"
    assert summary["single"]["ShardId"] == shard_for("js-key", 2)
    assert summary["failed"] == 0
    assert summary["batch"] == [shard_for(f"js-{n}", 2) for n in range(10)]
    expected: dict[str, list[str]] = {}
    expected.setdefault(shard_for("js-key", 2), []).append("from js")
    for n in range(10):
        expected.setdefault(shard_for(f"js-{n}", 2), []).append(f"batch {n}")
    assert {shard: [r["data"] for r in records] for shard, records in summary["read"].items()} == expected
    assert summary["read"][shard_for("js-key", 2)][0]["sequenceNumber"] == summary["single"]["SequenceNumber"]


def test_js_sdk_subscribes_to_a_shard_over_http2(server: ServerProcess, name: str) -> None:
    summary = run_script("subscribe.mjs", server, name)
    assert summary["handler"] == "NodeHttp2Handler"
    assert [r["data"] for r in summary["records"]] == ["before", "during"]
    assert summary["records"][1]["sequenceNumber"] == summary["put"]
    assert summary["events"] <= 3
