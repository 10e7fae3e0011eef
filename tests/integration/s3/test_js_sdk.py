"""The AWS SDK for JavaScript v3 (@aws-sdk/client-s3) against millpond, from tests/js/s3.mjs: put (a
string, bytes with SHA256, a stream the SDK sends aws-chunked) and get back byte for byte."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.support.server import ServerProcess, server_env

SCRIPT_DIR = Path(__file__).resolve().parents[2] / "js"


def test_js_sdk_put_and_get(server: ServerProcess) -> None:
    node = shutil.which("node")
    if node is None or not (SCRIPT_DIR / "node_modules" / "@aws-sdk" / "client-s3").is_dir():
        pytest.fail("node and tests/js/node_modules are needed: `make test` installs them")
    bucket = f"js-{uuid.uuid4().hex[:10]}"
    result = subprocess.run(
        [node, "s3.mjs", server.url, bucket], cwd=SCRIPT_DIR, capture_output=True, text=True, timeout=60,
        env=server_env(NODE_NO_WARNINGS="1"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["text"] == "hello from js"
    assert summary["etag"] == '"' + __import__("hashlib").md5(b"hello from js").hexdigest() + '"'
    assert summary["bytesEqual"] and summary["streamEqual"]
    assert summary["streamLength"] == 300000
    assert summary["keys"] == ["bytes.bin", "hello.txt", "stream.bin"]
