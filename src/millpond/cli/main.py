"""`millpond up | status | reset | clock [advance N] | users add | aws ...`: run the server and talk to a
running one."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from millpond import __version__
from millpond.config import SETTINGS, Settings, load_settings

CLIENT_SETTINGS = ("host", "port")
USERS_SETTINGS = (*CLIENT_SETTINGS, "account_id", "region", "root_access_key_id", "root_secret_access_key")


def _add_setting_flags(parser: argparse.ArgumentParser, names: Sequence[str] | None = None) -> None:
    defaults = Settings()
    for spec in SETTINGS:
        if names is not None and spec.name not in names:
            continue
        default = getattr(defaults, spec.name)
        text = f"{spec.help} [env {spec.env_var}; default {default}]"
        if isinstance(default, bool):
            parser.add_argument(spec.flag, dest=spec.name, action="store_true", default=None, help=text)
        else:
            parser.add_argument(spec.flag, dest=spec.name, default=None, choices=spec.choices, help=text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="millpond",
        description="A local cloud for queue and stream processing: SQS, Kinesis, Lambda, API Gateway, "
        "IAM/STS and CloudWatch on one port.",
    )
    parser.add_argument("--version", action="version", version=f"millpond {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = commands.add_parser("up", help="run millpond in the foreground (Ctrl-C stops it)")
    _add_setting_flags(up)
    status = commands.add_parser("status", help="show a running millpond's health")
    _add_setting_flags(status, CLIENT_SETTINGS)
    reset = commands.add_parser(
        "reset", help="wipe all state of a running millpond; its virtual clock goes back to real time"
    )
    _add_setting_flags(reset, CLIENT_SETTINGS)
    clock = commands.add_parser("clock", help="show the virtual clock, or advance it: clock advance SECONDS")
    _add_setting_flags(clock, CLIENT_SETTINGS)
    clock.add_argument("action", nargs="?", choices=["advance"], help="advance the clock")
    clock.add_argument("seconds", nargs="?", type=float, help="seconds to advance by")
    aws = commands.add_parser(
        "aws",
        help="the AWS CLI against this millpond: millpond aws sqs list-queues (installed on first use; "
        "settings from MILLPOND_* variables, e.g. MILLPOND_PORT)",
    )
    aws.add_argument("arguments", nargs=argparse.REMAINDER, help="the AWS CLI's arguments, as for `aws`")
    runtimes = commands.add_parser(
        "runtimes",
        help="the interpreter each Lambda pythonX.Y runtime maps to; --prepare installs their packages now",
    )
    _add_setting_flags(runtimes, ("lambda_python_dirs", "cache_dir"))
    runtimes.add_argument(
        "--prepare", action="store_true", help="install the runtime packages for every interpreter found"
    )
    users = commands.add_parser("users", help="IAM users for labs: users add NAME --prefix PREFIX")
    _add_setting_flags(users, USERS_SETTINGS)
    users.add_argument("action", choices=["add"], help="create a user with keys and a prefix-scoped policy")
    users.add_argument("name", help="the IAM user name")
    users.add_argument(
        "--prefix", required=True, help="the user may use sqs/kinesis/lambda/logs resources named PREFIX*"
    )
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {spec.name: getattr(args, spec.name, None) for spec in SETTINGS}
    return load_settings(overrides)


def _call(settings: Settings, method: str, path: str, payload: Any = None) -> Any:
    url = (
        f"http://{'127.0.0.1' if settings.host in ('0.0.0.0', '::') else settings.host}:{settings.port}{path}"
    )
    data = json.dumps(payload).encode() if payload is not None else (b"" if method == "POST" else None)
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise SystemExit(f"millpond answered {error.code}: {error.read().decode(errors='replace')}") from None
    except OSError as error:
        raise SystemExit(f"millpond is not reachable at {url}: {error}") from None


def _up(settings: Settings) -> int:
    from millpond.server.run import quiet_granian, serve

    level = getattr(logging, settings.log_level.upper())
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)-7s %(message)s", datefmt="%H:%M:%S")
    quiet_granian(level)

    def banner(_: object) -> None:
        where = "in memory (lost on exit)" if settings.in_memory else str(settings.data_dir.resolve())
        print(
            f"millpond {__version__} is up\n"
            f"  endpoint   {settings.endpoint_url}   (AWS_ENDPOINT_URL={settings.endpoint_url})\n"
            f"  data       {where} (durability {settings.durability})\n"
            f"  console    {settings.endpoint_url}/_millpond/console/\n"
            f"  account    {settings.account_id}, default region {settings.region}\n"
            f"{_iam_banner(settings)}"
            "Ctrl-C stops it.",
            flush=True,
        )

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings, on_ready=banner))
    print("millpond stopped; everything acknowledged is committed.", flush=True)
    return 0


def _iam_banner(settings: Settings) -> str:
    if not settings.enforce_iam:
        return ""
    return (
        "  iam        enforced: requests must be signed with keys millpond knows\n"
        f"  root keys  AWS_ACCESS_KEY_ID={settings.root_access_key_id} "
        f"AWS_SECRET_ACCESS_KEY={settings.root_secret_access_key}\n"
    )


def _users(settings: Settings, args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from millpond.cli.users import add_user

    try:
        key = add_user(settings, args.name, args.prefix)
    except (BotoCoreError, ClientError) as error:
        print(f"millpond: {error}", file=sys.stderr)
        return 1
    print(
        f"user {args.name} may use resources named {args.prefix}* (the secret is shown only now)\n"
        f"AWS_ACCESS_KEY_ID={key['AccessKeyId']}\nAWS_SECRET_ACCESS_KEY={key['SecretAccessKey']}"
    )
    return 0


def _status(settings: Settings) -> None:
    """The server's health, and each Lambda runtime with the interpreter that serves it."""
    status = _call(settings, "GET", "/_millpond/health")
    status["lambda_runtimes"] = _call(settings, "GET", "/_millpond/runtimes").get("runtimes", [])
    print(json.dumps(status, indent=2))


