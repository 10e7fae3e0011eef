"""One Settings object for everything a user can configure: command-line flags and MILLPOND_* variables.

Each field is declared once in SETTINGS; the CLI builds its flags from that table and the environment
variables are read from it too, so `--help` always lists every option with its variable.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DURABILITY_LEVELS = ("normal", "full")
LOG_LEVELS = ("debug", "info", "warning", "error")
SQS_QUEUE_URL_STYLES = ("account", "region")


def default_cache_dir() -> Path:
    """Where millpond keeps what it installs once per machine (the AWS CLI, Lambda runtime packages)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "millpond"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path = Path(".millpond")
    in_memory: bool = False
    durability: str = "normal"
    account_id: str = "000000000000"
    region: str = "us-east-1"
    log_level: str = "info"
    kinesis_create_delay: float = 0.0
    kinesis_enforce_limits: bool = False
    enforce_iam: bool = False
    root_access_key_id: str = "test"
    root_secret_access_key: str = "test"
    lambda_idle_timeout: float = 300.0
    lambda_max_idle: int = 32
    lambda_account_concurrency: int = 1000
    lambda_python_dirs: str = ""
    cache_dir: Path = field(default_factory=default_cache_dir)
    aws_cli: str = ""
    moto_api: bool = False
    sqs_queue_url: str = "account"

    @property
    def endpoint_url(self) -> str:
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::1", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def database_path(self) -> str:
        return ":memory:" if self.in_memory else str(self.data_dir / "millpond.db")


@dataclass(frozen=True)
class SettingSpec:
    """How one setting is given: its flag, its environment variable and its help text."""

    name: str
    help: str
    choices: tuple[str, ...] | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env_var(self) -> str:
        return "MILLPOND_" + self.name.upper()


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("host", "address to listen on"),
    SettingSpec("port", "port for every service, the internal API and the console"),
    SettingSpec("data_dir", "directory holding the SQLite database"),
    SettingSpec("in_memory", "keep all state in memory (lost when millpond stops)"),
    SettingSpec(
        "durability",
        "normal: committed before answering (survives kill -9); full: also fsynced (survives power loss)",
        DURABILITY_LEVELS,
    ),
    SettingSpec("account_id", "the AWS account id millpond presents"),
    SettingSpec("region", "the default region for requests that name none"),
    SettingSpec("log_level", "request log verbosity", LOG_LEVELS),
    SettingSpec(
        "kinesis_create_delay",
        "seconds a new Kinesis stream stays CREATING (a resharded one UPDATING); 0: ACTIVE at once",
    ),
    SettingSpec(
        "kinesis_enforce_limits",
        "enforce Kinesis per-shard throughput limits (in: 1 MiB/s, 1,000 records/s; out: 2 MiB/s, 5 calls/s)",
    ),
    SettingSpec(
        "enforce_iam", "check SigV4 signatures and IAM policies on every request (off: any credentials work)"
    ),
    SettingSpec(
        "root_access_key_id", "the account root's access key id (allowed everything under --enforce-iam)"
    ),
    SettingSpec("root_secret_access_key", "the account root's secret access key"),
    SettingSpec(
        "lambda_idle_timeout", "seconds an idle Lambda execution environment is kept warm before it stops"
    ),
    SettingSpec(
        "lambda_max_idle",
        "idle Lambda execution environments kept across all functions (least recently used go)",
    ),
    SettingSpec(
        "lambda_account_concurrency",
        "the account's Lambda concurrent executions limit (ConcurrentExecutions in GetAccountSettings)",
    ),
    SettingSpec(
        "lambda_python_dirs",
        f"folders holding Python interpreters for the pythonX.Y runtimes, separated by {os.pathsep!r} "
        "(PATH, pyenv's and uv's are always searched)",
    ),
    SettingSpec("cache_dir", "where millpond installs what it needs once (AWS CLI, Lambda runtime packages)"),
    SettingSpec(
        "aws_cli", "the `aws` executable `millpond aws` runs (empty: one millpond installs in the cache)"
    ),
    SettingSpec(
        "sqs_queue_url",
        "queue URLs: account (http://host/<account>/<name>) or region, unique per region "
        "(http://host/queue/<region>/<account>/<name>); both forms are always accepted",
        SQS_QUEUE_URL_STYLES,
    ),
    SettingSpec(
        "moto_api",
        "also answer POST /moto-api/reset like /_millpond/reset (moto's server-mode tests reset through it)",
    ),
)

_FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(Settings)}
_TRUE = ("1", "true", "yes", "on")


def _convert(name: str, raw: Any) -> Any:
    kind = _FIELD_TYPES[name]
    if kind == "bool":
        return raw if isinstance(raw, bool) else str(raw).strip().lower() in _TRUE
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "Path":
        return Path(raw)
    return str(raw)


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Defaults, then MILLPOND_* variables, then explicit overrides (flags; None means unset)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for spec in SETTINGS:
        if spec.env_var in env and env[spec.env_var] != "":
            values[spec.name] = _convert(spec.name, env[spec.env_var])
    for name, value in (overrides or {}).items():
        if value is not None:
            values[name] = _convert(name, value)
    settings = Settings(**values)
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    for spec in SETTINGS:
        value = getattr(settings, spec.name)
        if spec.choices and value not in spec.choices:
            raise ValueError(f"{spec.flag} must be one of {', '.join(spec.choices)}, not {value!r}")
    if not (len(settings.account_id) == 12 and settings.account_id.isdigit()):
        raise ValueError(f"--account-id must be 12 digits, not {settings.account_id!r}")
    if not 0 <= settings.port <= 65535:
        raise ValueError(f"--port must be between 0 and 65535, not {settings.port}")
    if not 0 <= settings.kinesis_create_delay <= 3600:
        delay = settings.kinesis_create_delay
        raise ValueError(f"--kinesis-create-delay must be between 0 and 3600 seconds, not {delay}")
    if not 0 < settings.lambda_idle_timeout <= 86400:
        idle = settings.lambda_idle_timeout
        raise ValueError(f"--lambda-idle-timeout must be more than 0 and at most 86400 seconds, not {idle}")
    if not 0 <= settings.lambda_max_idle <= 10_000:
        raise ValueError(f"--lambda-max-idle must be between 0 and 10000, not {settings.lambda_max_idle}")
    if not 1 <= settings.lambda_account_concurrency <= 100_000:
        limit = settings.lambda_account_concurrency
        raise ValueError(f"--lambda-account-concurrency must be between 1 and 100000, not {limit}")
