"""Product -> TOP item parameters: golden payload, Chinese titles, CNY conversion and rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.errors import PermanentError
from connectors.mapping import tmall
from connectors.mapping.money import RateTable, Rounding

RATES = RateTable(rates={"USD": Decimal("7.1234"), "EUR": Decimal("7.80")})
SETTINGS = tmall.ItemSettings(rates=RATES)


def test_a_full_product_projects_to_the_golden_parameters(make_product, golden):
    golden("tmall_item_add_full", tmall.item_params(make_product(), SETTINGS))


def test_the_price_converts_to_yuan_with_the_rate_table(make_product):
    assert tmall.item_params(make_product(price="18.50"), SETTINGS)["price"] == "131.78"  # 131.7829


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [(Rounding.CENT, "131.78"), (Rounding.YUAN, "132.00"), (Rounding.CEIL_YUAN, "132.00")],
)
def test_the_rounding_rule_applies(make_product, rounding, expected):
    settings = tmall.ItemSettings(rates=RateTable(rates=RATES.rates, rounding=rounding))
    assert tmall.item_params(make_product(price="18.50"), settings)["price"] == expected


def test_a_cny_override_wins_over_conversion(make_product):
    p = make_product(tmall={"cid": 1, "price_cny": "99.90"})
    assert tmall.item_params(p, SETTINGS)["price"] == "99.90"


def test_a_missing_rate_names_the_field_to_set(make_product):
    with pytest.raises(PermanentError) as info:
        tmall.item_params(make_product(currency="GBP"), SETTINGS)
    assert info.value.field == "tmall.price_cny"


def test_a_missing_chinese_title_names_the_field_to_set(make_product):
    with pytest.raises(PermanentError) as info:
        tmall.item_params(make_product(localized={}), SETTINGS)
    assert info.value.field == "localized.zh-CN.title"
    assert "Chinese title" in str(info.value)


def test_a_title_over_thirty_chinese_characters_is_refused(make_product):
    long = {"zh-CN": {"title": "好" * 31, "description": "一个足够长的描述。"}}
    with pytest.raises(PermanentError) as info:
        tmall.item_params(make_product(localized=long), SETTINGS)
    assert info.value.field == "localized.zh-CN.title"
    assert info.value.code == "TITLE_TOO_LONG"


def test_thirty_chinese_characters_fit_exactly(make_product):
    fits = {"zh-CN": {"title": "好" * 30, "description": "一个足够长的描述。"}}
    assert tmall.item_params(make_product(localized=fits), SETTINGS)["title"] == "好" * 30


def test_a_missing_category_names_the_field_to_set(make_product):
    with pytest.raises(PermanentError) as info:
        tmall.item_params(make_product(tmall=None), SETTINGS)
    assert info.value.field == "tmall.cid"
