from __future__ import annotations

import datetime as dt
from decimal import Decimal

from alert_support import listing

from workers.findings import ImageMatch, assess, brand_words_in, material_hash

NAMES = ["Acme", "Acme Tools", "艾克美"]
MATCH = ImageMatch(
    7,
    "/brand/a.jpg",
    0.9,
    {"query_view": "whole"},
    "http://x/l.jpg",
    "ab" * 32,
    dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
)


def test_brand_words_are_found_whatever_their_case_or_width() -> None:
    assert brand_words_in("NEW acme mug", NAMES) == ["Acme"]
    assert brand_words_in("ＡＣＭＥ　ＴＯＯＬＳ set", NAMES) == ["Acme", "Acme Tools"]


def test_a_cjk_brand_word_is_found_inside_unspaced_text() -> None:
    assert brand_words_in("正品艾克美保温杯包邮", NAMES) == ["艾克美"]


def test_a_latin_brand_word_inside_another_word_does_not_count() -> None:
    assert brand_words_in("Acmeless thermos, pacmen", NAMES) == []
    assert brand_words_in("acme保温杯", NAMES) == ["Acme"]


def test_the_score_adds_title_words_and_a_price_far_below_the_floor_to_the_image_match() -> None:
    plain = assess(listing(title="travel mug"), MATCH, brand_names=NAMES)
    named = assess(listing(title="Acme travel mug"), MATCH, brand_names=NAMES)
    cheap = assess(
        listing(title="Acme travel mug", price=Decimal("9.99")),
        MATCH,
        brand_names=NAMES,
        floor=Decimal("40"),
        floor_currency="USD",
    )
    assert plain.score < named.score < cheap.score <= 1.0
    assert cheap.evidence["price_floor"] == {
        "floor": "40",
        "currency": "USD",
        "comparable": True,
        "ratio": 0.2498,
        "far_below": True,
    }
    assert len(cheap.reasons) == 3 and "25% of the brand's floor" in cheap.reasons[2]


def test_a_price_in_another_currency_is_not_compared_with_the_floor() -> None:
    found = assess(
        listing(currency="CNY"), MATCH, brand_names=NAMES, floor=Decimal("40"), floor_currency="USD"
    )
    assert found.evidence["price_floor"]["comparable"] is False
    assert not any("floor" in reason for reason in found.reasons)


def test_the_evidence_keeps_the_image_the_listing_and_the_fetch() -> None:
    ev = assess(listing(), MATCH, brand_names=NAMES).evidence
    assert ev["brand_image"] == {"id": 7, "source": "/brand/a.jpg"}
    assert ev["listing_image"] == {
        "url": "http://x/l.jpg",
        "sha256": "ab" * 32,
        "fetched_at": "2026-01-01T00:00:00+00:00",
    }
    assert (ev["title"], ev["seller"], ev["price"], ev["currency"]) == (
        "ACME travel mug, best price",
        "cheap-deals",
        "9.99",
        "USD",
    )


def test_the_material_hash_ignores_cosmetic_changes_and_follows_real_ones() -> None:
    base = material_hash("ab", "Acme  mug ", Decimal("10.0"), "usd", "s")
    assert base == material_hash("ab", "Acme mug", Decimal("10.00"), "USD", "s")
    for changed in (
        material_hash("cd", "Acme mug", Decimal("10"), "USD", "s"),
        material_hash("ab", "Acme mug XL", Decimal("10"), "USD", "s"),
        material_hash("ab", "Acme mug", Decimal("8"), "USD", "s"),
        material_hash("ab", "Acme mug", Decimal("10"), "USD", "other"),
    ):
        assert changed != base
