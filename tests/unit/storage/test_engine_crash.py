"""Acknowledged means durable: a process SIGKILLed mid-stream loses none of the writes it acknowledged."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from millpond.storage.engine import Engine

ACKNOWLEDGEMENTS_BEFORE_KILL = 300

# The child: 8 concurrent writers (so the kill can land inside a commit group), each printing a key only
# once engine.write() has returned for it.
CHILD = """
import asyncio, sys
from millpond.storage.engine import Engine

async def main(path: str, durability: str) -> None:
    engine = Engine(path, durability)
    await engine.start()
    await engine.write(lambda conn: conn.execute("CREATE TABLE probe (key TEXT PRIMARY KEY)"))
    out = sys.stdout

    async def writer(n: int) -> None:
        for i in range(1_000_000):
            key = f"{n}-{i}"
            await engine.write(lambda conn: conn.execute("INSERT INTO probe (key) VALUES (?)", (key,)))
            out.write(key + "\\n")
            out.flush()

    await asyncio.gather(*(writer(n) for n in range(8)))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def run_and_kill(path: Path, durability: str) -> list[str]:
    """Start the child, SIGKILL it after enough acknowledgements; return every key it acknowledged."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), durability],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    acknowledged: list[str] = []
    try:
        while len(acknowledged) < ACKNOWLEDGEMENTS_BEFORE_KILL:
            line = child.stdout.readline()
            if not line.endswith("\n"):
                _, errors = child.communicate(timeout=10)
                pytest.fail(f"child stopped after {len(acknowledged)} writes: {errors}")
            acknowledged.append(line[:-1])
    finally:
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL
    # Lines printed before the kill are acknowledged too; a cut-off last line is not.
    acknowledged.extend(rest.split("\n")[:-1])
    return acknowledged


@pytest.mark.timeout(60)
@pytest.mark.parametrize("durability", ["normal", "full"])
def test_acknowledged_writes_survive_sigkill(tmp_path: Path, durability: str) -> None:
    path = tmp_path / "crash.db"
    acknowledged = run_and_kill(path, durability)
    assert len(acknowledged) >= ACKNOWLEDGEMENTS_BEFORE_KILL

    async def stored() -> tuple[set[str], str]:
        async with Engine(str(path), durability) as engine:
            keys = engine.read(lambda conn: {row[0] for row in conn.execute("SELECT key FROM probe")})
            integrity = engine.read(lambda conn: conn.execute("PRAGMA integrity_check").fetchone()[0])
            return keys, integrity

    keys, integrity = asyncio.run(stored())
    assert integrity == "ok"
    missing = set(acknowledged) - keys
    assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {sorted(missing)[:5]}"
