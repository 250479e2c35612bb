"""`listing-sync sellers connect` / `sellers show` in a subprocess, against running sandbox marketplaces."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from connectors.sandbox.amazon import AmazonSandbox
from connectors.sandbox.ebay import EbaySandbox
from connectors.sandbox.top import TopSandbox

KEY = Fernet.generate_key().decode()


@pytest.fixture
def sandboxes():
    """Amazon, eBay and TOP sandboxes serving on free ports."""
    made = {
        "amazon": AmazonSandbox(limits=False),
        "ebay": EbaySandbox(limits=False),
        "tmall": TopSandbox(limits=False),
    }
    servers = {name: sandbox.serve() for name, sandbox in made.items()}
    yield {name: (made[name], servers[name].url) for name in made}
    for server in servers.values():
        server.stop()


def test_connect_with_a_sandbox_then_show_without_secrets(cli, sandboxes):
    assert cli("sellers", "add", "shop-1").returncode == 0
    amazon, amazon_url = sandboxes["amazon"]
    ebay, ebay_url = sandboxes["ebay"]
    top, top_url = sandboxes["tmall"]
    for marketplace, url in (("amazon", amazon_url), ("ebay", ebay_url)):
        done = cli("sellers", "connect", "shop-1", marketplace, "--sandbox", url, LISTING_SYNC_SECRET_KEY=KEY)
        assert done.returncode == 0, done.stderr
    rates = ("--setting", 'rates={"USD": "7.12"}')
    done = cli(
        "sellers", "connect", "shop-1", "tmall", "--sandbox", top_url, *rates, LISTING_SYNC_SECRET_KEY=KEY
    )
    assert done.returncode == 0, done.stderr
    top_creds = top.credentials_for("shop-1")
    shown = cli("sellers", "show", "shop-1", "--json")
    assert shown.returncode == 0, shown.stderr
    accounts = {a["marketplace"]: a for a in json.loads(shown.stdout)["accounts"]}
    assert set(accounts) == {"amazon", "ebay", "tmall"}
    assert accounts["amazon"]["endpoint"] == amazon_url
    assert accounts["tmall"]["settings"]["rates"] == {"USD": "7.12"}
    secrets = [
        *(amazon.credentials_for("shop-1")[k] for k in ("client_secret", "refresh_token")),
        *(ebay.credentials_for("shop-1")[k] for k in ("client_secret", "refresh_token")),
        top_creds["app_secret"],
        top_creds["session"],
    ]
    text = cli("sellers", "show", "shop-1").stdout + shown.stdout
    assert not [s for s in secrets if s in text]


def test_a_missing_secret_key_is_a_clear_usage_error(cli, sandboxes):
    assert cli("sellers", "add", "shop-2").returncode == 0
    _, url = sandboxes["amazon"]
    done = cli("sellers", "connect", "shop-2", "amazon", "--sandbox", url)
    assert done.returncode == 2
    assert "LISTING_SYNC_SECRET_KEY is not set" in done.stderr
    assert json.loads(cli("sellers", "show", "shop-2", "--json").stdout)["accounts"] == []


def test_missing_credentials_are_named(cli):
    assert cli("sellers", "add", "shop-3").returncode == 0
    # the secrets may come from the environment, so both routes are named
    done = cli("sellers", "connect", "shop-3", "ebay", "--client-id", "app-1", LISTING_SYNC_SECRET_KEY=KEY)
    assert done.returncode == 2
    assert "--client-secret" in done.stderr and "--refresh-token" in done.stderr
    secrets = {"LISTING_SYNC_CLIENT_SECRET": "cs-from-env", "LISTING_SYNC_REFRESH_TOKEN": "rt-from-env"}
    done = cli(
        "sellers", "connect", "shop-3", "ebay", "--client-id", "app-1", LISTING_SYNC_SECRET_KEY=KEY, **secrets
    )
    assert done.returncode == 0, done.stderr
    [account] = json.loads(cli("sellers", "show", "shop-3", "--json").stdout)["accounts"]
    assert account["endpoint"] == "https://api.ebay.com"
    assert account["credentials"] == ["client_id", "client_secret", "refresh_token"]
