"""`listing-sync worker [--processes N] [--threads N]`: dramatiq workers on the project's broker."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Annotated

import typer

from workers.cli.common import fail
from workers.settings import Settings, SettingsError


def worker(
    processes: Annotated[int, typer.Option("--processes", "-p", min=1, help="Worker processes.")] = 2,
    threads: Annotated[int, typer.Option("--threads", "-t", min=1, help="Threads per process.")] = 8,
) -> None:
    """Run the sync workers until interrupted (Ctrl-C or SIGTERM shut them down cleanly)."""
    from workers.broker import redis_url

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        fail(str(exc))
    # Resolved here, so every worker process uses one broker (an embedded Valkey lives as long as we do).
    env = {**os.environ, "REDIS_URL": redis_url(settings)}
    command = [
        sys.executable,
        "-m",
        "dramatiq",
        "workers.boot",
        "--processes",
        str(processes),
        "--threads",
        str(threads),
    ]
    child = subprocess.Popen(command, env=env)
    try:
        code = child.wait()
    except KeyboardInterrupt:
        code = child.wait()
    raise typer.Exit(code)
