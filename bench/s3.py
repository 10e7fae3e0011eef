"""S3 benchmarks: sequential boto3 PutObject and GetObject of 1 KiB and 10 MiB objects (ms/op and MB/s)
against the client floor (the same boto3 PutObject to a bare ASGI app on the same granian), and a 100 MB
multipart upload_file/download_file with the default checksums, compared byte for byte.

The server runs on a data directory at durability "normal" (what `millpond up` does by default).
Run: .venv/bin/python bench/s3.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from botocore.config import Config
from tests.support.server import CREDENTIALS, make_server

from _load import start_bare

MB = 1024 * 1024
SIZES = {"1 KiB": (1024, 300), "10 MiB": (10 * MB, 20)}


def client(port: int) -> Any:
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", config=config, **CREDENTIALS)


def timed(count: int, fn: Any) -> float:
    fn()  # warm up
    started = time.perf_counter()
    for _ in range(count):
        fn()
    return (time.perf_counter() - started) / count


def main() -> None:
    bare, bare_port = start_bare(b"")
    folder = Path(tempfile.mkdtemp(prefix="millpond-bench-s3-"))
    server = make_server(folder, "--data-dir", str(folder / "data"), "--log-level", "warning").start()
    try:
        s3, floor = client(server.port), client(bare_port)
        s3.create_bucket(Bucket="bench")
        for label, (size, count) in SIZES.items():
            body = os.urandom(size)
            put = timed(count, lambda body=body: s3.put_object(Bucket="bench", Key="obj", Body=body))
            base = timed(count, lambda body=body: floor.put_object(Bucket="bench", Key="obj", Body=body))
            get = timed(count, lambda: s3.get_object(Bucket="bench", Key="obj")["Body"].read())
            print(
                f"{label:>7}: put {put * 1000:7.2f} ms ({size / put / MB:7.1f} MB/s), "
                f"floor {base * 1000:7.2f} ms ({put / base:4.2f}x); "
                f"get {get * 1000:7.2f} ms ({size / get / MB:7.1f} MB/s)"
            )
        source = folder / "hundred.bin"
        source.write_bytes(os.urandom(100 * MB))
        started = time.perf_counter()
        s3.upload_file(str(source), "bench", "hundred")
        up = time.perf_counter() - started
        started = time.perf_counter()
        s3.download_file("bench", "hundred", str(folder / "back.bin"))
        down = time.perf_counter() - started
        same = (folder / "back.bin").read_bytes() == source.read_bytes()
        print(
            f"100 MB multipart: upload {up:.2f} s ({100 / up:.0f} MB/s), download {down:.2f} s, "
            f"same bytes: {same}"
        )
    finally:
        server.stop()
        bare.terminate()
        bare.wait()


if __name__ == "__main__":
    main()
