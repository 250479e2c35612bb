"""The strict schemas: what they add to the model, and the fast check agreeing with jsonschema."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.sandbox.ebay.model import load

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=90),
    st.sampled_from(["NEW", "USED_GOOD", "en_US", "USD", "usd", "GTC", "FIXED_PRICE"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=45), inner, max_size=3),
    max_leaves=8,
)
PATHS = [
    ("condition",),
    ("product", "title"),
    ("product", "aspects"),
    ("product", "aspects", "Brand"),
    ("product", "imageUrls"),
    ("product", "typo"),
    ("availability", "shipToLocationAvailability", "quantity"),
    ("packageWeightAndSize", "weight", "unit"),
]


def _set(document: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    node = changed
    for key in path[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            return changed
    node[path[-1]] = value
    return changed


def test_the_schemas_add_what_the_model_states_in_prose() -> None:
    product = load().schemas.definitions["Product"]["properties"]
    assert product["title"]["maxLength"] == 80
    assert product["aspects"]["type"] == "object"
    assert load().schemas.definitions["Product"]["additionalProperties"] is False
    offer = load().schemas.definitions["EbayOfferDetailsWithKeys"]["properties"]
    assert "EBAY_US" in offer["marketplaceId"]["enum"]
    assert offer["availableQuantity"]["minimum"] == 0


# `item` is only read (each example works on a deep copy), so sharing it between examples is safe.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=JSON)
def test_the_fast_check_agrees_with_jsonschema(
    item: dict[str, Any], path: tuple[str, ...], value: Any
) -> None:
    document = _set(item, path, value)
    schemas = load().schemas
    assert schemas.fast("InventoryItem")(document) == schemas.validator("InventoryItem").is_valid(document)


@settings(max_examples=100, deadline=None)
@given(document=JSON)
def test_the_fast_check_agrees_on_arbitrary_offers(document: Any) -> None:
    schemas = load().schemas
    assert schemas.fast("EbayOfferDetailsWithKeys")(document) == schemas.validator(
        "EbayOfferDetailsWithKeys"
    ).is_valid(document)
