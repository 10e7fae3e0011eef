"""The pytest plugin as users get it: fixtures, the reset marker and ini option, env wiring, xdist."""

from __future__ import annotations

import os
import subprocess

import pytest

pytestmark = pytest.mark.timeout(180)

SUITE = """
import boto3
import pytest


def test_server_fixture_answers(millpond):
    assert millpond.url.startswith("http://127.0.0.1:")
    identity = millpond.client("sts").get_caller_identity()
    assert identity["Account"] == "000000000000"


def test_aws_client_factory(aws_client, millpond):
    assert aws_client("sts").meta.endpoint_url == millpond.url


def test_env_wiring(millpond_env):
    import os
    assert os.environ["AWS_ENDPOINT_URL"] == millpond_env.url
    assert boto3.client("sts").get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"


def test_env_is_restored_after_the_test():
    import os
    assert "AWS_ENDPOINT_URL" not in os.environ


def test_clock_advance(millpond):
    before = millpond.now()
    assert millpond.advance(600) >= before + 600
"""


def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("AWS_", "MILLPOND_")):
            monkeypatch.delenv(name)


def test_fixtures_and_env_wiring(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    _clean_env(monkeypatch)
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


RESET_SUITE = """
import pytest


def _sessions(millpond):
    sts = millpond.client("sts")
    creds = sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/r", RoleSessionName="s1")["Credentials"]
    return millpond.client(
        "sts",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def test_a_creates_state(millpond, tmp_path_factory):
    client = _sessions(millpond)
    assert "assumed-role" in client.get_caller_identity()["Arn"]
    pytest.shared_client = client


def test_b_without_marker_keeps_state():
    assert "assumed-role" in pytest.shared_client.get_caller_identity()["Arn"]


@pytest.mark.millpond(reset=True)
def test_c_marker_wipes_state():
    # The session millpond issued these credentials; after a reset it no longer knows them.
    assert pytest.shared_client.get_caller_identity()["Arn"].endswith(":root")
"""


def test_reset_marker(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    _clean_env(monkeypatch)
    pytester.makepyfile(test_reset=RESET_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=3)


def test_reset_ini_option(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    _clean_env(monkeypatch)
    pytester.makeini("[pytest]\nmillpond_reset = true\n")
    pytester.makepyfile(
        test_ini="""
import pytest


def test_a(millpond):
    creds = millpond.client("sts").assume_role(
        RoleArn="arn:aws:iam::000000000000:role/r", RoleSessionName="s1")["Credentials"]
    pytest.keys = creds


def test_b(millpond):
    client = millpond.client(
        "sts",
        aws_access_key_id=pytest.keys["AccessKeyId"],
        aws_secret_access_key=pytest.keys["SecretAccessKey"],
        aws_session_token=pytest.keys["SessionToken"],
    )
    assert client.get_caller_identity()["Arn"].endswith(":root")
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_xdist_runs_one_server_per_worker_and_leaves_nothing_behind(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clean_env(monkeypatch)
    pytester.makepyfile(
        test_workers="""
import os


def test_one(millpond, tmp_path_factory):
    (tmp_path_factory.getbasetemp().parent / f"url-{os.getpid()}").write_text(millpond.url)
    assert millpond.client("sts").get_caller_identity()["Account"]


def test_two(millpond, tmp_path_factory):
    (tmp_path_factory.getbasetemp().parent / f"url-{os.getpid()}").write_text(millpond.url)
    assert millpond.client("sts").get_caller_identity()["Account"]
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=2)
    leftovers = subprocess.run(["pgrep", "-f", f"millpond up.*{pytester.path.name}"], capture_output=True)
    assert leftovers.stdout == b""


def test_a_server_that_cannot_start_fails_clearly(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clean_env(monkeypatch)
    pytester.makeconftest(
        """
import pytest
from millpond.testing import Server


@pytest.fixture(scope="session")
def millpond():
    server = Server(extra_args=("--durability", "sometimes"), startup_timeout=10)
    try:
        server.start()
    except Exception as error:
        pytest.fail(f"millpond could not start: {error}", pytrace=False)
    yield server
    server.stop()
"""
    )
    pytester.makepyfile(test_fail="def test_x(millpond):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*millpond could not start*", "*--durability*invalid choice*"])
