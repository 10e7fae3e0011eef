"""`millpond aws SERVICE OPERATION ...`: the AWS CLI against the running millpond.

Every command gets `--endpoint-url` (AWS CLI v1 ignores AWS_ENDPOINT_URL for some services, sqs in
us-east-1 among them) and, where the caller has none, the root's credentials and the default region, so a
command copied from a tutorial runs unchanged. Queue URLs of AWS's own form
(`https://sqs.us-east-1.amazonaws.com/<account>/<name>`) reach millpond too: it resolves a queue from the
URL's path whatever its host. The CLI itself lives in a virtual environment of its own under the cache
folder (it pins its own botocore, so it never shares one with millpond), installed on first use.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Mapping, Sequence
from pathlib import Path

from millpond.config import Settings

# The AWS CLI millpond installs (the one requirements-cli.txt pins for the tests).
AWS_CLI_REQUIREMENT = "awscli==1.46.3"
# Commands that talk to no endpoint: passing --endpoint-url would be wrong or refused.
NO_ENDPOINT = {"configure", "help", "history"}


def managed_cli(settings: Settings) -> Path:
    version = AWS_CLI_REQUIREMENT.split("==")[1]
    return settings.cache_dir / f"aws-cli-{version}" / "bin" / "aws"


def cli_executable(settings: Settings) -> Path:
    return Path(settings.aws_cli) if settings.aws_cli else managed_cli(settings)


def install_cli(settings: Settings) -> Path:
    """The CLI's executable, installed into the cache first if it is not there yet."""
    executable = cli_executable(settings)
    if settings.aws_cli:
        if not executable.exists():
            raise SystemExit(f"millpond: --aws-cli names {executable}, which does not exist")
        return executable
    home = executable.parent.parent
    stamp = home / ".millpond-installed"  # written last: a half-done install is done again
    if stamp.exists() and executable.exists():
        return executable
    print(f"millpond: installing the AWS CLI ({AWS_CLI_REQUIREMENT}) into {home} (once)", file=sys.stderr)
    # Built in place: a virtual environment's scripts name its folder, so it cannot be moved after.
    venv.EnvBuilder(clear=True, with_pip=True).create(home)
    pip = [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run([*pip, AWS_CLI_REQUIREMENT], check=False)
    if done.returncode != 0 or not executable.exists():
        raise SystemExit(f"millpond: installing {AWS_CLI_REQUIREMENT} failed (pip exited {done.returncode})")
    stamp.write_text(AWS_CLI_REQUIREMENT + "\n")
    print(f"millpond: the AWS CLI is ready: {executable}", file=sys.stderr)
    return executable


def client_endpoint(settings: Settings) -> str:
    host = "localhost" if settings.host in ("0.0.0.0", "::", "127.0.0.1", "::1") else settings.host
    return f"http://{host}:{settings.port}"


def cli_arguments(settings: Settings, args: Sequence[str]) -> list[str]:
    """The CLI's arguments: the caller's, with --endpoint-url in front unless it needs none or has one."""
    command = next((arg for arg in args if not arg.startswith("-")), None)
    wants_endpoint = command is not None and command not in NO_ENDPOINT
    has_endpoint = any(arg == "--endpoint-url" or arg.startswith("--endpoint-url=") for arg in args)
    if wants_endpoint and not has_endpoint:
        return ["--endpoint-url", client_endpoint(settings), *args]
    return list(args)


def cli_environment(settings: Settings, environ: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment, with credentials and a region where it gives none."""
    env = dict(environ)
    has_credentials = any(name in env for name in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE"))
    if not has_credentials:
        env["AWS_ACCESS_KEY_ID"] = settings.root_access_key_id
        env["AWS_SECRET_ACCESS_KEY"] = settings.root_secret_access_key
    if not any(env.get(name) for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE")):
        env["AWS_DEFAULT_REGION"] = settings.region
    return env


def run_aws(settings: Settings, args: Sequence[str]) -> int:
    """Replace this process with the AWS CLI (its exit status, prompts and signals are the user's)."""
    executable = install_cli(settings)
    argv = [str(executable), *cli_arguments(settings, args)]
    os.execve(argv[0], argv, cli_environment(settings, os.environ))
    return 0  # not reached
