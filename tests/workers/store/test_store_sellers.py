from __future__ import annotations

import base64

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from workers.store.errors import InvalidValueError, SellerExistsError, UnknownSellerError
from workers.store.models import ApiKey
from workers.store.sellers import (
    active_webhook_secrets,
    add_seller,
    add_webhook_secret,
    get_seller,
    hash_api_key,
    list_sellers,
    retire_webhook_secrets,
    revoke_api_key,
    seller_for_api_key,
)


def test_a_new_seller_gets_a_standard_webhooks_secret_and_an_api_key(engine: Engine) -> None:
    with engine.begin() as conn:
        new = add_seller(conn, "acme", name="Acme Ltd", timezone="America/New_York")
    assert new.seller.name == "Acme Ltd" and new.seller.timezone == "America/New_York"
    assert new.webhook_secret.startswith("whsec_")
    assert len(base64.b64decode(new.webhook_secret.removeprefix("whsec_"), validate=True)) == 32
    with engine.connect() as conn:
        assert get_seller(conn, "acme") == new.seller
        assert active_webhook_secrets(conn, "acme") == [new.webhook_secret]
        assert seller_for_api_key(conn, new.api_key) == "acme"
        assert seller_for_api_key(conn, new.api_key + "x") is None


def test_the_api_key_is_stored_only_as_its_hash(engine: Engine) -> None:
    with engine.begin() as conn:
        new = add_seller(conn, "acme")
    with engine.connect() as conn:
        stored = conn.execute(sa.select(ApiKey.key_hash, ApiKey.prefix)).one()
    assert stored.key_hash == hash_api_key(new.api_key) != new.api_key
    assert new.api_key.startswith(stored.prefix) and len(stored.prefix) < len(new.api_key) // 2


def test_the_name_defaults_to_the_id_and_the_timezone_to_utc(engine: Engine) -> None:
    with engine.begin() as conn:
        new = add_seller(conn, "shop-1")
    assert (new.seller.name, new.seller.timezone) == ("shop-1", "UTC")


def test_adding_a_seller_twice_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        add_seller(conn, "acme")
    with pytest.raises(SellerExistsError, match="'acme' already exists"), engine.begin() as conn:
        add_seller(conn, "acme")
    with engine.connect() as conn:
        assert [s.id for s in list_sellers(conn)] == ["acme"]


@pytest.mark.parametrize(
    ("seller_id", "timezone", "field"),
    [
        ("acme", "Mars/Olympus", "timezone"),
        ("acme", "../etc", "timezone"),
        ("a b", "UTC", "seller"),
        ("", "UTC", "seller"),
    ],
)
def test_bad_values_name_the_field(engine: Engine, seller_id: str, timezone: str, field: str) -> None:
    with pytest.raises(InvalidValueError) as caught, engine.begin() as conn:
        add_seller(conn, seller_id, timezone=timezone)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: expected")


def test_an_unknown_seller_is_named_in_the_error(engine: Engine) -> None:
    with pytest.raises(UnknownSellerError, match="unknown seller 'ghost'"), engine.connect() as conn:
        get_seller(conn, "ghost")


def test_two_secrets_are_active_while_one_rotates(engine: Engine) -> None:
    with engine.begin() as conn:
        old = add_seller(conn, "acme").webhook_secret
        new = add_webhook_secret(conn, "acme")
    with engine.begin() as conn:
        assert active_webhook_secrets(conn, "acme") == [new, old]
        assert retire_webhook_secrets(conn, "acme", keep=new) == 1
    with engine.connect() as conn:
        assert active_webhook_secrets(conn, "acme") == [new]


def test_a_revoked_api_key_no_longer_names_its_seller(engine: Engine) -> None:
    with engine.begin() as conn:
        key = add_seller(conn, "acme").api_key
        assert revoke_api_key(conn, key)
        assert not revoke_api_key(conn, key)
        assert seller_for_api_key(conn, key) is None
