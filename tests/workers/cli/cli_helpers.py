"""Running the real `listing-sync` console script in a subprocess, for the CLI tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
OUR_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "SMTP_URL",
    "LISTING_SYNC_DATA_DIR",
    "LISTING_SYNC_SECRET_KEY",
    "LISTING_SYNC_ALLOW_PRIVATE_IMAGES",
    "LISTING_SYNC_SCAN_SELLER",
)


def console_script() -> list[str]:
    """The installed `listing-sync` beside this Python, or the same entry point through `-m`."""
    script = Path(sys.executable).parent / "listing-sync"
    return [str(script)] if script.exists() else [sys.executable, "-m", "workers.cli"]


@dataclass
class Cli:
    env: dict[str, str]
    cwd: Path

    def __call__(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*console_script(), *args],
            env={**self.env, **env},
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def json(self, *args: str) -> Any:
        done = self(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OUR_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["LISTING_SYNC_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env
