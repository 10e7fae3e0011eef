"""Lambda's settings: idle timeout, idle environments kept and account concurrency, from flags and MILLPOND_*
variables, validated, and what the concurrency limit does to throttling and reservations."""

from __future__ import annotations

import asyncio

import pytest

from millpond.cli.main import build_parser
from millpond.config import Settings, load_settings
from millpond.errors import AwsError
from millpond.services.lambda_.concurrency import Concurrency


def test_defaults_are_aws_and_the_old_constants() -> None:
    settings = load_settings(environ={})
    assert settings.lambda_idle_timeout == 300.0
    assert settings.lambda_max_idle == 32
    assert settings.lambda_account_concurrency == 1000


def test_variables_then_flags() -> None:
    environ = {
        "MILLPOND_LAMBDA_IDLE_TIMEOUT": "2.5",
        "MILLPOND_LAMBDA_MAX_IDLE": "4",
        "MILLPOND_LAMBDA_ACCOUNT_CONCURRENCY": "10",
    }
    settings = load_settings(environ=environ)
    assert (settings.lambda_idle_timeout, settings.lambda_max_idle, settings.lambda_account_concurrency) == (
        2.5,
        4,
        10,
    )
    overridden = load_settings({"lambda_account_concurrency": "7", "lambda_max_idle": None}, environ)
    assert overridden.lambda_account_concurrency == 7 and overridden.lambda_max_idle == 4


@pytest.mark.parametrize(
    ("name", "value", "flag"),
    [
        ("lambda_idle_timeout", "0", "--lambda-idle-timeout"),
        ("lambda_idle_timeout", "-1", "--lambda-idle-timeout"),
        ("lambda_idle_timeout", "nan", "--lambda-idle-timeout"),
        ("lambda_idle_timeout", "100000", "--lambda-idle-timeout"),
        ("lambda_max_idle", "-1", "--lambda-max-idle"),
        ("lambda_max_idle", "10001", "--lambda-max-idle"),
        ("lambda_account_concurrency", "0", "--lambda-account-concurrency"),
        ("lambda_account_concurrency", "100001", "--lambda-account-concurrency"),
    ],
)
def test_out_of_range_values_are_refused(name: str, value: str, flag: str) -> None:
    with pytest.raises(ValueError, match=flag):
        load_settings({name: value}, environ={})


def test_zero_idle_environments_is_allowed() -> None:
    assert load_settings({"lambda_max_idle": "0"}, environ={}).lambda_max_idle == 0


def test_up_help_lists_the_flags_and_variables() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    text = commands.choices["up"].format_help()  # type: ignore[index]
    for flag, variable in (
        ("--lambda-idle-timeout", "MILLPOND_LAMBDA_IDLE_TIMEOUT"),
        ("--lambda-max-idle", "MILLPOND_LAMBDA_MAX_IDLE"),
        ("--lambda-account-concurrency", "MILLPOND_LAMBDA_ACCOUNT_CONCURRENCY"),
    ):
        assert flag in text and variable in text
    assert Settings().lambda_account_concurrency == 1000


def test_the_account_limit_throttles_sync_and_holds_async() -> None:
    async def scenario() -> None:
        concurrency = Concurrency(2)
        async with concurrency.slot("a", None, wait=False), concurrency.slot("b", None, wait=False):
            with pytest.raises(AwsError) as refused:
                async with concurrency.slot("c", None, wait=False):
                    pass
            assert refused.value.code == "TooManyRequestsException"
            assert refused.value.fields["Reason"] == "ConcurrentInvocationLimitExceeded"
            waiting = asyncio.ensure_future(_hold(concurrency, "c"))
            await asyncio.sleep(0.01)
            assert not waiting.done() and concurrency.total == 2
        await asyncio.wait_for(waiting, 1)
        assert concurrency.total == 0 and concurrency.in_flight == {}

    asyncio.run(scenario())


async def _hold(concurrency: Concurrency, name: str) -> None:
    async with concurrency.slot(name, None, wait=True):
        assert concurrency.total <= concurrency.account_limit


def test_minimum_unreserved_is_capped_by_a_low_limit() -> None:
    assert Concurrency().min_unreserved == 100
    assert Concurrency(50).min_unreserved == 50
