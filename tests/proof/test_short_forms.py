"""The short forms of the proof harnesses, in CI: each one must come back without a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.proof import abuse, crash_loop, fuzz, stress
from tests.proof.common import Report


def _passed(report: Report) -> None:
    assert report.ok, report.summary()


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_crash_loop_loses_nothing_acknowledged(tmp_path: Path) -> None:
    _passed(crash_loop.run(tmp_path))


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_fuzzing_every_service_never_gets_a_5xx(tmp_path: Path) -> None:
    _passed(fuzz.run(tmp_path))


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_fifty_concurrent_clients_get_correct_answers(tmp_path: Path) -> None:
    _passed(stress.run(tmp_path))


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_abusive_handlers_harm_nobody(tmp_path: Path) -> None:
    _passed(abuse.run(tmp_path))
