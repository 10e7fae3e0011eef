"""The mixed load the crash loop runs between kills, and the ledger of what millpond acknowledged.

Every write is recorded as attempted before it is sent and as acknowledged only once its answer arrives:
after a SIGKILL, an attempted write may or may not have happened, an acknowledged one must have.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.proof.common import client
from tests.support.server import ServerProcess

STD, FIFO, ESM_QUEUE, STREAM = "cl-std", "cl-fifo.fifo", "cl-esm", "cl-stream"
# SNS: a topic whose raw SQS subscriber queue only the checks drain (SNS delivers at least once).
TOPIC, SNS_QUEUE = "cl-topic", "cl-sns"
GROUPS = ("g0", "g1", "g2")
SINK = """
import base64, json, os
def handler(event, context):
    with open(os.environ["SINK"], "a") as out:
        for r in event.get("Records", []):
            if "kinesis" in r:
                data = base64.b64decode(r["kinesis"]["data"]).decode()
                line = {"k": data, "seq": r["kinesis"]["sequenceNumber"]}
            else:
                line = {"s": r["body"]}
            out.write(json.dumps(line) + "\\n")
"""


@dataclass
class Ledger:
    """What was sent and what millpond said yes to, across every epoch of the crash loop."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    attempted: set[str] = field(default_factory=set)
    acked: dict[str, set[str]] = field(
        default_factory=lambda: {STD: set(), FIFO: set(), ESM_QUEUE: set(), SNS_QUEUE: set()}
    )
    deleted: set[str] = field(default_factory=set)  # acknowledged deletes
    delivered: set[str] = field(default_factory=set)  # every body any receive returned
    records: dict[str, tuple[str, str]] = field(default_factory=dict)  # data -> (shard, seq), acknowledged
    entities: dict[str, set[str]] = field(default_factory=dict)  # kind -> acknowledged names
    counter: itertools.count[int] = field(default_factory=itertools.count)
    ops: int = 0

    def next(self, prefix: str) -> str:
        with self.lock:
            return f"{prefix}-{next(self.counter):07d}"

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "acked": {k: set(v) for k, v in self.acked.items()},
                "deleted": set(self.deleted),
                "records": dict(self.records),
                "entities": {k: set(v) for k, v in self.entities.items()},
            }


def queue_url(server: ServerProcess, name: str) -> str:
    return f"{server.url}/000000000000/{name}"


def _guard(ledger: Ledger, stop: threading.Event, body: Any) -> Any:
    def loop() -> None:
        rng = random.Random()
        while not stop.is_set():
            try:
                body(rng)
                with ledger.lock:
                    ledger.ops += 1
            except Exception:  # the server is being killed: an error is an unacknowledged operation
                if stop.wait(0.05):
                    return

    return loop


