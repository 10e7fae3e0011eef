"""The README's "Testing your code with millpond" example runs as printed."""

from __future__ import annotations

import os

import pytest

from tests.support.server import REPO

pytestmark = pytest.mark.timeout(180)


def readme_example() -> str:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Testing your code with millpond", 1)[1]
    return section.split("```python", 1)[1].split("```", 1)[0]


def test_readme_testing_example_passes(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("AWS_", "MILLPOND_")):
            monkeypatch.delenv(name)
    pytester.makepyfile(test_readme=readme_example())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
