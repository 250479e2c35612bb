"""Content hashes: pinned values, stable across processes, and each group moved only by its own fields."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from catalog_helpers import records
from hypothesis import given, settings

from catalog import hashing
from catalog.product import Product

MUG = {
    "sku": "M-1",
    "title": "Mug",
    "currency": "EUR",
    "price": "8",
    "quantity": 0,
    "image_urls": ["https://a.test/m.jpg"],
}
ROOT = Path(__file__).resolve().parents[2]

# Pinned: a change here means every stored hash changes and every listing would be pushed again.
GOLDEN_FULL = {
    "content": "0a3699a68abc42691710e89a277d349a8c7e92d5092008b230c1be2b4b9a93ff",
    "price": "270cab8ec0b7c4490c49264b6d4c0afecbb698dbf6d6b8a1598a8bcd48b31612",
    "quantity": "7c091f355a9c1616c8ef8d1a242761afbeb9707097184062090b8eb4d246248f",
    "images": "9556976ac58bfd48e29b96965083175759e11c13a2f4cd23d501332b6ffd8de3",
}


def test_the_hashes_of_a_full_product_are_pinned(record: dict[str, Any]) -> None:
    assert Product.model_validate(record).content_hashes() == GOLDEN_FULL


def test_a_hash_is_the_sha256_of_the_groups_canonical_json() -> None:
    canonical = {
        "content": b'{"condition":"new","title":"Mug"}',
        "price": b'{"currency":"EUR","price":"8"}',
        "quantity": b'{"quantity":0}',
        "images": b'{"image_urls":["https://a.test/m.jpg"]}',
    }
    assert Product.model_validate(MUG).content_hashes() == {
        group: hashlib.sha256(text).hexdigest() for group, text in canonical.items()
    }


def test_the_full_products_price_group_is_written_as_plain_decimals(record: dict[str, Any]) -> None:
    groups = hashing.groups(Product.model_validate(record))
    assert (
        hashing.canonical_json(groups["price"])
        == b'{"currency":"USD","price":"129.5","tmall":{"price_cny":"899"}}'
    )
    assert hashing.canonical_json(groups["quantity"]) == b'{"amazon":{"quantity_buffer":2},"quantity":14}'


def test_another_process_with_another_hash_seed_gets_the_same_hashes(record: dict[str, Any]) -> None:
    script = (
        "import json, sys\n"
        "from catalog.product import Product\n"
        "print(json.dumps(Product.model_validate(json.loads(sys.stdin.read())).content_hashes()))\n"
    )
    results = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=json.dumps(record),
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        results.append(json.loads(done.stdout))
    assert results == [GOLDEN_FULL, GOLDEN_FULL]


@settings(max_examples=200, deadline=None)
@given(records())
def test_the_fast_serialiser_writes_exactly_the_canonical_json(record: dict[str, Any]) -> None:
    for group in hashing.groups(Product.model_validate(record)).values():
        assert hashing._fast_json(group) == hashing.canonical_json(group)


def test_the_same_product_written_differently_hashes_the_same() -> None:
    base = Product.model_validate(
        {**MUG, "attributes": {"a": "1", "b": "2"}, "localized": {"zh-CN": {"title": "杯"}}}
    ).content_hashes()
    variants: list[dict[str, Any]] = [
        {"price": "8.00"},
        {"price": 8},
        {"currency": "eur"},
        {"attributes": {"b": "2", "a": "1"}},
        {"localized": {"zh-cn": {"title": "杯"}}},
        {"amazon": {}},
        {"ebay": {"enabled": True}},
        {"title": "  Mug  "},
    ]
    for change in variants:
        data = {**MUG, "attributes": {"a": "1", "b": "2"}, "localized": {"zh-CN": {"title": "杯"}}, **change}
        assert Product.model_validate(data).content_hashes() == base, change


def test_each_change_moves_only_the_hash_of_its_group() -> None:
    base = Product.model_validate(MUG).content_hashes()
    changes: dict[str, list[dict[str, Any]]] = {
        "content": [
            {"title": "Mug, large"},
            {"brand": "Kestrel"},
            {"attributes": {"size": "L"}},
            {"amazon": {"enabled": False}},
            {"ebay": {"title": "Mug"}},
            {"tmall": {"cid": 5}},
            {"condition": "refurbished"},
        ],
        "price": [{"price": "8.01"}, {"amazon": {"price": "9"}}, {"tmall": {"price_cny": "60"}}],
        "quantity": [{"quantity": 1}, {"amazon": {"quantity_buffer": 1}}],
        "images": [{"image_urls": ["https://a.test/m.jpg", "https://a.test/n.jpg"]}],
    }
    for group, edits in changes.items():
        for change in edits:
            moved = Product.model_validate({**MUG, **change}).content_hashes()
            assert [g for g in hashing.GROUPS if moved[g] != base[g]] == [group], change


def test_image_order_matters_because_the_first_is_the_main_image() -> None:
    two = ["https://a.test/1.jpg", "https://a.test/2.jpg"]
    first = Product.model_validate({**MUG, "image_urls": two}).content_hashes()["images"]
    swapped = Product.model_validate({**MUG, "image_urls": two[::-1]}).content_hashes()["images"]
    assert first != swapped


def test_canonical_json_refuses_floats_that_are_not_numbers() -> None:
    try:
        hashing.canonical_json({"price": float("nan")})
    except ValueError:
        return
    raise AssertionError("NaN was written")
