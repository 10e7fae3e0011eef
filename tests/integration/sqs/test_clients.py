"""Other real clients: the AWS CLI as a tutorial drives it, and the AWS SDK for JavaScript v3 (which checks
every MD5 it is given) sending and receiving messages with attributes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration.sqs.md5_reference import md5_of_message_attributes
from tests.support.server import REPO, ServerProcess, run_aws

JS_DIR = REPO / "tests" / "js"


def test_md5_reference_matches_aws_vectors() -> None:
    assert md5_of_message_attributes({"attribName1": ("String", "attribValue 1")}) == (
        "19e27d4e946b072f3f58da80d94fd778"
    )
    assert md5_of_message_attributes({"binaryAttribute": ("Binary", b"Hello binary world!")}) == (
        "31a92b15d92f8db860eda32aceb656c3"
    )


def test_aws_cli_tutorial(server: ServerProcess, name: str) -> None:
    run_aws(server, "sqs", "create-queue", "--queue-name", f"{name}-dlq")
    dlq_arn = f"arn:aws:sqs:us-east-1:000000000000:{name}-dlq"
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})
    attributes = json.dumps({"DelaySeconds": "0", "RedrivePolicy": redrive})
    created = json.loads(
        run_aws(server, "sqs", "create-queue", "--queue-name", name, "--attributes", attributes).stdout
    )
    url = json.loads(run_aws(server, "sqs", "get-queue-url", "--queue-name", name).stdout)["QueueUrl"]
    assert url == created["QueueUrl"] == f"{server.url}/000000000000/{name}"
    got = json.loads(
        run_aws(server, "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All").stdout
    )["Attributes"]
    assert json.loads(got["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}
    assert got["VisibilityTimeout"] == "30" and got["QueueArn"].endswith(":" + name)
    message_attributes = json.dumps({"City": {"DataType": "String", "StringValue": "Any City"}})
    sent = json.loads(
        run_aws(
            server,
            "sqs",
            "send-message",
            "--queue-url",
            url,
            "--message-body",
            "Information about the largest city in Any Region.",
            "--message-attributes",
            message_attributes,
        ).stdout
    )
    assert sent["MD5OfMessageAttributes"] == md5_of_message_attributes({"City": ("String", "Any City")})
    received = json.loads(
        run_aws(
            server,
            "sqs",
            "receive-message",
            "--queue-url",
            url,
            "--wait-time-seconds",
            "10",
            "--attribute-names",
            "All",
            "--message-attribute-names",
            "All",
        ).stdout
    )["Messages"]
    assert received[0]["MessageId"] == sent["MessageId"]
    assert received[0]["MessageAttributes"]["City"]["StringValue"] == "Any City"
    run_aws(
        server, "sqs", "delete-message", "--queue-url", url, "--receipt-handle", received[0]["ReceiptHandle"]
    )
    run_aws(server, "sqs", "tag-queue", "--queue-url", url, "--tags", "team=orders,env=dev")
    tags = json.loads(run_aws(server, "sqs", "list-queue-tags", "--queue-url", url).stdout)["Tags"]
    assert tags == {"team": "orders", "env": "dev"}
    run_aws(server, "sqs", "purge-queue", "--queue-url", url)
    again = run_aws(server, "sqs", "purge-queue", "--queue-url", url, check=False)
    assert again.returncode != 0 and "PurgeQueueInProgress" in again.stderr
    run_aws(server, "sqs", "delete-queue", "--queue-url", url)
    missing = run_aws(server, "sqs", "get-queue-url", "--queue-name", name, check=False)
    assert missing.returncode != 0 and "NonExistentQueue" in missing.stderr


JS_SCRIPT = """
const { SQSClient, CreateQueueCommand, SendMessageCommand, SendMessageBatchCommand, ReceiveMessageCommand,
        DeleteMessageCommand } = require("@aws-sdk/client-sqs");
(async () => {
  const [endpoint, name] = process.argv.slice(2);
  const sqs = new SQSClient({ endpoint, region: "us-east-1",
                              credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attrs = {
    text: { DataType: "String", StringValue: "héllo wörld" },
    n: { DataType: "Number.int", StringValue: "42" },
    bin: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 253, 254, 255]) },
  };
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "ünïcode body ✓",
                                                       MessageAttributes: attrs }));
  const batch = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [
    { Id: "a", MessageBody: "one", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
    { Id: "b", MessageBody: "two" } ] }));
  const got = [];
  while (got.length < 3) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10,
      WaitTimeSeconds: 2, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }));
    for (const m of r.Messages ?? []) {
      got.push({ id: m.MessageId, body: m.Body, md5: m.MD5OfMessageAttributes ?? null,
                 attrs: Object.keys(m.MessageAttributes ?? {}).sort(),
                 bin: m.MessageAttributes?.bin ? Array.from(m.MessageAttributes.bin.BinaryValue) : null });
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  console.log(JSON.stringify({ sent: { id: sent.MessageId, md5: sent.MD5OfMessageAttributes },
                               batch: batch.Successful.length, failed: (batch.Failed ?? []).length, got }));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def test_javascript_sdk_v3_checks_md5s(server: ServerProcess, name: str, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules" / "@aws-sdk" / "client-sqs").exists():
        pytest.fail("node and tests/js/node_modules are needed: `make test` installs them")
    script = JS_DIR / f".sqs-{name}.js"
    script.write_text(JS_SCRIPT)
    try:
        run = subprocess.run(
            [node, script.name, server.url, name], cwd=JS_DIR, capture_output=True, text=True, timeout=60
        )
    finally:
        script.unlink()
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    expected = md5_of_message_attributes(
        {
            "text": ("String", "héllo wörld"),
            "n": ("Number.int", "42"),
            "bin": ("Binary", bytes([0, 1, 2, 253, 254, 255])),
        }
    )
    assert out["sent"]["md5"] == expected
    assert out["batch"] == 2 and out["failed"] == 0
    by_body = {m["body"]: m for m in out["got"]}
    assert set(by_body) == {"ünïcode body ✓", "one", "two"}
    assert by_body["ünïcode body ✓"]["md5"] == expected
    assert by_body["ünïcode body ✓"]["bin"] == [0, 1, 2, 253, 254, 255]
    assert by_body["one"]["md5"] == md5_of_message_attributes({"k": ("String", "v")})
    assert by_body["two"]["md5"] is None
