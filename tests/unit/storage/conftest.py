"""Storage test fixtures: the backends every contract test runs on, and a runner for `async def` tests."""

from __future__ import annotations

import asyncio
import inspect
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

import pytest

from millpond.storage.engine import MEMORY, Engine


@dataclass(frozen=True)
class Backend:
    """One way of running the engine: ":memory:", or a file at a durability level."""

    name: str
    path: str
    durability: str = "normal"

    @property
    def is_file(self) -> bool:
        return self.path != MEMORY

    def engine(self, migrations: Traversable | None = None) -> Engine:
        return Engine(self.path, self.durability, migrations=migrations)


BACKENDS = ("memory", "file-normal", "file-full")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    name: str = request.param
    if name == "memory":
        return Backend(name, MEMORY)
    # A nested folder that does not exist yet: the engine must create it.
    return Backend(name, str(tmp_path / "data" / "millpond.db"), durability=name.removeprefix("file-"))


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests on a fresh event loop each (no plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**kwargs))
    return True
