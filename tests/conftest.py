"""Shared fixtures: real Redis (or an embedded Valkey), migrated, empty SQLite and PostgreSQL databases, and
real SMTP servers (aiosmtpd on 127.0.0.1) that keep what they receive."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from smtp_support import SelfSignedCert, SmtpServer, make_certificate
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from workers.store import migrate, open_engine

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """Redis at REDIS_URL when set, otherwise an embedded Valkey for the session (use your own key prefix)."""
    if url := os.environ.get("REDIS_URL"):
        yield url
        return
    from workers.broker import start_valkey

    server = start_valkey()
    try:
        yield server.connection_url
    finally:
        server.stop()


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """TEST_DATABASE_URL, checked once: unreachable skips PostgreSQL tests, or fails them when CI is set."""
    url = _libpq_url(os.environ.get("TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL)
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at TEST_DATABASE_URL is unreachable: {str(exc).splitlines()[0]}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return url


def _admin(admin_url: str, sql: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def _database_url(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> Iterator[str]:
    """A migrated database, made once per session, that each test's database is copied from."""
    name = f"ls_tpl_{uuid.uuid4().hex[:12]}"
    _admin(postgres_admin_url, f'CREATE DATABASE "{name}"')
    try:
        engine = open_engine(_database_url(postgres_admin_url, name))
        migrate(engine)
        engine.dispose()
        yield name
    finally:
        _admin(postgres_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = open_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a migrated, empty database of its own, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin_url: str = request.getfixturevalue("postgres_admin_url")
    template: str = request.getfixturevalue("postgres_template")
    name = f"ls_test_{uuid.uuid4().hex[:12]}"
    _admin(admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _database_url(admin_url, name)
    finally:
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory: pytest.TempPathFactory) -> SelfSignedCert:
    """A self-signed certificate for 127.0.0.1, with client and server SSL contexts that trust it."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp_server_factory(tls_certificate: SelfSignedCert) -> Iterator[Callable[..., SmtpServer]]:
    """Start SMTP servers on free ports: `factory(starttls=..., implicit_tls=..., login=(user, password),
    refuse=[addresses answered 550])`; each keeps the messages it accepted and stops after the test."""
    started: list[SmtpServer] = []

    def factory(**options: object) -> SmtpServer:
        server = SmtpServer(tls_certificate, **options)  # type: ignore[arg-type]
        started.append(server.start())
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory: Callable[..., SmtpServer]) -> SmtpServer:
    """A plain SMTP server on 127.0.0.1 (a free port) keeping what it receives."""
    return smtp_server_factory()
