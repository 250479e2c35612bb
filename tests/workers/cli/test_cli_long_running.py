"""`api` and `scheduler` as real processes: they print where they are, do their work, and stop on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import requests
import sqlalchemy as sa
import yaml
from cli_helpers import ROOT, Cli, console_script

from workers.store import open_engine
from workers.store.models import Seller, SyncRun


@contextmanager
def running(cli: Cli, *args: str, **env: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [*console_script(), *args],
        env={**cli.env, **env},
        cwd=cli.cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=60)


def test_api_prints_its_address_serves_and_stops_on_sigterm(cli: Cli, redis_url: str) -> None:
    added = cli.json("sellers", "add", "shop-1")
    with running(cli, "api", "--port", "0", "--workers", "2", REDIS_URL=redis_url) as api:
        assert api.stdout is not None
        line = api.stdout.readline()
        assert line.startswith("listing-sync API on http://127.0.0.1:"), line
        url = line.split()[3]
        # The socket is open when the address is printed; the worker processes may still be starting.
        assert requests.get(f"{url}/readyz", timeout=60).json()["status"] == "ok"
        listings = requests.get(
            f"{url}/v1/sellers/shop-1/listings",
            headers={"Authorization": f"Bearer {added['api_key']}"},
            timeout=10,
        )
        assert listings.json() == {"items": [], "next_cursor": None}
        assert stop(api) == 0
        assert api.stderr is not None
        assert added["webhook_secret"] not in api.stderr.read()


def test_scheduler_opens_the_due_nightly_run_and_stops_on_sigterm(
    cli: Cli, redis_url: str, tmp_path: Path
) -> None:
    cli.json("sellers", "add", "shop-1", "--timezone", "Asia/Tokyo")
    engine = open_engine(f"sqlite:///{tmp_path / 'data' / 'listing-sync.db'}")
    with engine.begin() as conn:
        conn.execute(sa.update(Seller).values(created_at=sa.func.datetime("now", "-3 days")))
    with running(cli, "scheduler", REDIS_URL=redis_url) as scheduler:
        assert scheduler.stderr is not None
        for line in scheduler.stderr:  # the log says when the run is open; no waiting on the clock
            if "opened for seller shop-1" in line:
                break
        assert stop(scheduler) == 0
    with engine.connect() as conn:
        keys = list(conn.execute(sa.select(SyncRun.idempotency_key)).scalars())
    engine.dispose()
    assert len(keys) == 1 and keys[0].startswith("nightly:shop-1:")


def test_compose_runs_each_role_with_a_command_the_cli_has(cli: Cli) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for role in ("api", "worker", "scheduler"):
        command = compose["services"][role]["command"]
        helped = cli(*command[:1], "--help")
        assert helped.returncode == 0, f"{role}: {helped.stderr}"


def test_serve_runs_everything_other_commands_find_its_broker_and_it_stops_cleanly(
    cli: Cli, tmp_path: Path
) -> None:
    cli.json("sellers", "add", "shop-1")
    record = tmp_path / "data" / "valkey.json"
    with running(cli, "serve", "--port", "0") as serve:  # no REDIS_URL: an embedded Valkey
        assert serve.stdout is not None
        line = serve.stdout.readline()
        assert line.startswith("listing-sync API on http://127.0.0.1:"), line
        url = line.split()[3]
        assert requests.get(f"{url}/readyz", timeout=30).json()["checks"] == {"redis": "ok", "database": "ok"}
        valkey = json.loads(record.read_text())["url"]
        # `sync --wait` finds the broker through the record and waits for serve's workers to do the run.
        synced = cli("sync", "shop-1", "--wait")
        assert synced.returncode == 0, synced.stderr
        assert stop(serve) == 0
    assert not record.exists()
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(valkey, socket_connect_timeout=2).ping()
