"""What every command shares: settings, the migrated store, and turning known errors into exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer

from workers.settings import Settings, SettingsError, redact_url

if TYPE_CHECKING:
    from sqlalchemy import Engine

#: Exit codes: 2 for bad usage or input (click's own convention), 1 when the work itself failed.
USAGE = 2
FAILED = 1


def fail(message: str, code: int = USAGE) -> NoReturn:
    typer.echo(f"listing-sync: {message}", err=True)
    raise typer.Exit(code)


def read_settings() -> Settings:
    """The settings from the environment; a bad value ends the command with exit code 2."""
    try:
        return Settings.from_env()
    except SettingsError as exc:
        fail(str(exc))


@contextmanager
def store() -> Iterator[Engine]:
    """An engine on the configured database, migrated to head; known errors end the command cleanly."""
    from sqlalchemy.exc import OperationalError

    from workers.store import migrate, open_engine
    from workers.store.errors import (
        DatabaseURLError,
        InvalidValueError,
        SellerExistsError,
        StoreError,
        UnknownSellerError,
    )

    settings = read_settings()
    try:
        engine = open_engine(settings.database_url)
    except DatabaseURLError as exc:
        fail(str(exc))
    try:
        migrate(engine)
        yield engine
    except (UnknownSellerError, SellerExistsError, InvalidValueError) as exc:
        fail(str(exc))
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        fail(f"database {redact_url(settings.database_url)}: {reason}", FAILED)
    except StoreError as exc:
        fail(str(exc), FAILED)
    finally:
        engine.dispose()
