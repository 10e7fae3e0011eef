"""A pytest plugin loaded into moto's test suite (in .venv-conformance, never in millpond's own venv).

It deselects the tests expected.toml excludes (with their reasons) and writes each test's outcome to the
JSON file named by MILLPOND_CONFORMANCE_RESULTS, for tests/conformance/run.py to compare. It imports
nothing of millpond's: moto's tests run in their own interpreter, talking to a millpond server over HTTP.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

EXPECTED = Path(__file__).with_name("expected.toml")


def exclusion_rules() -> list[tuple[re.Pattern[str], str]]:
    data = tomllib.loads(EXPECTED.read_text())
    return [(re.compile(rule["match"]), rule["reason"]) for rule in data.get("exclude", [])]


class Recorder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.outcomes: dict[str, str] = {}
        self.messages: dict[str, str] = {}
        self.rules = exclusion_rules()

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        kept: list[pytest.Item] = []
        dropped: list[pytest.Item] = []
        for item in items:
            if any(pattern.search(item.nodeid) for pattern, _ in self.rules):
                dropped.append(item)
            else:
                kept.append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        previous = self.outcomes.get(report.nodeid)
        if report.failed:
            self.outcomes[report.nodeid] = "failed"
            self.messages.setdefault(report.nodeid, first_line(report))
        elif report.skipped and previous is None:
            self.outcomes[report.nodeid] = "skipped"
        elif report.when == "call" and report.passed and previous is None:
            self.outcomes[report.nodeid] = "passed"

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        payload: dict[str, Any] = {"outcomes": self.outcomes, "messages": self.messages}
        self.path.write_text(json.dumps(payload, indent=1, sort_keys=True))


def first_line(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return text.strip().splitlines()[0][:300] if text.strip() else ""


LAMBDA_TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def get_role_name(region: str | None = None) -> str:
    """tests/test_awslambda/utilities.get_role_name, with a trust policy IAM accepts.

    moto's helper creates its role with AssumeRolePolicyDocument="some policy" and retries until it works;
    IAM answers MalformedPolicyDocument to that (as millpond does), so on AWS the helper loops forever and
    every Lambda test that calls it hangs. Same role, name and path; only the document is a real one.
    """
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws

    with mock_aws():
        iam = boto3.client("iam", region_name=region or "us-west-2")
        for _ in range(100):  # as moto's helper: another thread may create the role between the two calls
            try:
                return str(iam.get_role(RoleName="my-role")["Role"]["Arn"])
            except ClientError:
                try:
                    role = iam.create_role(
                        RoleName="my-role", AssumeRolePolicyDocument=LAMBDA_TRUST_POLICY, Path="/my-path/"
                    )
                    return str(role["Role"]["Arn"])
                except ClientError:
                    continue
        raise RuntimeError("could not get or create the role my-role")


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    try:
        import tests.test_awslambda.utilities as utilities  # moto's, from its unpacked source
    except ImportError:
        return
    utilities.get_role_name = get_role_name  # before the test modules import it by name


def pytest_configure(config: pytest.Config) -> None:
    target = os.environ.get("MILLPOND_CONFORMANCE_RESULTS")
    if target:
        config.pluginmanager.register(Recorder(Path(target)), "millpond-conformance-recorder")
