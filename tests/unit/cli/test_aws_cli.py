"""`millpond aws`: which arguments and environment the AWS CLI gets, and which CLI millpond installs."""

from __future__ import annotations

from pathlib import Path

from millpond.cli.aws import AWS_CLI_REQUIREMENT, cli_arguments, cli_environment, cli_executable
from millpond.config import load_settings

REPO = Path(__file__).resolve().parents[3]


def test_every_service_command_gets_the_endpoint() -> None:
    settings = load_settings({"port": 4570}, environ={})
    assert cli_arguments(settings, ["sqs", "list-queues"]) == [
        "--endpoint-url",
        "http://localhost:4570",
        "sqs",
        "list-queues",
    ]
    # Global options before the service are the CLI's own and stay where they are.
    assert cli_arguments(settings, ["--region", "eu-west-1", "kinesis", "list-streams"])[:2] == [
        "--endpoint-url",
        "http://localhost:4570",
    ]


def test_commands_that_need_no_endpoint_or_name_their_own_are_left_alone() -> None:
    settings = load_settings({}, environ={})
    for args in (["configure", "list"], ["help"], ["--version"], []):
        assert cli_arguments(settings, args) == args
    own = ["sqs", "list-queues", "--endpoint-url", "http://elsewhere:1"]
    assert cli_arguments(settings, own) == own
    assert cli_arguments(settings, ["--endpoint-url=http://x:1", "sqs", "list-queues"])[0].startswith(
        "--endpoint"
    )


def test_credentials_and_region_are_given_only_where_the_caller_has_none() -> None:
    settings = load_settings({"root_access_key_id": "AKROOT", "region": "eu-central-1"}, environ={})
    bare = cli_environment(settings, {"PATH": "/bin"})
    assert bare["AWS_ACCESS_KEY_ID"] == "AKROOT" and bare["AWS_SECRET_ACCESS_KEY"] == "test"
    assert bare["AWS_DEFAULT_REGION"] == "eu-central-1" and bare["PATH"] == "/bin"
    mine = cli_environment(
        settings, {"AWS_ACCESS_KEY_ID": "AKME", "AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "x"}
    )
    assert mine["AWS_ACCESS_KEY_ID"] == "AKME" and "AWS_DEFAULT_REGION" not in mine
    profiled = cli_environment(settings, {"AWS_PROFILE": "work"})
    assert "AWS_ACCESS_KEY_ID" not in profiled and "AWS_DEFAULT_REGION" not in profiled


def test_the_installed_cli_is_the_one_the_tests_pin(tmp_path: Path) -> None:
    pinned = [
        line for line in (REPO / "requirements-cli.txt").read_text().splitlines() if line.startswith("awscli")
    ]
    assert pinned == [AWS_CLI_REQUIREMENT]
    settings = load_settings({"cache_dir": str(tmp_path)}, environ={})
    assert (
        cli_executable(settings) == tmp_path / f"aws-cli-{AWS_CLI_REQUIREMENT.split('==')[1]}" / "bin" / "aws"
    )
    assert cli_executable(load_settings({"aws_cli": "/opt/aws"}, environ={})) == Path("/opt/aws")
