"""Handler abuse: functions that raise, exit, segfault, hang, allocate until killed, fork, print
megabytes, return non-JSON or 7 MB. Each invoke answers in AWS's error shape (FunctionError Unhandled, an
errorType and errorMessage), a healthy function keeps answering beside them, event source mappings route
the failures as configured (SQS redrive to a dead-letter queue, Kinesis OnFailure destination), and no
worker process outlives the server.

    python -m tests.proof.abuse [--long]
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.proof.common import Report, client, harness_main, processes_with_env, reap, wait_for
from tests.support.server import ServerProcess, make_server

# name -> (handler source, settings, the errorType AWS answers with)
ABUSERS: dict[str, tuple[str, dict[str, Any], str]] = {
    "raises": ("def handler(event, context):\n    raise ValueError('boom')\n", {}, "ValueError"),
    "exits": ("import sys\ndef handler(event, context):\n    sys.exit(3)\n", {}, "Runtime.ExitError"),
    "segfaults": (
        "import ctypes\ndef handler(event, context):\n    ctypes.string_at(0)\n",
        {},
        "Runtime.ExitError",
    ),
    "hangs": (
        "import time\ndef handler(event, context):\n    time.sleep(3600)\n",
        {"Timeout": 2},
        "Sandbox.Timedout",
    ),
    # Touched pages (calloc'd ones stay virtual), bounded by the handler itself at 1 GB.
    "allocates": (
        "def handler(event, context):\n    hoard = []\n"
        "    for _ in range(100):\n        hoard.append(b'x' * (10 * 1024 * 1024))\n    return len(hoard)\n",
        {"MemorySize": 128},
        "Runtime.OutOfMemory",
    ),
    "forks": (
        "import os, time\ndef handler(event, context):\n    if os.fork() == 0:\n        time.sleep(600)\n"
        "        os._exit(0)\n    raise RuntimeError('forked')\n",
        {},
        "RuntimeError",
    ),
    "prints": (
        "import sys\ndef handler(event, context):\n    for _ in range(64):\n"
        "        sys.stdout.write('x' * 65535 + '\\n')\n    raise ValueError('printed')\n",
        {},
        "ValueError",
    ),
    "non_json": ("def handler(event, context):\n    return {1, 2}\n", {}, "Runtime.MarshalError"),
    "huge": (
        "def handler(event, context):\n    return 'x' * 7_000_000\n",
        {},
        "Function.ResponseSizeTooLarge",
    ),
}
HEALTHY = "def handler(event, context):\n    return {'ok': event.get('n')}\n"


def create(server: ServerProcess, name: str, source: str, mark: str, **settings: Any) -> str:
    env = {"Variables": {"PROOF_MARK": mark}}
    client(server, "lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of(source)},
        Environment=env,
        **{"Timeout": 10, **settings},
    )
    return name


def invoke(server: ServerProcess, name: str, payload: Any) -> tuple[dict[str, Any], Any]:
    reply = client(server, "lambda", timeout=60).invoke(
        FunctionName=name, Payload=json.dumps(payload).encode()
    )
    body = reply["Payload"].read()
    try:
        return reply, json.loads(body)
    except ValueError:
        return reply, body[:200]


def abuse_invokes(server: ServerProcess, report: Report, mark: str, rounds: int) -> None:
    healthy = create(server, "healthy", HEALTHY, mark)
    for name, (source, settings, _) in ABUSERS.items():
        create(server, name, source, mark, **settings)
    for round_ in range(rounds):
        for name, (_, _, error_type) in ABUSERS.items():
            reply, payload = invoke(server, name, {"round": round_})
            report.figures["abusive invokes"] = int(report.figures.get("abusive invokes", 0)) + 1
            if reply.get("FunctionError") != "Unhandled" or reply["StatusCode"] != 200:
                report.fail(
                    f"{name}: StatusCode {reply['StatusCode']} FunctionError {reply.get('FunctionError')}"
                )
            if not isinstance(payload, dict) or payload.get("errorType") != error_type:
                report.fail(f"{name}: wanted errorType {error_type}, got {payload!r}"[:400])
            elif not payload.get("errorMessage"):
                report.fail(f"{name}: no errorMessage in {payload!r}")
            reply, payload = invoke(server, healthy, {"n": round_})
            if reply.get("FunctionError") or payload != {"ok": round_}:
                report.fail(f"healthy function after {name}: {reply.get('FunctionError')} {payload!r}")
            server.get("/_millpond/health")


def mappings_route_failures(server: ServerProcess, report: Report, mark: str) -> None:
    """SQS: a failing handler's message reaches the DLQ after maxReceiveCount receives; Kinesis: a
    crashing handler's batch goes to the OnFailure queue after its retries."""
    sqs, lam, kinesis = client(server, "sqs"), client(server, "lambda"), client(server, "kinesis")

    def arn(url: str) -> str:
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    dlq = sqs.create_queue(QueueName="abuse-dlq")["QueueUrl"]
    redrive = json.dumps({"deadLetterTargetArn": arn(dlq), "maxReceiveCount": 2})
    source = sqs.create_queue(
        QueueName="abuse-source", Attributes={"VisibilityTimeout": "5", "RedrivePolicy": redrive}
    )["QueueUrl"]
    lam.create_event_source_mapping(EventSourceArn=arn(source), FunctionName="exits", BatchSize=1)
    sqs.send_message(QueueUrl=source, MessageBody="doomed")
    failures = sqs.create_queue(QueueName="abuse-onfailure")["QueueUrl"]
    kinesis.create_stream(StreamName="abuse-stream", ShardCount=1)
    wait_for(
        lambda: (
            kinesis.describe_stream_summary(StreamName="abuse-stream")["StreamDescriptionSummary"][
                "StreamStatus"
            ]
            == "ACTIVE"
        ),
        10,
    )
    stream_arn = kinesis.describe_stream_summary(StreamName="abuse-stream")["StreamDescriptionSummary"][
        "StreamARN"
    ]
    lam.create_event_source_mapping(
        EventSourceArn=stream_arn,
        FunctionName="segfaults",
        StartingPosition="TRIM_HORIZON",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": arn(failures)}},
    )
    kinesis.put_record(StreamName="abuse-stream", Data=b"doomed", PartitionKey="k")

    def in_dlq() -> bool:
        server.post("/_millpond/clock", {"advance": 6})  # past the visibility timeout of a failed receive
        return bool(sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages"))

    if not wait_for(in_dlq, 40, 0.5):
        report.fail("the SQS mapping's failing message never reached the dead-letter queue")
    got = wait_for(lambda: sqs.receive_message(QueueUrl=failures, WaitTimeSeconds=1).get("Messages"), 40, 0.2)
    if not got or "KinesisBatchInfo" not in got[0]["Body"]:
        report.fail(f"the Kinesis mapping's failure never reached its OnFailure queue: {got!r}")
    report.figures["mapping failures routed"] = 2


def run(tmp: Path, long: bool = False) -> Report:
    report = Report("abuse")
    started = time.monotonic()
    mark = f"proof-{uuid.uuid4().hex}"
    server = make_server(tmp, "--data-dir", str(tmp / "data"), "--log-level", "warning").start()
    try:
        abuse_invokes(server, report, mark, 3 if long else 1)
        mappings_route_failures(server, report, mark)
        if server.process is None or server.process.poll() is not None:
            report.fail("the server died")
    finally:
        if server.process is not None and server.process.poll() is None:
            server.stop(30)
    time.sleep(0.5)
    orphans = processes_with_env(f"PROOF_MARK={mark}")
    report.figures["orphan processes"] = len(orphans)
    if orphans:
        report.fail(f"{len(orphans)} worker processes outlived the server: {orphans}")
        reap(orphans)
    return report.finish(server, started)


def main() -> None:
    harness_main(__doc__, run, "three rounds of every abusive handler", "/tmp/millpond-proof-abuse")


if __name__ == "__main__":
    main()
