"""GET /_millpond/metrics: the same metrics CloudWatch serves, in Prometheus's text format, parsed with
prometheus_client's own parser."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.cloudwatch.conftest import unique
from tests.support.server import ServerProcess


def test_exposition_parses_and_matches_cloudwatch(server: ServerProcess) -> None:
    queue = unique("scraped")
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    for i in range(4):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    server.client("cloudwatch").put_metric_data(
        Namespace="Shop/Checkout",
        MetricData=[
            {
                "MetricName": "CartValue",
                "Dimensions": [{"Name": "Region", "Value": 'eu "west"'}],
                "Values": [10, 30],
                "Unit": "None",
            }
        ],
    )
    reply = httpx.get(server.url + "/_millpond/metrics")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = {f.name: f for f in text_string_to_metric_families(reply.text)}
    sent = families["aws_sqs_number_of_messages_sent"]
    assert sent.type == "gauge"
    samples = {s.labels["statistic"]: s.value for s in sent.samples if s.labels.get("queue_name") == queue}
    assert samples["Sum"] == 4 and samples["SampleCount"] == 4
    cart = {s.labels["statistic"]: s for s in families["shop_checkout_cart_value"].samples}
    assert cart["Sum"].value == 40 and cart["Maximum"].value == 30
    assert cart["Sum"].labels["region"] == 'eu "west"'


def test_metrics_route_is_get_only(server: ServerProcess) -> None:
    assert httpx.post(server.url + "/_millpond/metrics").status_code == 404
