"""Push N new SKUs to each sandbox marketplace (limits off) by the connector's best path and one call per SKU.

Prints, per marketplace, HTTP calls to the marketplace per SKU and SKUs per second for both, side by side.
The baseline uses each marketplace's single-item endpoints, one call per SKU per step: Amazon putListingsItem;
eBay createOrReplaceInventoryItem, getOffers, createOffer, publishOffer; TOP items.custom.get, picture.upload,
item.add. Token grants count as calls; image downloads (TOP only) are shown apart, being the seller's host.

    PYTHONPATH=. python benchmarks/connectors.py [--skus 10000] [--only amazon,ebay,tmall] [--json]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where connectors.py and fingerprints.py would shadow
# the packages of the same name: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter

from catalog.product import Product
from connectors.base import Action, Change, Connector
from connectors.ebay import INVENTORY, EbayConnector
from connectors.http import dumps, make_session
from connectors.mapping import ebay as ebay_mapping
from connectors.registry import build_connector
from connectors.sandbox.amazon import AmazonSandbox
from connectors.sandbox.ebay import EbaySandbox
from connectors.sandbox.top import TopSandbox
from workers.sandboxes import SANDBOX_SETTINGS, ImageHost

SELLER = "bench-seller"
# The sandbox accounts' settings the demo uses, polling feeds more often for a benchmark.
SETTINGS: dict[str, dict[str, Any]] = {**SANDBOX_SETTINGS, "amazon": {"poll_interval": 0.05}}
SANDBOXES: dict[str, Callable[[], Any]] = {
    "amazon": lambda: AmazonSandbox(limits=False),
    "ebay": lambda: EbaySandbox(limits=False),
    "tmall": lambda: TopSandbox(limits=False),
}


class CountingAdapter(HTTPAdapter):
    """Counts requests per host:port, then sends them as usual."""

    def __init__(self, counts: Counter[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.counts = counts
        self.lock = threading.Lock()

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        with self.lock:
            self.counts[urlsplit(request.url or "").netloc] += 1
        return super().send(request, *args, **kwargs)


def counting_session(counts: Counter[str]) -> requests.Session:
    session = make_session(8)
    session.mount("http://", CountingAdapter(counts, pool_connections=4, pool_maxsize=8, max_retries=0))
    return session


def products(n: int, images: str) -> list[Product]:
    """N distinct, valid products for every marketplace."""
    return [
        Product.model_validate(
            {
                "sku": f"BENCH-{i:06d}",
                "title": f"Stoneware Coffee Mug {i}",
                "description": "A hand-glazed stoneware mug that keeps coffee warm.",
                "brand": "Harbor Clay",
                "gtin": "4006381333931",
                "currency": "USD",
                "price": f"{10 + i % 50}.50",
                "quantity": 1 + i % 40,
                "image_urls": [f"{images}/BENCH-{i:06d}.png"],
                "localized": {
                    "zh-CN": {"title": f"粗陶咖啡杯 {i}", "description": "手工上釉粗陶马克杯，保温。"}
                },
                "amazon": {"product_type": "HOME"},
                "ebay": {"category_id": "20625"},
                "tmall": {"cid": 50023724, "props": "20000:3246379"},
            }
        )
        for i in range(n)
    ]


@dataclass
class Figures:
    marketplace: str
    path: str
    skus: int
    ok: int
    calls: int
    seconds: float
    image_fetches: int = 0

    @property
    def calls_per_sku(self) -> float:
        return self.calls / self.skus

    @property
    def skus_per_second(self) -> float:
        return self.skus / self.seconds


def ebay_one_by_one(connector: EbayConnector, product: Product) -> bool:
    """Create, offer and publish one SKU through the single-item endpoints (the baseline)."""
    http, sku = connector.http, quote(product.sku, safe="")
    headers = connector.write_headers
    item = ebay_mapping.inventory_item(product)
    del item["sku"], item["locale"]  # the single-item call takes the SKU in its path, the locale in a header
    http.request("PUT", f"{INVENTORY}/inventory_item/{sku}", data=dumps(item), headers=headers)
    if connector.find_offer(product.sku) is None:
        body = ebay_mapping.offer(product, connector.settings)
        offer_id = http.json("POST", f"{INVENTORY}/offer", data=dumps(body), headers=headers)["offerId"]
        http.json("POST", f"{INVENTORY}/offer/{offer_id}/publish")
    return True


def run(marketplace: str, items: list[Product], *, baseline: bool) -> Figures:
    counts: Counter[str] = Counter()
    session = counting_session(counts)
    sandbox = SANDBOXES[marketplace]()
    server = sandbox.serve()
    try:
        settings = dict(SETTINGS[marketplace])
        if baseline and marketplace == "amazon":
            settings["feed_threshold"] = len(items) + 1
        connector: Connector = build_connector(
            marketplace,
            endpoint=server.url,
            credentials=sandbox.credentials_for(SELLER),
            settings=settings,
            seller_id=SELLER,
            session=session,
        )
        if isinstance(connector, EbayConnector):
            connector.ensure_location("warehouse-1", "US", "95125")
        counts.clear()
        changes = [Change(Action.CREATE, p.sku, p) for p in items]
        started = time.perf_counter()
        if not baseline:
            ok = sum(r.ok for r in connector.push(changes))
        elif isinstance(connector, EbayConnector):
            ok = sum(ebay_one_by_one(connector, p) for p in items)
        else:
            ok = sum(connector.push([c])[0].ok for c in changes)
        seconds = time.perf_counter() - started
    finally:
        server.stop()
    sandbox_host = urlsplit(server.url).netloc
    images = sum(n for host, n in counts.items() if host != sandbox_host)
    path = "one call per SKU" if baseline else "best path"
    return Figures(marketplace, path, len(items), ok, counts[sandbox_host], seconds, images)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--only", default="amazon,ebay,tmall")
    parser.add_argument("--json", action="store_true", help="also print one JSON line with every figure")
    args = parser.parse_args()
    rows: list[Figures] = []
    host = ImageHost()
    try:
        for marketplace in args.only.split(","):
            # TOP uploads bytes fetched from the local image host; Amazon and eBay are given HTTPS URLs
            images = host.url.rstrip("/") if marketplace == "tmall" else "https://images.example.com"
            items = products(args.skus, images)
            for baseline in (False, True):
                rows.append(run(marketplace, items, baseline=baseline))
                r = rows[-1]
                print(
                    f"{r.marketplace:7} {r.path:17} {r.skus:6} SKUs  {r.ok:6} live  "
                    f"{r.calls:7} calls  {r.calls_per_sku:6.3f} calls/SKU  {r.skus_per_second:8.1f} SKUs/s"
                    + (f"  ({r.image_fetches} image downloads)" if r.image_fetches else ""),
                    flush=True,
                )
    finally:
        host.stop()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        **asdict(r),
                        "calls_per_sku": round(r.calls_per_sku, 4),
                        "skus_per_second": round(r.skus_per_second, 1),
                    }
                    for r in rows
                ]
            )
        )


if __name__ == "__main__":
    main()