def workers(server: ServerProcess, ledger: Ledger, stop: threading.Event) -> list[threading.Thread]:
    sqs, kinesis = client(server, "sqs", 5), client(server, "kinesis", 5)
    sqs2 = client(server, "sqs", 5)
    iam, cw, apigw, logs = (client(server, s, 5) for s in ("iam", "cloudwatch", "apigateway", "logs"))
    sns = client(server, "sns", 5)
    topic = f"arn:aws:sns:us-east-1:000000000000:{TOPIC}"

    def produce(rng: random.Random) -> None:
        name = rng.choice([STD, FIFO, ESM_QUEUE])
        # FIFO bodies name their group, unique to this producer thread (its sends are ordered).
        group = f"{threading.current_thread().name}.{rng.choice(GROUPS)}"
        bodies = [
            ledger.next(f"{name}-{group}" if name == FIFO else name) for _ in range(rng.choice([1, 1, 10]))
        ]
        with ledger.lock:
            ledger.attempted.update(bodies)
        extra = (
            [{"MessageGroupId": group, "MessageDeduplicationId": b.replace(".", "-")[-100:]} for b in bodies]
            if name == FIFO
            else [{} for _ in bodies]
        )
        if len(bodies) == 1:
            sqs.send_message(QueueUrl=queue_url(server, name), MessageBody=bodies[0], **extra[0])
            done = bodies
        else:
            entries = [
                {"Id": str(i), "MessageBody": b, **e}
                for i, (b, e) in enumerate(zip(bodies, extra, strict=True))
            ]
            reply = sqs.send_message_batch(QueueUrl=queue_url(server, name), Entries=entries)
            done = [bodies[int(s["Id"])] for s in reply.get("Successful", [])]
        with ledger.lock:
            ledger.acked[name].update(done)

    def publish(rng: random.Random) -> None:
        bodies = [ledger.next(SNS_QUEUE) for _ in range(rng.choice([1, 1, 10]))]
        with ledger.lock:
            ledger.attempted.update(bodies)
        if len(bodies) == 1:
            sns.publish(TopicArn=topic, Message=bodies[0])
            done = bodies
        else:
            entries = [{"Id": str(i), "Message": b} for i, b in enumerate(bodies)]
            reply = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
            done = [bodies[int(s["Id"])] for s in reply.get("Successful", [])]
        with ledger.lock:
            ledger.acked[SNS_QUEUE].update(done)

    def consume(rng: random.Random) -> None:
        url = queue_url(server, rng.choice([STD, FIFO]))
        got = sqs2.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get(
            "Messages", []
        )
        with ledger.lock:
            ledger.delivered.update(m["Body"] for m in got)
        for message in got:
            action = rng.random()
            if action < 0.6:
                sqs2.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                with ledger.lock:
                    ledger.deleted.add(message["Body"])
            elif action < 0.8:
                sqs2.change_message_visibility(
                    QueueUrl=url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=rng.choice([0, 20]),
                )

    def put_records(rng: random.Random) -> None:
        datas = [ledger.next("rec") for _ in range(rng.randint(1, 8))]
        reply = kinesis.put_records(
            StreamName=STREAM, Records=[{"Data": d.encode(), "PartitionKey": d} for d in datas]
        )
        with ledger.lock:
            for data, result in zip(datas, reply["Records"], strict=True):
                if "SequenceNumber" in result:
                    ledger.records[data] = (result["ShardId"], result["SequenceNumber"])

    def control(rng: random.Random) -> None:
        kind = rng.choice(["queue", "role", "dashboard", "alarm", "api", "log_group"])
        name = ledger.next(f"cp-{kind}").replace("_", "-")
        if kind == "queue":
            sqs.create_queue(QueueName=name)
        elif kind == "role":
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"}))
        elif kind == "dashboard":
            cw.put_dashboard(DashboardName=name, DashboardBody=json.dumps({"widgets": []}))
        elif kind == "alarm":
            cw.put_metric_alarm(
                AlarmName=name,
                Namespace="P",
                MetricName="M",
                Statistic="Sum",
                Period=60,
                EvaluationPeriods=1,
                Threshold=1.0,
                ComparisonOperator="GreaterThanThreshold",
            )
        elif kind == "api":
            name = apigw.create_rest_api(name=name)["id"]
        else:
            logs.create_log_group(logGroupName=name)
        with ledger.lock:
            ledger.entities.setdefault(kind, set()).add(name)

    bodies = [produce, produce, consume, put_records, control, publish]
    return [threading.Thread(target=_guard(ledger, stop, b), daemon=True) for b in bodies]


def setup(server: ServerProcess, sink: str, mark: str) -> None:
    """The queues, stream, function and two mappings every epoch works on."""
    from tests.integration.lambda_.conftest import ROLE, zip_of

    sqs, kinesis, lam = client(server, "sqs"), client(server, "kinesis"), client(server, "lambda")
    sqs.create_queue(QueueName=STD, Attributes={"VisibilityTimeout": "30"})
    sqs.create_queue(QueueName=FIFO, Attributes={"FifoQueue": "true", "VisibilityTimeout": "30"})
    sqs.create_queue(QueueName=ESM_QUEUE, Attributes={"VisibilityTimeout": "30"})
    sqs.create_queue(QueueName=SNS_QUEUE)
    sns = client(server, "sns")
    topic = sns.create_topic(Name=TOPIC)["TopicArn"]
    sns_queue = f"arn:aws:sqs:us-east-1:000000000000:{SNS_QUEUE}"
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=sns_queue, Attributes={"RawMessageDelivery": "true"}
    )
    kinesis.create_stream(StreamName=STREAM, ShardCount=2)
    lam.create_function(
        FunctionName="cl-sink",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of(SINK)},
        Timeout=30,
        Environment={"Variables": {"SINK": sink, "PROOF_MARK": mark}},
    )
    arn = sqs.get_queue_attributes(QueueUrl=queue_url(server, ESM_QUEUE), AttributeNames=["QueueArn"])
    lam.create_event_source_mapping(
        EventSourceArn=arn["Attributes"]["QueueArn"], FunctionName="cl-sink", BatchSize=10
    )
    stream = kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
    lam.create_event_source_mapping(
        EventSourceArn=stream, FunctionName="cl-sink", StartingPosition="TRIM_HORIZON", BatchSize=50
    )


def unique_id() -> str:
    return uuid.uuid4().hex[:8]
