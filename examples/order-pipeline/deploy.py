#!/usr/bin/env python3
"""The order pipeline, deployed and driven from the terminal, on plain boto3.

    python deploy.py deploy      # create or update every resource (idempotent)
    python deploy.py traffic     # send demo orders and events through the APIs, then report
    python deploy.py report      # what the pipeline has done so far
    python deploy.py teardown    # delete every resource (harmless when already gone)

Every resource name starts with --prefix (default: $USER). --endpoint-url defaults to $AWS_ENDPOINT_URL,
then http://localhost:4566 (millpond); --aws targets AWS itself with your usual credentials.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from botocore.exceptions import EndpointConnectionError
from pipeline.apis import ensure_apis
from pipeline.create import ensure_functions, ensure_mappings, ensure_queues, ensure_role, ensure_stream
from pipeline.dashboard import ensure_dashboard
from pipeline.destroy import teardown
from pipeline.stack import DEFAULT_ENDPOINT, Stack, clean_prefix, default_prefix
from pipeline.traffic import collect, print_report, send_traffic, wait_for_pipeline


def deploy(stack: Stack) -> dict[str, str]:
    """Every resource, in dependency order; returns the two invoke URLs."""
    started = time.monotonic()
    stack.say(
        f"Deploying the order pipeline '{stack.prefix}' to {stack.endpoint_url or 'AWS'} ({stack.region})"
    )
    queue_url, queue_arn = ensure_queues(stack)
    stream_arn = ensure_stream(stack)
    role_arn, _ = ensure_role(stack, queue_arn, stream_arn)
    function_arns = ensure_functions(stack, role_arn, queue_url)
    ensure_mappings(stack, queue_arn, stream_arn)
    urls = ensure_apis(stack, function_arns)
    ensure_dashboard(stack)
    stack.say(f"Deployed in {time.monotonic() - started:.1f} s.\n")
    print_next_steps(stack, urls)
    return urls


def print_next_steps(stack: Stack, urls: dict[str, str]) -> None:
    orders, events = urls["orders-api"], urls["events-api"]
    stack.say(f"Orders API  POST {orders}")
    stack.say(f"Events API  POST {events}\n")
    if stack.endpoint_url is None:
        console = f"https://{stack.region}.console.aws.amazon.com"
        stack.say("Console:")
        stack.say(f"  queues     {console}/sqs/v3/home?region={stack.region}#/queues")
        stack.say(
            f"  stream     {console}/kinesis/home?region={stack.region}#/streams/details/{stack.stream}"
        )
        stack.say(f"  functions  {console}/lambda/home?region={stack.region}#/functions")
        stack.say(
            f"  dashboard  {console}/cloudwatch/home?region={stack.region}#dashboards:name={stack.dashboard}"
        )
    else:
        stack.say(f"Console: {stack.endpoint_url.rstrip('/')}/_millpond/console/")
        stack.say(f"  queues {stack.queue}, {stack.dlq}; stream {stack.stream}; dashboard {stack.dashboard}")
    stack.say("\nTry it:")
    stack.say(
        f"  curl -s -X POST {orders} -H 'Content-Type: application/json' \\\n"
        """       -d '{"messageType": "order", "batchSize": 3, "simulateFailure": true}'"""
    )
    stack.say(
        f"  curl -s -X POST {events} -H 'Content-Type: application/json' \\\n"
        """       -d '{"eventType": "transaction", "eventCount": 5}'"""
    )
    stack.say(f"  python {sys.argv[0]} traffic --prefix {stack.prefix}   # the whole demo, with a report")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["deploy", "teardown", "traffic", "report"])
    parser.add_argument(
        "--prefix",
        default=os.environ.get("PIPELINE_PREFIX") or default_prefix(),
        help="start of every resource name (default: $PIPELINE_PREFIX, then $USER)",
    )
    parser.add_argument(
        "--endpoint-url",
        default=os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT,
        help="where to send requests (default: $AWS_ENDPOINT_URL, then %(default)s)",
    )
    parser.add_argument("--aws", action="store_true", help="use AWS itself (ignores --endpoint-url)")
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")
    parser.add_argument(
        "--no-advance",
        action="store_true",
        help="traffic: never move millpond's virtual clock (wait for real time instead)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except EndpointConnectionError as error:
        print(
            f"cannot reach {error.kwargs.get('endpoint_url')}: is millpond running? (`make up`)",
            file=sys.stderr,
        )
        return 1


def run(args: argparse.Namespace) -> int:
    endpoint = None if args.aws else args.endpoint_url
    if endpoint is not None:  # millpond takes any credentials: dummy ones if none are set
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    stack = Stack(prefix=clean_prefix(args.prefix), endpoint_url=endpoint, region=args.region)
    if args.command == "deploy":
        deploy(stack)
    elif args.command == "teardown":
        teardown(stack)
    elif args.command == "traffic":
        sent = send_traffic(stack)
        wait_for_pipeline(stack, sent, advance=not args.no_advance)
        print_report(stack, collect(stack))
    else:
        print_report(stack, collect(stack))
    return 0


if __name__ == "__main__":
    sys.exit(main())
