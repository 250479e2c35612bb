"""`--help` and usage errors start without the heavy dependencies: each command imports them when it runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from cli_helpers import cli_env

from workers.cli import app

#: What only a running command needs: the store, the broker, the connectors, the matcher and their libraries.
HEAVY = {
    "alembic",
    "catalog",
    "connectors",
    "cryptography",
    "dramatiq",
    "fastapi",
    "fingerprints",
    "imagehash",
    "numpy",
    "PIL",
    "psycopg",
    "redis",
    "requests",
    "sqlalchemy",
    "urllib3",
    "uvicorn",
}
#: The project's modules that the command definitions may import.
LIGHT = {"workers", "workers.settings", "workers.values"}
IMPORT_LINE = re.compile(r"import time:\s+\d+ \|\s+\d+ \|\s*(\S+)")


def command_paths(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group of the program, as the words that name it."""
    found = [path]
    for name, sub in getattr(command, "commands", {}).items():
        found += command_paths(sub, (*path, name))
    return found


def imported(args: list[str], tmp_path: Path, code: int) -> set[str]:
    """The modules a real `listing-sync ARGS` imports, from its `-X importtime` report."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "workers.cli", *args],
        env=cli_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == code, done.stderr[-2000:]
    return {m.group(1) for m in map(IMPORT_LINE.fullmatch, done.stderr.splitlines()) if m}


def heavy(modules: set[str]) -> set[str]:
    project = ("workers", "catalog", "connectors", "fingerprints")
    return {
        m
        for m in modules
        if m.split(".")[0] in HEAVY
        or (m.split(".")[0] in project and m not in LIGHT and not m.startswith("workers.cli"))
    }


@pytest.mark.parametrize("path", command_paths(typer.main.get_command(app)), ids=" ".join)
def test_help_imports_only_typer_and_the_command_definitions(path: tuple[str, ...], tmp_path: Path) -> None:
    modules = imported([*path, "--help"], tmp_path, 0)
    assert "workers.cli" in modules
    assert heavy(modules) == set()


@pytest.mark.parametrize(
    "args",
    [
        ["import"],
        ["status"],
        ["sellers", "add"],
        ["findings", "list", "--state", "bogus"],
        ["brands", "update", "Acme"],
        ["no-such-command"],
    ],
    ids=" ".join,
)
def test_a_usage_error_imports_only_typer_and_the_command_definitions(
    args: list[str], tmp_path: Path
) -> None:
    assert heavy(imported(args, tmp_path, 2)) == set()


def test_a_command_that_runs_imports_what_it_needs(tmp_path: Path) -> None:
    assert {"sqlalchemy", "workers.store.sellers"} <= heavy(imported(["sellers", "list"], tmp_path, 0))


def test_only_the_command_that_creates_the_store_imports_alembic(tmp_path: Path) -> None:
    first = imported(["sellers", "list"], tmp_path, 0)
    again = imported(["sellers", "list"], tmp_path, 0)
    assert "alembic" in first
    assert {m for m in again if m.split(".")[0] in ("alembic", "connectors")} == set()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["brands", "list"], 0),
        (["brands", "show", "Nope"], 2),
        (["brands", "update", "Nope", "--policy", "hold"], 2),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else str(value),
)
def test_brand_registry_commands_run_without_the_matcher_or_the_image_libraries(
    args: list[str], code: int, tmp_path: Path
) -> None:
    modules = imported(args, tmp_path, code)
    assert "workers.store.brand_models" in modules  # it ran and read the brands
    assert {m.split(".")[0] for m in modules} & {"fingerprints", "numpy", "PIL", "imagehash"} == set()
