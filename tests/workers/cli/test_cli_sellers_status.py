from __future__ import annotations

import base64

import pytest
import sqlalchemy as sa
from cli_helpers import Cli

from workers.store import open_engine
from workers.store.sellers import active_webhook_secrets, seller_for_api_key


def test_sellers_add_prints_the_secret_and_key_once_and_stores_them(cli_db: Cli, db_url: str) -> None:
    shown = cli_db.json("sellers", "add", "acme", "--name", "Acme Ltd", "--timezone", "Asia/Shanghai")
    assert set(shown) == {"seller", "webhook_secret", "api_key"}
    assert shown["seller"] == "acme"
    assert len(base64.b64decode(shown["webhook_secret"].removeprefix("whsec_"), validate=True)) == 32
    engine = open_engine(db_url)
    try:
        with engine.connect() as conn:
            assert active_webhook_secrets(conn, "acme") == [shown["webhook_secret"]]
            assert seller_for_api_key(conn, shown["api_key"]) == "acme"
    finally:
        engine.dispose()
    status = cli_db.json("status", "acme")
    assert status["name"] == "Acme Ltd" and status["timezone"] == "Asia/Shanghai"
    assert (status["products"], status["listings"], status["last_run"]) == (0, {}, None)


def test_the_first_command_creates_the_store_in_the_data_dir(cli: Cli) -> None:
    done = cli("sellers", "add", "acme")
    assert done.returncode == 0, done.stderr
    assert "whsec_" in done.stdout and "lsk_" in done.stdout
    store = cli.cwd / "data" / "listing-sync.db"
    assert store.exists()
    engine = open_engine(f"sqlite:///{store}")
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT id FROM sellers")).scalars().all() == ["acme"]
    finally:
        engine.dispose()
    listed = cli.json("sellers", "list")
    assert listed == [{"seller": "acme", "name": "acme", "timezone": "UTC"}]


def test_status_in_text_names_the_seller_and_its_counts(cli: Cli) -> None:
    assert cli("sellers", "add", "acme", "--name", "Acme Ltd").returncode == 0
    done = cli("status", "acme")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:3] == [
        "Seller acme (Acme Ltd), time zone UTC",
        "Products: 0",
        "Listings: none yet",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "ghost"], "unknown seller 'ghost'"),
        (["import", "x.csv", "--seller", "ghost"], "unknown seller 'ghost'"),
        (["sellers", "add", "acme", "--timezone", "Mars/Base"], "timezone: expected an IANA time zone"),
        (["sellers", "add", "bad id"], "seller: expected 1-64 letters"),
        (["status"], "Missing argument 'SELLER'"),
        (["import", "x.csv"], "Missing option '--seller'"),
    ],
)
def test_bad_usage_exits_2_with_the_reason_on_stderr(cli: Cli, args: list[str], message: str) -> None:
    done = cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_adding_a_seller_twice_exits_2(cli: Cli) -> None:
    assert cli("sellers", "add", "acme").returncode == 0
    done = cli("sellers", "add", "acme", "--json")
    assert (done.returncode, done.stdout) == (2, "")
    assert "seller 'acme' already exists" in done.stderr


def test_a_bad_setting_exits_2_naming_the_variable(cli: Cli) -> None:
    done = cli("status", "acme", REDIS_URL="http://x")
    assert done.returncode == 2
    assert "REDIS_URL: expected a redis:// or rediss:// URL, got 'http://x'" in done.stderr


def test_an_unreachable_database_is_reported_without_its_password(cli: Cli) -> None:
    done = cli("status", "acme", DATABASE_URL="postgresql://app:s3cret@127.0.0.1:1/none")
    assert done.returncode == 1
    assert "database postgresql://app:***@127.0.0.1:1/none" in done.stderr
    assert "s3cret" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "command", [[], ["sellers"], ["sellers", "add"], ["sellers", "list"], ["import"], ["status"]]
)
def test_every_command_has_help(cli: Cli, command: list[str]) -> None:
    done = cli(*command, "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and "--help" in done.stdout
