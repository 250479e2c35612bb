"""Run the shipped Alembic migrations programmatically: `migrate(engine)` brings a database to head.

To change the schema, change the models, then write the migration beside the others:

    PYTHONPATH=. python -m workers.store revision "add listings.marketplace_url"

compares the models with a scratch database at head and writes the difference as a new revision to review.

A revision's id is the number its file name starts with. That lets `migrate` see that a database is at head
from the file names and one query, without importing Alembic and every revision script: the cost of every
command's start otherwise.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import OperationalError

from workers.store.db import SQLITE_LOCK_RETRY_SECONDS, is_sqlite_locked, open_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: A revision script's file name: its revision id, an underscore, the message.
REVISION_FILE = re.compile(r"(\d{4})_\w+\.py")

# Any fixed number: PostgreSQL's advisory lock that keeps two processes from migrating at once.
_PG_LOCK_KEY = 0x15_7190


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the shipped migrations, no alembic.ini needed."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the shipped migrations have no head"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

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


def shipped_head() -> str | None:
    """The newest shipped revision as the file names tell it (a test checks that Alembic agrees)."""
    found = (REVISION_FILE.fullmatch(p.name) for p in (MIGRATIONS_DIR / "versions").iterdir())
    return max((m.group(1) for m in found if m), default=None)


def _at_head(engine: Engine) -> bool:
    """Whether the database's one recorded revision is the shipped head; False when unsure."""
    head = shipped_head()
    with engine.connect() as connection:
        if head is None or not inspect(connection).has_table("alembic_version"):
            return False
        recorded = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return recorded == [head]


def _upgrade(engine: Engine, revision: str) -> None:
    # The file names answer for most starts; Alembic's own answer covers the rest.
    if revision == "head" and (_at_head(engine) or current_revision(engine) == head_revision()):
        return
    from alembic import command

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
    from alembic import command

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
