"""HTTP subscribers (a server in this test process on 127.0.0.1): the SubscriptionConfirmation POST,
confirming through the SubscribeURL or ConfirmSubscription, notifications with AWS's headers, and a
failing endpoint's message retried on the virtual clock, then moved to the subscription's DLQ."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.sns.conftest import advance, drain, make_queue, unique
from tests.support.server import ServerProcess


class Endpoint:
    def __init__(self, port: int = 0) -> None:
        self.received: list[tuple[str, dict[str, str], str]] = []  # (path, headers, body)
        self.lock = threading.RLock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                headers = {k.lower(): v for k, v in self.headers.items()}
                with endpoint.lock:
                    endpoint.received.append((self.path, headers, body))
                notification = headers["x-amz-sns-message-type"] == "Notification"
                if self.path.startswith("/slow") and notification:
                    time.sleep(3)
                failing = self.path.startswith("/fail") and notification
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def wait_for(
        self, predicate: Callable[[list[tuple[str, dict[str, str], str]]], bool], timeout: float = 15
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate(list(self.received)):
                    return
            time.sleep(0.05)
        raise AssertionError(f"timed out; received {self.received}")

    def of(self, path: str, kind: str) -> list[tuple[dict[str, str], dict[str, Any]]]:
        with self.lock:
            return [
                (h, json.loads(b) if b.startswith("{") else {"raw": b})
                for p, h, b in self.received
                if p == path and h["x-amz-sns-message-type"] == kind
            ]


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    found = Endpoint()
    yield found
    found.server.shutdown()
    found.server.server_close()


def test_confirm_via_subscribe_url_then_receive_notifications(
    sns_server: ServerProcess, endpoint: Endpoint
) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("http"))["TopicArn"]
    reply = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url + "/ok")
    assert reply["SubscriptionArn"] == "pending confirmation"
    endpoint.wait_for(lambda got: len(got) == 1)
    ((headers, confirmation),) = endpoint.of("/ok", "SubscriptionConfirmation")
    assert headers["x-amz-sns-topic-arn"] == topic
    assert headers["content-type"].startswith("text/plain")
    assert list(confirmation) == [
        "Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp", "SignatureVersion",
        "Signature", "SigningCertURL",
    ]  # fmt: skip
    assert confirmation["SubscribeURL"].startswith(sns_server.url + "/?Action=ConfirmSubscription&TopicArn=")
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["SubscriptionArn"] for s in listed] == ["PendingConfirmation"]
    with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=5) as confirmed:
        text = confirmed.read().decode()
    assert "<ConfirmSubscriptionResponse" in text and f"<SubscriptionArn>{topic}:" in text
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    arn = subscription["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert json.loads(attributes["EffectiveDeliveryPolicy"])["healthyRetryPolicy"]["numRetries"] == 3

    sns.publish(TopicArn=topic, Message="hello http", Subject="greeting")
    endpoint.wait_for(lambda got: len(got) == 2)
    ((headers, note),) = endpoint.of("/ok", "Notification")
    assert headers["x-amz-sns-subscription-arn"] == arn
    assert headers["x-amz-sns-message-id"] == note["MessageId"]
    assert headers["user-agent"] == "Amazon Simple Notification Service Agent"
    assert (note["Type"], note["Message"], note["Subject"]) == ("Notification", "hello http", "greeting")

    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="true"
    )
    sns.publish(TopicArn=topic, Message="raw body")
    endpoint.wait_for(lambda got: len(got) == 3)
    headers, raw = endpoint.of("/ok", "Notification")[1]
    assert raw == {"raw": "raw body"} and headers["x-amz-sns-rawdelivery"] == "true"

    # Unsubscribing sends the UnsubscribeConfirmation; its SubscribeURL restores the subscription.
    sns.unsubscribe(SubscriptionArn=arn)
    endpoint.wait_for(lambda got: len(got) == 4)
    ((headers, farewell),) = endpoint.of("/ok", "UnsubscribeConfirmation")
    assert headers["x-amz-sns-subscription-arn"] == arn
    assert farewell["Message"].startswith(f"You have chosen to deactivate subscription {arn}.")
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    with urllib.request.urlopen(farewell["SubscribeURL"], timeout=5):
        pass
    assert [
        s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    ] == [arn]


def test_confirm_subscription_with_the_token(sns_server: ServerProcess, endpoint: Endpoint) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("http"))["TopicArn"]
    arn = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint=endpoint.url + "/tok", ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    endpoint.wait_for(lambda got: len(got) == 1)
    ((_, confirmation),) = endpoint.of("/tok", "SubscriptionConfirmation")
    with pytest.raises(ClientError) as raised:
        sns.confirm_subscription(TopicArn=topic, Token="nope")
    assert raised.value.response["Error"]["Code"] == "InvalidParameter"
    confirmed = sns.confirm_subscription(
        TopicArn=topic, Token=confirmation["Token"], AuthenticateOnUnsubscribe="true"
    )
    assert confirmed["SubscriptionArn"] == arn
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["ConfirmationWasAuthenticated"] == "true"
    # Confirmed with AuthenticateOnUnsubscribe: the unsigned link no longer unsubscribes, a signed call does.
    link = f"{sns_server.url}/?Action=Unsubscribe&SubscriptionArn={urllib.parse.quote(arn, safe='')}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(link, timeout=5)
    body = refused.value.read()
    refused.value.close()
    assert refused.value.code == 403 and b"<Code>AuthorizationError</Code>" in body
    sns.unsubscribe(SubscriptionArn=arn)
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def test_failing_endpoint_retries_then_dead_letters(sns_server: ServerProcess, endpoint: Endpoint) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("http"))["TopicArn"]
    dlq_url, dlq_arn = make_queue(sns_server)
    arn = sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=endpoint.url + "/fail",
        ReturnSubscriptionArn=True,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})},
    )["SubscriptionArn"]
    endpoint.wait_for(lambda got: len(got) == 1)
    ((_, confirmation),) = endpoint.of("/fail", "SubscriptionConfirmation")
    sns.confirm_subscription(TopicArn=topic, Token=confirmation["Token"])
    message_id = sns.publish(TopicArn=topic, Message="never lands")["MessageId"]
    for attempt in range(1, 4):
        endpoint.wait_for(lambda got, n=attempt: len(endpoint.of("/fail", "Notification")) == n)
        time.sleep(0.2)
        assert len(endpoint.of("/fail", "Notification")) == attempt  # no retry before the clock moves
        drain(sns_server, dlq_url, 0, timeout=0)
        advance(sns_server, 20)
    endpoint.wait_for(lambda got: len(endpoint.of("/fail", "Notification")) == 4)
    (dead,) = drain(sns_server, dlq_url, 1)
    envelope = json.loads(dead["Body"])
    assert (envelope["MessageId"], envelope["Message"]) == (message_id, "never lands")
    assert envelope["UnsubscribeURL"].endswith(f"SubscriptionArn={arn}")
    assert dead["MessageAttributes"]["ErrorCode"]["StringValue"] == "HTTP500"
    advance(sns_server, 60)
    time.sleep(0.3)
    assert len(endpoint.of("/fail", "Notification")) == 4  # the retries are used up


def test_a_slow_endpoint_holds_back_only_its_own_deliveries(
    sns_server: ServerProcess, endpoint: Endpoint
) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("slow"))["TopicArn"]
    arn = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint=endpoint.url + "/slow", ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    endpoint.wait_for(lambda got: len(got) == 1)
    ((_, confirmation),) = endpoint.of("/slow", "SubscriptionConfirmation")
    assert sns.confirm_subscription(TopicArn=topic, Token=confirmation["Token"])["SubscriptionArn"] == arn
    url, queue_arn = make_queue(sns_server)
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    sns.publish(TopicArn=topic, Message="first")
    sns.publish(TopicArn=topic, Message="second")
    started = time.monotonic()
    assert sorted(m["Body"] for m in drain(sns_server, url, 2, timeout=5)) == ["first", "second"]
    assert time.monotonic() - started < 2.5  # not behind the endpoint's three-second answer
    endpoint.wait_for(lambda got: len(endpoint.of("/slow", "Notification")) == 2, timeout=20)
    assert [n["Message"] for _, n in endpoint.of("/slow", "Notification")] == ["first", "second"]
