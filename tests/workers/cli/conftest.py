"""CLI fixtures: the console script against a data dir of the test's own (see cli_helpers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import Cli, cli_env


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The CLI on its defaults: a SQLite store created in a fresh data dir on first use."""
    return Cli(cli_env(tmp_path / "data"), tmp_path)


@pytest.fixture
def cli_db(tmp_path: Path, db_url: str) -> Cli:
    """The CLI on `DATABASE_URL` = each of the test databases (SQLite and PostgreSQL)."""
    return Cli(cli_env(tmp_path / "data", DATABASE_URL=db_url), tmp_path)
