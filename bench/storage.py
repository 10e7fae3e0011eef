"""Storage engine throughput: sequential awaited writes vs many concurrent writers, per durability level.

    .venv/bin/python bench/storage.py [--seconds 2] [--writers 50]

Each write is one small INSERT acknowledged after its COMMIT. "writes/commit" is the group-commit ratio: how
many writes shared one transaction (and, at durability "full", one fsync). A point-read figure is printed
last for comparison. Figures depend on the machine and its disk; compare them on one machine only.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from millpond.storage.engine import MEMORY, Engine

VALUE = "x" * 100


@dataclass(frozen=True)
class Result:
    backend: str
    mode: str
    operations: int
    seconds: float
    commits: int | None

    def row(self) -> str:
        rate = self.operations / self.seconds
        ratio = f"{self.operations / self.commits:.1f}" if self.commits else "-"
        commits = str(self.commits) if self.commits is not None else "-"
        return (
            f"{self.backend:<12} {self.mode:<16} {self.operations:>9} {rate:>11,.0f} {commits:>8} {ratio:>14}"
        )


def insert(key: int) -> Callable[[sqlite3.Connection], object]:
    return lambda conn: conn.execute("INSERT INTO bench (k, v) VALUES (?, ?)", (key, VALUE))


async def run_writers(
    engine: Engine, writers: int, seconds: float, keys: itertools.count[int]
) -> tuple[int, int]:
    """`writers` coroutines each awaiting one write after another for `seconds`; returns (writes, commits)."""
    commits_before = engine.stats.commits
    deadline = time.perf_counter() + seconds
    done = 0

    async def writer() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await engine.write(insert(next(keys)))
            done += 1

    await asyncio.gather(*(writer() for _ in range(writers)))
    return done, engine.stats.commits - commits_before


def run_reads(engine: Engine, seconds: float, upto: int) -> int:
    deadline = time.perf_counter() + seconds
    reads = 0

    def lookup(conn: sqlite3.Connection) -> object:
        return conn.execute("SELECT v FROM bench WHERE k = ?", (reads % upto,)).fetchone()

    while time.perf_counter() < deadline:
        engine.read(lookup)
        reads += 1
    return reads


async def bench_backend(name: str, path: str, durability: str, seconds: float, writers: int) -> list[Result]:
    results = []
    keys = itertools.count()
    async with Engine(path, durability) as engine:
        await engine.write(lambda conn: conn.execute("CREATE TABLE bench (k INTEGER PRIMARY KEY, v TEXT)"))
        for mode, count in (("sequential", 1), (f"{writers} concurrent", writers)):
            started = time.perf_counter()
            writes, commits = await run_writers(engine, count, seconds, keys)
            results.append(Result(name, mode, writes, time.perf_counter() - started, commits))
        started = time.perf_counter()
        reads = run_reads(engine, seconds, upto=next(keys))
        results.append(Result(name, "point reads", reads, time.perf_counter() - started, None))
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=2.0, help="duration of each measurement")
    parser.add_argument(
        "--writers", type=int, default=50, help="concurrent writers in the second measurement"
    )
    args = parser.parse_args()

    print(f"{'backend':<12} {'mode':<16} {'ops':>9} {'ops/s':>11} {'commits':>8} {'writes/commit':>14}")
    with tempfile.TemporaryDirectory(prefix="millpond-bench-") as folder:
        backends = [("memory", MEMORY, "normal")]
        backends += [
            (f"file {level}", str(Path(folder) / f"{level}.db"), level) for level in ("normal", "full")
        ]
        for name, path, durability in backends:
            for result in await bench_backend(name, path, durability, args.seconds, args.writers):
                print(result.row(), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
