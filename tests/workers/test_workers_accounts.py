"""Marketplace accounts in the store: encrypted at rest, shown without secrets, made into connectors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from catalog.product import Product
from connectors.base import Action, Change
from connectors.sandbox.amazon import AmazonSandbox
from workers.accounts import (
    AccountError,
    Connectors,
    SecretKeyError,
    UnknownAccountError,
    connected_marketplaces,
    list_accounts,
    save_account,
)
from workers.store.errors import UnknownSellerError
from workers.store.models import MarketplaceAccount
from workers.store.sellers import add_seller

KEY = Fernet.generate_key().decode()
CREDS = {"client_id": "amzn1.app.1", "client_secret": "very-secret-value", "refresh_token": "Atzr|refresh-1"}


@pytest.fixture
def seller(engine):
    with engine.begin() as conn:
        add_seller(conn, "shop-1")
    return "shop-1"


def save(engine, **kw):
    options = {"credentials": CREDS, "secret_key": KEY, "settings": {"seller_id": "A1SELLER"}, **kw}
    with engine.begin() as conn:
        save_account(conn, "shop-1", "amazon", **options)


def test_credentials_are_encrypted_at_rest_and_never_shown(engine, seller):
    save(engine, credentials={**CREDS, "extra": "dropped"})
    with engine.connect() as conn:
        raw = conn.execute(sa.select(MarketplaceAccount.credentials_encrypted)).scalar_one()
        accounts = list_accounts(conn, seller)
        assert connected_marketplaces(conn, seller) == ["amazon"]
    for secret in ("very-secret-value", "Atzr|refresh-1"):
        assert secret.encode() not in raw
        assert secret not in repr(accounts)
    [account] = accounts
    assert account.credential_names == ["client_id", "client_secret", "refresh_token"]
    assert (account.endpoint, account.marketplace_ids) == (
        "https://sellingpartnerapi-na.amazon.com",
        ["ATVPDKIKX0DER"],
    )


def test_a_missing_secret_key_is_a_clear_error(engine, seller):
    with pytest.raises(SecretKeyError, match="LISTING_SYNC_SECRET_KEY is not set"):
        save(engine, secret_key=None)
    with engine.connect() as conn:
        assert list_accounts(conn, seller) == []


def test_another_key_cannot_read_the_credentials(engine, seller):
    save(engine)
    with pytest.raises(SecretKeyError, match="cannot be read"):
        Connectors(engine, Fernet.generate_key().decode()).get(seller, "amazon")


def test_connecting_again_replaces_the_account(engine, seller):
    save(engine, endpoint="http://127.0.0.1:1")
    save(engine, endpoint="http://127.0.0.1:2/")
    with engine.connect() as conn:
        [account] = list_accounts(conn, seller)
    assert account.endpoint == "http://127.0.0.1:2"


def test_bad_input_names_what_to_fix(engine, seller):
    with engine.begin() as conn:
        with pytest.raises(AccountError, match="marketplace"):
            save_account(conn, seller, "etsy", credentials=CREDS, secret_key=KEY)
        with pytest.raises(AccountError, match="refresh_token"):
            save_account(conn, seller, "amazon", credentials={**CREDS, "refresh_token": ""}, secret_key=KEY)
        with pytest.raises(UnknownSellerError):
            save_account(conn, "nobody", "amazon", credentials=CREDS, secret_key=KEY)
    with pytest.raises(UnknownAccountError, match="sellers connect shop-1 ebay"):
        Connectors(engine, KEY).get(seller, "ebay")


def test_the_stored_account_builds_a_working_connector_once(engine, seller):
    sandbox = AmazonSandbox(limits=False)
    server = sandbox.serve()
    try:
        creds = sandbox.credentials_for("A1SELLER")
        save(engine, credentials=creds, endpoint=server.url)
        connectors = Connectors(engine, KEY)
        connector = connectors.get(seller, "amazon")
        assert connectors.get(seller, "amazon") is connector  # cached until the account changes
        product = Product.model_validate(
            {
                "sku": "ACC-1",
                "title": "Stoneware mug",
                "brand": "Harbor Clay",
                "gtin": "4006381333931",
                "currency": "USD",
                "price": "18.50",
                "quantity": 3,
                "image_urls": ["https://images.example.com/acc-1.jpg"],
                "amazon": {"product_type": "HOME"},
            }
        )
        [result] = connector.push([Change(Action.CREATE, "ACC-1", product)])
    finally:
        server.stop()
    assert result.ok, result.error
    assert "ACC-1" in sandbox.listings("A1SELLER")
