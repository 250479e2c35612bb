"""Run the shipped Alembic migrations programmatically: `migrate(engine)` brings a database to head.

To change the schema, change the models, then write the migration beside the others:

    PYTHONPATH=. python -m workers.store revision "add listings.marketplace_url"

compares the models with a scratch database at head and writes the difference as a new revision to review.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from workers.store.db import SQLITE_LOCK_RETRY_SECONDS, is_sqlite_locked, open_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Any fixed number: PostgreSQL's advisory lock that keeps two processes from migrating at once.
_PG_LOCK_KEY = 0x15_7190


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the shipped migrations, no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the shipped migrations have no head"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to `revision`; a no-op when it is already there, safe to call on every start."""
    deadline = time.monotonic() + SQLITE_LOCK_RETRY_SECONDS
    delay = 0.01
    while True:
        try:
            _upgrade(engine, revision)
            return
        except OperationalError as exc:
            # SQLite can refuse a lock at once instead of waiting when processes start together; the
            # failed upgrade rolled back whole, so trying again is safe.
            if engine.dialect.name != "sqlite" or not is_sqlite_locked(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def _upgrade(engine: Engine, revision: str) -> None:
    if revision == "head" and current_revision(engine) == head_revision():
        return
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # Take the write lock first, so a second process waits and then finds the work done.
            connection = connection.execution_options(sqlite_begin="IMMEDIATE")
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            command.upgrade(alembic_config(connection), revision)


def new_revision(message: str) -> Path:
    """Autogenerate a revision from the difference between the models and the shipped migrations."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = open_engine(f"sqlite:///{scratch}/scratch.db")
        try:
            migrate(engine)
            with engine.begin() as connection:
                config = alembic_config(connection)
                for name, value in (
                    ("hooks", "ruff_format, ruff_fix"),
                    ("ruff_fix.type", "module"),
                    ("ruff_fix.module", "ruff"),
                    ("ruff_fix.options", "check --fix --quiet REVISION_SCRIPT_FILENAME"),
                    ("ruff_format.type", "module"),
                    ("ruff_format.module", "ruff"),
                    ("ruff_format.options", "format --quiet REVISION_SCRIPT_FILENAME"),
                ):
                    config.set_section_option("post_write_hooks", name, value)
                number = f"{int(head_revision()) + 1:04d}"
                script = command.revision(config, message=message, autogenerate=True, rev_id=number)
        finally:
            engine.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
