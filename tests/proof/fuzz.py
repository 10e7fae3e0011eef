"""Fuzzing every operation of every service millpond serves, from botocore's shapes.

Each case is drawn by Hypothesis: an operation's input (tests/unit/protocol/strategies.py), then a
mutation of it (extreme or wrongly typed values, required members dropped, unknown members, malformed or
truncated or oversized bodies, wrong content types, bad signatures), serialized as a client would and
sent to a real server. Every answer must be below 500 (501 only as NotImplemented for an operation
millpond does not serve), in its protocol's error shape, within the timeout; a prober keeps checking that
other clients are served, and the server must still be alive at the end with no internal error logged.
Random paths, methods, targets and bodies are sent too (pseudo-service "raw").

    python -m tests.proof.fuzz [--long] [--cases N] [--seed S]
"""

from __future__ import annotations

import argparse
import copy
import http.client
import json
import random
import threading
import time
from pathlib import Path
from typing import Any

import cbor2
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.model import OperationModel
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from millpond.protocol import specs
from tests.proof.common import Report, client
from tests.proof.fuzz_checks import check_answer
from tests.proof.fuzz_mutations import BODY_MUTATIONS, PARAM_MUTATIONS, mutate_body, mutate_params
from tests.support.server import ServerProcess, make_server
from tests.unit.protocol.strategies import input_strategy, to_http_request

CREDS = Credentials("test", "test")
TIMEOUT = 30.0
# Operations whose answer is an event stream: a long-lived answer is no hang.
STREAMING = {"SubscribeToShard", "StartLiveTail"}


def targets() -> list[tuple[str, str, str]]:
    """(service, protocol, operation) for every operation in every protocol millpond accepts."""
    found = []
    for service in specs.SERVED_SERVICES:
        protocols = specs.protocols_of(service)
        if service == "kinesis":
            protocols = [*protocols, "cbor"]  # the Java SDK and KCL speak CBOR to Kinesis
        for protocol in protocols:
            model = specs.service_model(
                service, protocol if protocol in specs.legacy_protocols(service) else None
            )
            # Operations sent to a host of their own ({RequestRoute}. for WriteGetObjectResponse) are skipped.
            found += [
                (service, protocol, name)
                for name in sorted(model.operation_names)
                if "{" not in (model.operation_model(name).endpoint or {}).get("hostPrefix", "")
            ]
    return found


def sample(everything: list[tuple[str, str, str]], per_group: int, seed: int) -> list[tuple[str, str, str]]:
    """A deterministic sample of `per_group` operations per (service, protocol)."""
    groups: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for item in everything:
        groups.setdefault(item[:2], []).append(item)
    rng = random.Random(seed)
    picked = []
    for items in groups.values():
        picked += rng.sample(items, min(per_group, len(items)))
    return picked


def operation_of(service: str, protocol: str, name: str) -> OperationModel:
    legacy = protocol if protocol in specs.legacy_protocols(service) else None
    return specs.operation_model(service, name, legacy)


def serialize(
    operation: OperationModel, protocol: str, params: dict[str, Any], valid: dict[str, Any]
) -> dict[str, Any]:
    """botocore's request dict for `params`; when the serializer refuses what we broke on purpose, the
    valid parameters' request with the broken members written into a JSON body by hand."""
    wire = "json" if protocol == "cbor" else protocol
    serializer = create_serializer(wire, include_validation=False)
    try:
        request = serializer.serialize_to_request(params, operation)
    except Exception:
        request = serializer.serialize_to_request(valid, operation)
        if wire in ("json", "rest-json") and operation.input_shape is not None:
            members = operation.input_shape.members
            body = {
                k: v for k, v in params.items() if not members.get(k, members).serialization.get("location")
            }
            request["body"] = json.dumps(body, default=repr).encode()
    if protocol == "cbor":
        body = request["body"]
        try:
            request["body"] = cbor2.dumps(json.loads(body or b"{}"))
        except ValueError:
            request["body"] = body
        request["headers"]["Content-Type"] = "application/x-amz-cbor-1.1"
    return request


