"""Engines for SQLite (WAL, foreign keys on) and PostgreSQL (psycopg 3), and the column types they share."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.types import TypeDecorator

from workers.settings import redact_url
from workers.store.errors import DatabaseURLError

#: How long SQLite lock races (WAL switch, concurrent migrations) are retried before giving up.
SQLITE_LOCK_RETRY_SECONDS = 30.0

#: JSON that PostgreSQL stores as jsonb (indexable, compact) and SQLite as text.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class RawJSON(str):
    """JSON text serialised already (e.g. by pydantic's fast serialiser): written to a JSON column as is."""


def _json_serializer(value: Any) -> str:
    return str(value) if isinstance(value, RawJSON) else json.dumps(value)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite keeps no zone, so store naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (UTC)")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def normalize_url(url: str) -> URL:
    """A SQLAlchemy URL for `url`: PostgreSQL goes through psycopg 3, SQLite through the stdlib driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseURLError(f"database URL {redact_url(url)!r} cannot be parsed") from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite")
    raise DatabaseURLError(f"database URL {redact_url(url)!r}: expected sqlite:// or postgresql://")


def open_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; for a SQLite file, its folder is created and each connection set up."""
    parsed = normalize_url(url)
    kwargs.setdefault("json_serializer", _json_serializer)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _sqlite_on_begin):
    # the module's own handling defers BEGIN and does not cover DDL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=10000")
        _enable_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable across app crashes in WAL mode
    finally:
        cursor.close()


def _enable_wal(cursor: Any) -> None:
    """Switch a database file to WAL once; retried, since SQLite refuses the switch at once (no busy wait)
    while another connection holds a lock, as when several processes open a new store together."""
    deadline = time.monotonic() + SQLITE_LOCK_RETRY_SECONDS
    delay = 0.005
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not is_sqlite_locked(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def is_sqlite_locked(exc: BaseException) -> bool:
    """Whether `exc` (a sqlite3 or SQLAlchemy error) is SQLite's "database is locked"."""
    return "database is locked" in str(getattr(exc, "orig", exc))


def _sqlite_on_begin(connection: Connection) -> None:
    # `execution_options(sqlite_begin="IMMEDIATE")` takes the write lock up front, for read-then-write work.
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
        raise ValueError(f"sqlite_begin: expected DEFERRED, IMMEDIATE or EXCLUSIVE, got {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}")
