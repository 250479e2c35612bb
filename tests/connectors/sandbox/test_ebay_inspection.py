"""Inspection: what a seller has live and what each SKU has seen, in process and over `/_sandbox`."""

from __future__ import annotations

from typing import Any

import requests
from ebay_client import EbayClient

from connectors.sandbox.ebay import EbaySandbox


def test_a_redelivered_sync_shows_one_listing_in_the_ledger(
    ebay: EbaySandbox, seller: str, ebay_client: EbayClient, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    ebay_client.location()
    offer_id, _ = ebay_client.listed("MUG-1", item, offer)
    ebay_client.call("PUT", "/inventory_item/MUG-1", item)
    ebay_client.call("POST", "/offer", {**offer, "sku": "MUG-1"})
    ebay_client.call("POST", f"/offer/{offer_id}/publish")
    counts = ebay.ledger.counts(seller, "MUG-1")
    assert (counts.creates, counts.ends) == (1, 0)
    assert ebay.history(seller, "MUG-1") == {
        "item_created": 1,
        "item_replaced": 1,
        "offer_created": 1,
        "published": 1,
        "revised": 1,
    }
    assert len(ebay.live(seller)) == 1


def test_the_http_views_match_the_in_process_ones(
    shared_ebay: tuple[EbaySandbox, str],
    seller: str,
    ebay_client: EbayClient,
    item: dict[str, Any],
    offer: dict[str, Any],
) -> None:
    sandbox, url = shared_ebay
    ebay_client.location()
    ebay_client.listed("MUG-1", item, offer)
    base = f"{url}/_sandbox/sellers/{seller}"
    assert requests.get(f"{base}/live").json() == sandbox.live(seller)
    assert requests.get(f"{base}/ledger").json() == {"MUG-1": {"creates": 1, "updates": 2, "ends": 0}}
    assert requests.get(f"{base}/inventory").json() == sandbox.inventory(seller)
    assert requests.get(f"{base}/offers").json() == sandbox.offers(seller)
    assert requests.get(f"{base}/locations").json() == ["warehouse-1"]
    assert requests.get(f"{base}/skus/MUG-1").json() == sandbox.sku(seller, "MUG-1")
    assert seller in requests.get(f"{url}/_sandbox/sellers").json()
    assert requests.get(f"{url}/_sandbox/sellers/{seller}/credentials").json() == sandbox.credentials_for(
        seller
    )
    assert requests.get(f"{url}/_sandbox/summary").json()["calls"]["publishOffer"] >= 1


def test_expiring_tokens_over_http_forces_a_refresh(
    shared_ebay: tuple[EbaySandbox, str], ebay_client: EbayClient
) -> None:
    _, url = shared_ebay
    assert requests.post(f"{url}/_sandbox/expire-tokens").status_code == 204
    assert ebay_client.call("GET", "/inventory_item/MUG-1").status_code == 401
