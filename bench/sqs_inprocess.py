"""SQS request path in process: `gateway.handle` called directly (no HTTP), per operation, in microseconds.

    .venv/bin/python bench/sqs_inprocess.py [--memory] [--durability full] [--ops 5000] [--profile send]

Sequential figures are one awaited request after another; "concurrent" runs 16 callers on one loop, as the
HTTP server would. --profile prints a cProfile of one operation's sequential loop (send, receive or delete).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from millpond.clock import VirtualClock
from millpond.config import Settings
from millpond.protocol.http import HttpRequest
from millpond.server.wiring import System, build_system

ENDPOINT = "http://127.0.0.1:4566"
AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64
)


def sqs_request(operation: str, payload: dict[str, object]) -> HttpRequest:
    headers = {
        "host": "127.0.0.1:4566",
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": f"AmazonSQS.{operation}",
        "x-amz-date": "20260101T000000Z",
        "authorization": AUTH,
        "user-agent": "Boto3/1.34 md/Botocore#1.34 ua/2.0 os/linux lang/python#3.11",
    }
    return HttpRequest("POST", "/", "", headers, json.dumps(payload).encode())


async def timed(label: str, count: int, call: Callable[[], Awaitable[object]]) -> float:
    for _ in range(min(200, count)):
        await call()
    started = time.perf_counter()
    for _ in range(count):
        await call()
    micros = (time.perf_counter() - started) * 1e6 / count
    print(f"  {label:<28}{micros:9.1f} us/op")
    return micros


async def concurrent(label: str, seconds: float, call: Callable[[], Awaitable[object]]) -> float:
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await call()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(16)))
    rate = done / (time.perf_counter() - started)
    print(f"  {label:<28}{rate:9,.0f} req/s (16 concurrent callers)")
    return rate


async def run(args: argparse.Namespace, data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, in_memory=args.memory, durability=args.durability)
    system: System = await build_system(settings, VirtualClock())
    gateway = system.gateway
    try:
        created = await gateway.handle(sqs_request("CreateQueue", {"QueueName": "bench"}), ENDPOINT)
        url = json.loads(created.body)["QueueUrl"]
        send = sqs_request("SendMessage", {"QueueUrl": url, "MessageBody": "hello world"})
        receive = sqs_request("ReceiveMessage", {"QueueUrl": url})
        sts = HttpRequest(
            "POST",
            "/",
            "",
            {"content-type": "application/x-www-form-urlencoded"},
            b"Action=GetCallerIdentity&Version=2011-06-15",
        )

        async def do_send() -> object:
            return await gateway.handle(send, ENDPOINT)

        async def do_receive_delete() -> object:
            reply = json.loads((await gateway.handle(receive, ENDPOINT)).body)
            for message in reply.get("Messages", []):
                delete = {"QueueUrl": url, "ReceiptHandle": message["ReceiptHandle"]}
                await gateway.handle(sqs_request("DeleteMessage", delete), ENDPOINT)
            return reply

        async def do_sts() -> object:
            return await gateway.handle(sts, ENDPOINT)

        where = ":memory:" if args.memory else f"file, durability {args.durability}"
        print(f"gateway.handle in process ({where})")
        if args.profile:
            call = {"send": do_send, "receive": do_receive_delete, "sts": do_sts}[args.profile]
            if call is do_receive_delete:  # every receive finds a message
                for _ in range(args.ops):
                    await do_send()
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.ops):
                await call()
            profile.disable()
            pstats.Stats(profile).sort_stats(args.sort).print_stats(35)
            return
        await timed("STS GetCallerIdentity", args.ops, do_sts)
        await timed("SendMessage", args.ops, do_send)
        await timed("ReceiveMessage+DeleteMessage", args.ops, do_receive_delete)
        await concurrent("STS GetCallerIdentity", args.seconds, do_sts)
        await concurrent("SendMessage", args.seconds, do_send)
    finally:
        await system.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--durability", default="normal", choices=("normal", "full"))
    parser.add_argument("--ops", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--profile", choices=("send", "receive", "sts"))
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
