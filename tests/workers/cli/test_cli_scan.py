"""`listing-sync scan BRAND` end to end: a real process scans seeded sandboxes over HTTP, works in process
when no server runs, mails each finding once (into the outbox), and names a bad brand or marketplace."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import Cli
from PIL import Image
from scan_support import SECRET_KEY, connect, register_brand, seed
from sqlalchemy import Engine

from connectors.sandbox.run import RunningSandboxes, start_sandboxes

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def sandboxes() -> Iterator[RunningSandboxes]:
    with start_sandboxes(limits=False) as running:
        yield running


def scan_env(redis_url: str) -> dict[str, str]:
    return {
        "REDIS_URL": redis_url,
        "LISTING_SYNC_SECRET_KEY": SECRET_KEY,
        "LISTING_SYNC_ALLOW_PRIVATE_IMAGES": "1",
        "LISTING_SYNC_NAMESPACE": f"ls-scan-{uuid.uuid4().hex[:6]}",  # no worker listens here
    }


def test_scan_works_in_process_records_the_copies_and_mails_them_once(
    cli_db: Cli,
    engine: Engine,
    drawn: list[Image.Image],
    sandboxes: RunningSandboxes,
    redis_url: str,
    tmp_path: Path,
) -> None:
    register_brand(engine, drawn)
    connect(engine, sandboxes)
    seed(sandboxes, drawn, ("ebay", "tmall"))
    env = scan_env(redis_url)

    done = cli_db("scan", "acme", "-m", "ebay", "-m", "tmall", "--json", **env)
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout)
    assert (first["status"], first["in_process"], first["failed"]) == ("done", True, [])
    assert first["totals"]["new_findings"] == 4 and first["totals"]["authorized"] == 2
    assert sorted(first["marketplaces"]) == ["ebay", "tmall"]
    outbox = tmp_path / "data" / "outbox"
    assert len(list(outbox.glob("*.eml"))) == 8  # four findings, two contacts

    again = cli_db("scan", "Acme", "-m", "ebay", "-m", "tmall", **env)
    assert again.returncode == 0, again.stderr
    assert "0 new findings, 0 alerts queued (worked in this process)" in again.stdout
    assert "matches 2  new findings 0" in again.stdout
    assert len(list(outbox.glob("*.eml"))) == 8


def test_scan_names_an_unknown_brand_marketplace_or_missing_scan_account(cli: Cli, redis_url: str) -> None:
    env = scan_env(redis_url)
    refused = cli("scan", "Acme", "-m", "etsy", **env)
    assert refused.returncode == 2
    assert "--marketplace: expected one of amazon, ebay, tmall, got 'etsy'" in refused.stderr
    unknown = cli("scan", "Nope", **env)
    assert unknown.returncode == 2 and "unknown brand 'Nope'" in unknown.stderr
    added = cli("brands", "add", "Acme", "--email", "owner@acme.example", **env)
    assert added.returncode == 0, added.stderr
    no_account = cli("scan", "Acme", "-m", "ebay", **env)
    assert no_account.returncode == 2
    assert "no scan account for ebay" in no_account.stderr and SECRET_KEY not in no_account.stderr
