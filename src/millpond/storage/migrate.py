"""Schema migrations: numbered SQL files (`0001_init.sql`, `0002_...`) applied in order, once each.

The files ship inside the package (`millpond/storage/migrations/`) and are found through importlib.resources,
so they load the same from a checkout, a wheel or a zip. Each file runs in its own transaction together with
its row in `schema_migrations`, so a failing file leaves no trace and is retried at the next start.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

MIGRATIONS_TABLE = "schema_migrations"

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

# Created by the engine itself (not by 0001) because it must exist before the first file is recorded.
_BOOKKEEPING = f"""
CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def packaged_migrations() -> Traversable:
    """The `migrations/` folder shipped next to this module."""
    return files(__package__ or "millpond.storage").joinpath("migrations")


def load_migrations(folder: Traversable) -> list[Migration]:
    """Every `NNNN_name.sql` in `folder`, sorted by number; a misnamed or duplicate `.sql` is an error."""
    found: dict[int, Migration] = {}
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _FILE_NAME.match(entry.name)
        if match is None:
            raise ValueError(f"migration file {entry.name!r} is not named NNNN_lowercase_name.sql")
        version = int(match.group(1))
        if version in found:
            raise ValueError(f"two migration files share number {version:04d}: {entry.name!r}")
        found[version] = Migration(version, match.group(2), entry.read_text(encoding="utf-8"))
    return [found[version] for version in sorted(found)]


def split_statements(script: str) -> list[str]:
    """Cut a script into single statements (sqlite3's execute() takes one at a time).

    executescript() is not used because it COMMITs any open transaction first, which would break the
    all-or-nothing application of a file. complete_statement() knows about strings, comments and triggers.
    """
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statements.append(pending)
            pending = ""
    # What follows the last ';' is a comment, whitespace, or a statement missing its ';' (SQLite judges it).
    statements.append(pending[:-1])
    return [s.strip() for s in statements if s.strip().strip(";").strip()]
    return statements


def applied_versions(conn: sqlite3.Connection) -> set[int]:
    return {row[0] for row in conn.execute(f"SELECT version FROM {MIGRATIONS_TABLE}")}


def apply_migrations(conn: sqlite3.Connection, migrations: list[Migration]) -> list[int]:
    """Apply the migrations not yet recorded, in order; return the versions applied now.

    `conn` must be in autocommit mode (isolation_level=None). BEGIN IMMEDIATE takes the write lock before
    the applied set is read, so two processes starting on one file cannot both apply the same file.
    """
    conn.execute(_BOOKKEEPING)
    applied_now: list[int] = []
    for migration in migrations:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if migration.version in applied_versions(conn):
                conn.execute("ROLLBACK")
                continue
            for statement in split_statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                f"INSERT INTO {MIGRATIONS_TABLE} (version, name) VALUES (?, ?)",
                (migration.version, migration.name),
            )
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise RuntimeError(
                    f"migration {migration.version:04d}_{migration.name} failed: {exc}"
                ) from exc
            raise
        applied_now.append(migration.version)
    return applied_now
