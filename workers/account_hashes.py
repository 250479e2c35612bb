"""What a marketplace account's settings add to the field-group hashes the planner compares and records.

A connector's payload depends on the product and on some settings of the account (Tmall converts every
price with the account's CNY rate table; Amazon names the account's site in every attribute).
`connectors.registry.payload_settings` lists those settings per field group, leaving out any at its
default; here each group's list becomes a digest that is folded into the product's hash of that group. So
a settings change is seen as a change of exactly the groups it affects, and `listings.pushed_hashes`
records what was really sent. An account whose payload settings are all at their defaults folds nothing:
its hashes are the product's own, the ones stored before settings counted.

eBay has one group more, `offer`: the offer's own fields, which only createOffer and updateOffer send (the
product's `ebay.category_id`, and the account's business policies, inventory location and fallback
category). It is built here per product from the category override and the account's `offer` digest, and
is left out when neither is set, so that such a product's hashes stay the four stored ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from hashlib import sha256
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from catalog.hashing import canonical_json
from connectors.registry import payload_settings
from workers.store.models import MarketplaceAccount


def settings_digests(
    marketplace: str, marketplace_ids: Sequence[str], settings: Mapping[str, Any] | None
) -> dict[str, str]:
    """SHA-256 hex digest of each field group's non-default payload settings (groups without any left out)."""
    return {
        group: sha256(canonical_json(values)).hexdigest()
        for group, values in payload_settings(marketplace, marketplace_ids, settings).items()
    }


OFFER = "offer"


@lru_cache(maxsize=4096)  # a catalogue has few categories: planning 100,000 SKUs hashes each once
def offer_hash(category_id: str | None, digest: str | None) -> str | None:
    """eBay's `offer` group hash of one product: its category override with the account's offer settings
    `digest` folded in (None when neither is set)."""
    if not category_id and not digest:
        return None
    own = sha256(canonical_json({"category_id": category_id} if category_id else {})).hexdigest()
    return fold({OFFER: own}, {OFFER: digest} if digest else {})[OFFER]


def for_account(
    marketplace: str, hashes: Mapping[str, str], category_id: str | None, digests: Mapping[str, str]
) -> dict[str, str]:
    """A product's group `hashes` as compared and recorded on an account of `marketplace` whose settings
    digests are `digests`: folded, and on eBay with the `offer` group of the product's `category_id`."""
    folded = fold(hashes, digests)
    value = offer_hash(category_id, digests.get(OFFER)) if marketplace == "ebay" else None
    return folded if value is None else {**folded, OFFER: value}


def account_digests(conn: Connection, seller_id: str, marketplace: str) -> dict[str, str]:
    """`settings_digests` of the seller's stored account on `marketplace` ({} when it is not connected)."""
    row = conn.execute(
        sa.select(MarketplaceAccount.marketplace_ids, MarketplaceAccount.settings).where(
            MarketplaceAccount.seller_id == seller_id, MarketplaceAccount.marketplace == marketplace
        )
    ).one_or_none()
    if row is None:
        return {}
    return settings_digests(marketplace, list(row.marketplace_ids or []), row.settings or {})


def fold(hashes: Mapping[str, str], digests: Mapping[str, str]) -> dict[str, str]:
    """The product's group hashes with each group's settings digest folded in (unchanged without one)."""
    if not digests:
        return dict(hashes)
    return {
        group: sha256(f"{value}:{digests[group]}".encode()).hexdigest() if group in digests else value
        for group, value in hashes.items()
    }