def _runtimes(settings: Settings, prepare: bool) -> int:
    """What `millpond up` would run each runtime on (no server needed); with prepare, install it all now."""
    from millpond.server.lambda_ import python_dirs
    from millpond.services.lambda_.functions import PYTHON_RUNTIMES
    from millpond.services.lambda_.runtime.interpreters import Interpreters

    interpreters = Interpreters(settings.cache_dir, python_dirs(settings))
    if prepare:

        async def prepare_all() -> None:
            for runtime in PYTHON_RUNTIMES:
                await interpreters.interpreter(runtime)

        asyncio.run(prepare_all())
    for row in interpreters.describe(PYTHON_RUNTIMES):
        line = f"{row['runtime']:<11} Python {row['version']:<8} {row['python']}"
        if row.get("fallback"):
            line += f"\n            fallback: {row['fallback']}"
        elif row.get("prepared") is False:
            line += "  (packages installed at the first cold start, or now with --prepare)"
        print(line)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["aws"]:  # everything after `aws` is the AWS CLI's, flags included
        from millpond.cli.aws import run_aws

        try:
            settings = load_settings()
        except ValueError as error:
            print(f"millpond: {error}", file=sys.stderr)
            return 2
        return run_aws(settings, arguments[1:])
    args = build_parser().parse_args(arguments)
    try:
        settings = _settings(args)
    except ValueError as error:
        print(f"millpond: {error}", file=sys.stderr)
        return 2
    if args.command == "up":
        return _up(settings)
    if args.command == "users":
        return _users(settings, args)
    if args.command == "runtimes":
        return _runtimes(settings, prepare=args.prepare)
    if args.command == "status":
        _status(settings)
    elif args.command == "reset":
        _call(settings, "POST", "/_millpond/reset")
        print("millpond state wiped; its virtual clock follows real time again")
    elif args.command == "clock":
        if args.action == "advance":
            if args.seconds is None or args.seconds < 0:
                print("millpond: clock advance needs a non-negative number of seconds", file=sys.stderr)
                return 2
            state = _call(settings, "POST", "/_millpond/clock", {"advance": args.seconds})
        else:
            state = _call(settings, "GET", "/_millpond/clock")
        print(json.dumps(state))
    return 0
