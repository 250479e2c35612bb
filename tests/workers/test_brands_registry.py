from __future__ import annotations

import decimal

import pytest
from sqlalchemy import Engine

from workers.brands import (
    BrandChanges,
    BrandExistsError,
    InvalidBrandError,
    SellerRef,
    UnknownBrandError,
    add_brand,
    get_brand,
    list_brands,
    update_brand,
)
from workers.brands.persisted import read_generation
from workers.store.brand_models import BrandPolicy
from workers.store.models import Marketplace


def test_a_brand_is_registered_with_its_contacts_aliases_sellers_and_floor(engine: Engine) -> None:
    with engine.begin() as conn:
        add_brand(
            conn,
            " Acme ",
            emails=["Legal@Acme.EXAMPLE", "legal@acme.example", "ops@acme.example"],
            aliases=["ACME", "Acme Co"],
            authorized=["Good Shop", "ebay:good_shop_1", "id:A1B2C3"],
            policy="HOLD",
            price_floor="19.99",
            currency="usd",
        )
    with engine.connect() as conn:
        info = get_brand(conn, "ACME")
    assert info.name == "Acme"
    assert info.emails == ("Legal@acme.example", "ops@acme.example")
    assert info.aliases == ("Acme Co",)  # the brand's own name is not an alias of it
    assert info.authorized == (
        SellerRef(name="Good Shop"),
        SellerRef(seller_id="good_shop_1", marketplace=Marketplace.EBAY),
        SellerRef(seller_id="A1B2C3"),
    )
    assert (info.policy, info.price_floor, info.currency, info.images) == (
        BrandPolicy.HOLD,
        decimal.Decimal("19.99"),
        "USD",
        0,
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # checks made before any write
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"emails": ["not-an-address"]}, "email"),
        ({"emails": ["a@b.example\nBcc: x@evil.example"]}, "email"),
        ({"emails": []}, "email"),
        ({"policy": "block"}, "policy"),
        ({"price_floor": "19.99"}, "price_floor"),
        ({"price_floor": "-1", "currency": "USD"}, "price_floor"),
        ({"price_floor": "1.23456", "currency": "USD"}, "price_floor"),
        ({"price_floor": "9.99", "currency": "dollars"}, "currency"),
        ({"aliases": ["bad\talias"]}, "alias"),
        ({"authorized": ["ebay:  "]}, "authorized seller"),
    ],
)
def test_bad_values_are_refused_naming_the_brand_and_the_field(
    engine: Engine, changes: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {"emails": ["owner@acme.example"], **changes}
    with pytest.raises(InvalidBrandError) as caught, engine.begin() as conn:
        add_brand(conn, "Acme", **values)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert str(caught.value).startswith(f"brand 'Acme': {field}: ")
    with engine.connect() as conn:
        assert list_brands(conn) == []


def test_a_second_brand_of_the_same_name_ignoring_case_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        add_brand(conn, "Acme", emails=["owner@acme.example"])
    with pytest.raises(BrandExistsError), engine.begin() as conn:
        add_brand(conn, "ACME", emails=["other@acme.example"])


def test_updates_add_and_remove_sellers_and_move_the_index_generation(engine: Engine) -> None:
    with engine.begin() as conn:
        add_brand(conn, "Acme", emails=["owner@acme.example"], authorized=["Good Shop"])
        before = read_generation(conn)
    with engine.begin() as conn:
        info = update_brand(
            conn,
            "acme",
            BrandChanges(
                add_authorized=["tmall:tm-42", "Good Shop"],
                remove_authorized=["good shop", "Good Shop"],
                add_emails=["second@acme.example"],
                policy="hold",
                price_floor="5",
                currency="EUR",
            ),
        )
        after = read_generation(conn)
    assert info.authorized == (SellerRef(seller_id="tm-42", marketplace=Marketplace.TMALL),)
    assert info.emails == ("owner@acme.example", "second@acme.example")
    assert (info.policy, info.price_floor, info.currency) == (BrandPolicy.HOLD, decimal.Decimal("5"), "EUR")
    assert after > before


def test_a_brand_keeps_at_least_one_contact(engine: Engine) -> None:
    with engine.begin() as conn:
        add_brand(conn, "Acme", emails=["owner@acme.example"])
    with pytest.raises(InvalidBrandError, match="at least one contact"), engine.begin() as conn:
        update_brand(conn, "Acme", BrandChanges(remove_emails=["owner@acme.example"]))


def test_an_unknown_brand_is_named_in_the_error(engine: Engine) -> None:
    with pytest.raises(UnknownBrandError, match="unknown brand 'Nope'"), engine.connect() as conn:
        get_brand(conn, "Nope")


@pytest.mark.parametrize(
    ("text", "seller", "marketplace", "allowed"),
    [
        ("Good Shop", "good shop", None, True),
        ("Good Shop", "Good Shop Two", None, False),
        ("ebay:gs1", "gs1", "ebay", True),
        ("ebay:gs1", "gs1", None, True),
        ("ebay:gs1", "gs1", "amazon", False),
        ("ebay:gs1", "GS1", "ebay", False),
        ("id:A1B2", "A1B2", "tmall", True),
        ("Shop: The Best", "shop: the best", None, True),
    ],
)
def test_an_authorised_seller_is_known_by_name_or_by_seller_id(
    text: str, seller: str, marketplace: str | None, allowed: bool
) -> None:
    assert SellerRef.parse(text).allows(seller, marketplace) is allowed


def test_removing_aliases_emails_and_sellers_matches_them_ignoring_case(engine: Engine) -> None:
    with engine.begin() as conn:
        add_brand(
            conn,
            "Acme",
            emails=["Owner@acme.example", "legal@acme.example"],
            aliases=["Acme Co", "ACM"],
            authorized=["Good Shop", "ebay:gs-1"],
            price_floor="19.99",
            currency="USD",
        )
    with engine.begin() as conn:
        info = update_brand(
            conn,
            "Acme",
            BrandChanges(
                remove_emails=["owner@ACME.example"],
                remove_aliases=["acme co", "ACM"],
                add_aliases=["ACM"],  # removing and adding one in the same change removes it
                remove_authorized=["GOOD SHOP", "ebay:gs-1"],
                clear_price_floor=True,
            ),
        )
    assert (info.emails, info.aliases, info.authorized) == (("legal@acme.example",), (), ())
    assert (info.price_floor, info.currency) == (None, None)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # checks made before any write
@pytest.mark.parametrize(
    ("changes", "field", "named"),
    [
        (BrandChanges(remove_emails=["other@acme.example"]), "email", "'other@acme.example'"),
        (BrandChanges(remove_aliases=["Acme Tools"]), "alias", "'Acme Tools'"),
        (BrandChanges(remove_authorized=["ebay:Good Shop"]), "authorized seller", "'ebay:Good Shop'"),
        (BrandChanges(remove_authorized=["id:gs-1"]), "authorized seller", "'id:gs-1'"),
    ],
)
def test_removing_what_a_brand_does_not_have_is_refused_naming_it_and_nothing_changes(
    engine: Engine, changes: BrandChanges, field: str, named: str
) -> None:
    with engine.begin() as conn:
        add_brand(conn, "Acme", emails=["owner@acme.example"], aliases=["ACM"], authorized=["Good Shop"])
        before = get_brand(conn, "Acme")
    changes.add_emails = ["new@acme.example"]
    with pytest.raises(InvalidBrandError) as caught, engine.begin() as conn:
        update_brand(conn, "Acme", changes)
    assert caught.value.field == field
    assert named in str(caught.value)
    with engine.connect() as conn:
        assert get_brand(conn, "Acme") == before