class Sender:
    """One keep-alive connection to the server, signing each request as botocore would."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes, signing: str | None
    ) -> tuple[int, dict[str, str], bytes]:
        if signing is not None:
            aws = AWSRequest(
                method=method, url=f"http://127.0.0.1:{self.port}{path}", data=body, headers=headers
            )
            SigV4Auth(CREDS, signing, "us-east-1").add_auth(aws)
            headers = {k: v for k, v in aws.headers.items() if k.lower() != "host"}
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                answer = {k.lower(): v for k, v in response.getheaders()}
                if answer.get("connection", "").lower() == "close":
                    self.close()
                return response.status, answer, data
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Prober(threading.Thread):
    """Another client, served throughout: health and ListQueues every 200 ms."""

    def __init__(self, server: ServerProcess) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.stop = threading.Event()
        self.probes = 0
        self.errors: list[str] = []
        self.worst = 0.0

    def run(self) -> None:
        sqs = client(self.server, "sqs", timeout=10)
        while not self.stop.wait(0.2):
            started = time.monotonic()
            try:
                self.server.get("/_millpond/health")
                sqs.list_queues()
            except Exception as error:
                self.errors.append(f"prober: {error!r}")
            self.worst = max(self.worst, time.monotonic() - started)
            self.probes += 1


def fuzz_operation(
    sender: Sender, report: Report, service: str, protocol: str, name: str, cases: int, seed: int | None
) -> int:
    operation = operation_of(service, protocol, name)
    signing = operation.service_model.signing_name or service
    sent = 0
    generator = "json" if protocol == "cbor" else protocol
    mutations = ["valid", *PARAM_MUTATIONS, *BODY_MUTATIONS]

    @settings(
        max_examples=cases,
        derandomize=seed is None,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(params=input_strategy(operation, generator), mutation=st.sampled_from(mutations), data=st.data())
    def case(params: dict[str, Any], mutation: str, data: st.DataObject) -> None:
        nonlocal sent
        valid = copy.deepcopy(params)
        if mutation in PARAM_MUTATIONS:
            params = mutate_params(params, operation.input_shape, mutation, data.draw)
        try:
            request = to_http_request(serialize(operation, protocol, params, valid), "http://127.0.0.1")
        except Exception:  # a broken streaming payload cannot even be sent: send the valid one
            request = to_http_request(serialize(operation, protocol, valid, valid), "http://127.0.0.1")
        body, headers = request.body, dict(request.headers)
        headers.pop("host", None)
        headers.pop("content-length", None)  # http.client writes the length of the body we send
        path = request.raw_path + (f"?{request.query_string}" if request.query_string else "")
        sign: str | None = signing
        if mutation in BODY_MUTATIONS:
            body, headers, sign = mutate_body(body, headers, mutation, data.draw, signing)
        label = f"{service}/{protocol}/{name} [{mutation}]"
        started = time.monotonic()
        try:
            status, answer, data_ = sender.send(request.method, path, headers, body, sign)
        except TimeoutError:
            print(f"timeout: {label}", flush=True)
            if name not in STREAMING:
                report.fail(f"{label}: no answer within {TIMEOUT}s")
            return
        except UnicodeEncodeError:
            return  # a header value no HTTP client can send (S3 has header members of any text)
        except OSError as error:
            report.fail(f"{label}: connection failed: {error!r}")
            return
        finally:
            sent += 1
        if time.monotonic() - started > 2:
            print(f"slow: {label} {time.monotonic() - started:.1f}s", flush=True)
        problem = check_answer(operation, protocol, mutation, status, answer, data_)
        if problem:
            report.fail(f"{label}: {problem} ({time.monotonic() - started:.1f}s)")

    case()
    return sent


def fuzz_raw(sender: Sender, report: Report, cases: int, seed: int | None) -> int:
    """Random methods, paths, targets, content types and bodies: anything at all gets a non-5xx answer."""
    sent = 0
    path_chars = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="#")

    @settings(
        max_examples=cases,
        derandomize=seed is None,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "FOO"]),
        path=st.one_of(
            st.text(path_chars, max_size=60).map("/".__add__),
            st.sampled_from(
                ["/", "/2015-03-31/functions/", "/restapis/x/y/_user_request_/", "/000000000000/q"]
            ),
        ),
        target=st.one_of(
            st.none(),
            st.text(max_size=20).map(lambda s: s.encode("latin-1", "replace").decode("latin-1")),
            st.sampled_from(["AmazonSQS.", "Kinesis_20131202.Nope", "Logs_20140328.", ".", "AmazonSQS"]),
        ),
        content_type=st.sampled_from(
            [
                "",
                "application/json",
                "application/x-amz-json-1.0",
                "application/x-amz-cbor-1.1",
                "application/x-www-form-urlencoded",
                "text/xml",
                "application/cbor",
                "multipart/form-data",
            ]
        ),
        rpc=st.booleans(),
        body=st.binary(max_size=200),
    )
    def case(method: str, path: str, target: str | None, content_type: str, rpc: bool, body: bytes) -> None:
        nonlocal sent
        headers = {"Content-Type": content_type} if content_type else {}
        if target is not None:
            headers["X-Amz-Target"] = target.replace("\r", "").replace("\n", "")
        if rpc:
            headers["smithy-protocol"] = "rpc-v2-cbor"
        try:
            status, _answer, _ = sender.send(method, path, headers, body, None)
        except (OSError, http.client.HTTPException) as error:
            report.fail(f"raw {method} {path!r}: {error!r}")
            return
        finally:
            sent += 1
        if status >= 500 and status != 501:
            report.fail(f"raw {method} {path!r} target={target!r}: HTTP {status}")

    case()
    return sent


def run(tmp: Path, long: bool = False, cases: int | None = None, seed: int | None = None) -> Report:
    """Short form: a fixed sample of operations, 3 cases each; long: every operation, `cases` each."""
    report = Report("fuzz")
    started = time.monotonic()
    everything = targets()
    chosen = everything if long else sample(everything, 8, 12)
    per_op = cases or (120 if long else 3)
    server = make_server(tmp, "--in-memory", "--log-level", "warning").start()
    prober = Prober(server)
    prober.start()
    sender = Sender(server.port)
    per_service: dict[str, int] = {}
    try:
        for service, protocol, name in chosen:
            sent = fuzz_operation(sender, report, service, protocol, name, per_op, seed)
            per_service[service] = per_service.get(service, 0) + sent
            assert server.process is not None
            if server.process.poll() is not None:
                report.fail(f"server exited ({server.process.returncode}) after {service}.{name}")
                break
        per_service["raw"] = fuzz_raw(sender, report, 2000 if long else 150, seed)
    finally:
        sender.close()
        prober.stop.set()
        prober.join(15)
        alive = server.process is not None and server.process.poll() is None
        if not alive:
            report.fail("the server is not running at the end")
        else:
            server.stop(30)
    for error in prober.errors[:20]:
        report.fail(error)
    log = server.log()
    if "internal error" in log or "Traceback" in log:
        report.fail("server log holds internal errors:\n" + log[-3000:])
    report.figures.update({f"requests {k}": v for k, v in per_service.items()})
    report.figures["requests total"] = sum(per_service.values())
    report.figures["operations"] = len({(s, n) for s, _, n in chosen})
    report.figures["probes served"] = prober.probes
    report.figures["worst probe latency s"] = round(prober.worst, 2)
    report.seconds = time.monotonic() - started
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long", action="store_true", help="every operation, many cases each")
    parser.add_argument("--cases", type=int, default=None, help="cases per operation")
    parser.add_argument("--seed", type=int, default=None, help="random (not derandomized) generation")
    parser.add_argument("--dir", default="/tmp/millpond-proof-fuzz")
    args = parser.parse_args()
    tmp = Path(args.dir)
    tmp.mkdir(parents=True, exist_ok=True)
    report = run(tmp, args.long, args.cases, args.seed)
    print(report.summary())
    raise SystemExit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
