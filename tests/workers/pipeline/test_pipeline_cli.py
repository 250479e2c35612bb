"""`listing-sync sync SELLER --wait` with no worker running does the work itself and reports the outcome."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from pipeline_support import SELLER, Shop, make_product

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def run_cli(shop: Shop, redis_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        "REDIS_URL": redis_url,
        "DATABASE_URL": shop.engine.url.render_as_string(hide_password=False),
        "LISTING_SYNC_DATA_DIR": str(tmp_path),
        "LISTING_SYNC_SECRET_KEY": shop.connectors_key,
        "LISTING_SYNC_NAMESPACE": f"ls-cli-{uuid.uuid4().hex[:6]}",  # no worker listens here
    }
    command = [sys.executable, "-m", "workers.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)


def test_sync_wait_without_a_server_works_in_process_and_exits_zero(
    make_shop: Callable[..., Shop], redis_url: str, tmp_path: Path
) -> None:
    shop = make_shop()
    skus = [f"MUG-{i:03d}" for i in range(5)]
    shop.save([make_product(sku) for sku in skus])

    done = run_cli(shop, redis_url, tmp_path, "sync", SELLER, "-m", "amazon", "-m", "ebay", "--wait")

    assert done.returncode == 0, done.stderr
    assert "worked in this process" in done.stdout
    assert "live 5" in done.stdout
    assert shop.live("amazon") == shop.live("ebay") == set(skus)


def test_sync_refuses_an_unknown_marketplace_by_name(
    make_shop: Callable[..., Shop], redis_url: str, tmp_path: Path
) -> None:
    shop = make_shop()
    refused = run_cli(shop, redis_url, tmp_path, "sync", SELLER, "-m", "etsy", "--wait")
    assert refused.returncode == 2
    assert "--marketplace: expected one of amazon, ebay, tmall, got 'etsy'" in refused.stderr
