"""The sync engine end to end against the three sandboxes, each figure beside its target.

(a) first sync of N SKUs (default 10,000) to all three sandboxes with their documented limits on: wall time
    next to the floor those limits imply (target <= 1.25x), and throttled answers (target 0).
(b) nightly re-sync of M unchanged SKUs (default 100,000): marketplace writes (target 0), wall time (<= 30 s).
(c) a quantity-to-zero change on a warm system, sent as a signed webhook to the seller API, until every
    sandbox shows it: p50 and p95 (target p95 <= 1 s).
(d) webhook intake with 64 concurrent senders: requests/s and p99 (targets >= 1,000/s, p99 <= 50 ms), measured
    by `benchmarks/webhooks.py` (the API served as `listing-sync api` serves it), run as a separate process.

Workers run in this process (one dramatiq Worker, `--threads`), on Redis at REDIS_URL or an embedded Valkey;
the store is SQLite in a temporary folder, or DATABASE_URL.

    PYTHONPATH=. python benchmarks/sync.py [--only a,b,c,d] [--skus 10000] [--nightly-skus 100000] [--json]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where connectors.py and fingerprints.py would shadow
# the packages of the same name: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from typing import Any

import dramatiq
import sqlalchemy as sa
from cryptography.fernet import Fernet

from benchmarks import services
from catalog.product import Product
from connectors.sandbox.amazon import AmazonSandbox
from connectors.sandbox.ebay import EbaySandbox
from connectors.sandbox.run import RunningSandboxes
from connectors.sandbox.top import TopSandbox
from workers.account_hashes import account_digests, for_account
from workers.broker import ListingSyncBroker, setup_broker
from workers.context import Context, attach, writing
from workers.runs import open_run, run_progress, start_run
from workers.sandboxes import IMAGE_HOST, ImageHost, ImageHostAdapter, connect_sandboxes
from workers.settings import Settings
from workers.store import migrate, open_engine
from workers.store.db import utcnow
from workers.store.models import Listing, ListingStatus
from workers.store.products import ProductRecord, save_products
from workers.store.sellers import add_seller
from workers.throttle import AMAZON

MARKETPLACES = ("amazon", "ebay", "tmall")
TOP_METHOD_RATE, TOP_METHOD_BURST = 5.0, 5  # what the TOP sandbox enforces per seller and method


def product(i: int, **fields: Any) -> Product:
    sku = f"BENCH-{i:06d}"
    data: dict[str, Any] = {
        "sku": sku,
        "title": f"Stoneware Coffee Mug {i}",
        "description": "A hand-glazed stoneware mug that keeps coffee warm.",
        "brand": "Harbor Clay",
        "gtin": "4006381333931",
        "currency": "USD",
        "price": f"{10 + i % 50}.50",
        "quantity": 1 + i % 40,
        "image_urls": [f"{IMAGE_HOST}{sku}.png"],
        "localized": {"zh-CN": {"title": f"粗陶咖啡杯 {i}", "description": "手工上釉粗陶马克杯，保温。"}},
        "amazon": {"product_type": "HOME"},
        "ebay": {"category_id": "20625"},
        "tmall": {"cid": 50023724, "props": "20000:3246379"},
    }
    data.update(fields)
    return Product.model_validate(data)


class Bench:
    """One seller on fresh sandboxes, a fresh store and an in-process worker."""

    def __init__(
        self, broker: ListingSyncBroker, redis_url: str, folder: Path, images: ImageHost, threads: int
    ):
        self.seller = f"bench-{uuid.uuid4().hex[:6]}"
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / (self.seller + '.db')}"
        self.engine = open_engine(url)
        migrate(self.engine)
        key = Fernet.generate_key().decode()
        settings = Settings(data_dir=folder, database_url=url, secret_key=key)
        self.context = Context.build(
            settings,
            redis_url,
            prefix=broker.namespace,
            engine=self.engine,
            mounts={IMAGE_HOST: ImageHostAdapter(images.url)},
        )
        attach(broker, self.context)
        # TOP's test-environment quota (5,000 calls a day) is far below a 10,000-SKU catalogue; production
        # apps get more, so the quota is raised while the per-second limits stay as documented.
        self.sandboxes = RunningSandboxes(
            amazon=AmazonSandbox(), ebay=EbaySandbox(), tmall=TopSandbox(daily_quota=10**9)
        )
        for name in MARKETPLACES:
            self.sandboxes.servers[name] = self.sandboxes.sandbox(name).serve()
        with writing(self.engine) as conn:
            self.webhook_secret = add_seller(conn, self.seller).webhook_secret
        connect_sandboxes(self.engine, self.seller, self.sandboxes, key)
        self.worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
        self.worker.start()

    def save(self, products: list[Product]) -> None:
        for start in range(0, len(products), 2000):
            with writing(self.engine) as conn:
                save_products(
                    conn, self.seller, [ProductRecord.from_product(p) for p in products[start : start + 2000]]
                )

    def run(self, kind: str = "manual", **scope: Any) -> tuple[str, float]:
        """Open and start a run, wait for it to close; (status, seconds)."""
        began = time.perf_counter()
        with writing(self.engine) as conn:
            run_id = open_run(conn, self.seller, kind=kind, **scope)
        start_run(run_id)
        while True:
            with self.engine.connect() as conn:
                status = run_progress(conn, run_id)["status"]
            if status in ("done", "failed"):
                return status, time.perf_counter() - began
            time.sleep(0.1)  # reading progress is not free: a long run must not compete with its workers

    def throttled(self) -> int:
        return sum(self.sandboxes.sandbox(m).limiter.throttled for m in MARKETPLACES)

    def writes(self) -> int:
        return sum(self.sandboxes.sandbox(m).ledger.total_writes() for m in MARKETPLACES)

    def close(self) -> None:
        self.worker.stop()
        self.sandboxes.stop()
        self.engine.dispose()


def floor_seconds(n: int) -> dict[str, float]:
    """The least time each marketplace's documented limits allow for a first sync of n SKUs.

    TOP: every SKU needs one taobao.picture.upload and one taobao.item.add, each limited per seller and method
    (the two run side by side); the outer_id lookups take 40 SKUs a call. Amazon: n SKUs in ceil(n/10,000)
    feeds, each a createFeedDocument, createFeed and getFeedDocument, all within their bursts. eBay: no
    per-second limit.
    """
    top = max(0, n - TOP_METHOD_BURST) / TOP_METHOD_RATE
    feeds = -(-n // 10_000)
    amazon = max(0, feeds - AMAZON["createFeed"].burst) / AMAZON["createFeed"].per_second
    return {"amazon": amazon, "ebay": 0.0, "tmall": top}


def bench_first_sync(b: Bench, n: int) -> dict[str, Any]:
    b.save([product(i) for i in range(n)])
    status, seconds = b.run()
    live = {
        "amazon": len(b.sandboxes.amazon.listings(b.seller)),
        "ebay": len(b.sandboxes.ebay.live(b.seller)),
        "tmall": len(b.sandboxes.tmall.live(b.seller)),
    }
    floor = max(floor_seconds(n).values())
    return {
        "skus": n,
        "status": status,
        "seconds": round(seconds, 2),
        "floor_seconds": round(floor, 2),
        "ratio": round(seconds / floor, 3) if floor else None,
        "throttled": b.throttled(),
        "live": live,
    }


def seed_synced(b: Bench, n: int) -> None:
    """n products stored and recorded as pushed everywhere (what a finished first sync leaves: the hashes
    folded with each account's payload settings, eBay's with its offer group)."""
    products = [product(i) for i in range(n)]
    b.save(products)
    now = utcnow()
    for marketplace in MARKETPLACES:
        with b.engine.connect() as conn:
            digests = account_digests(conn, b.seller, marketplace)
        for start in range(0, n, 5000):
            rows = [
                {
                    "seller_id": b.seller,
                    "marketplace": marketplace,
                    "sku": p.sku,
                    "status": ListingStatus.LIVE,
                    "remote_ids": {},
                    "pushed_hashes": for_account(
                        marketplace, p.content_hashes(), p.ebay.category_id if p.ebay else None, digests
                    ),
                    "attempts": 1,
                    "updated_at": now,
                }
                for p in products[start : start + 5000]
            ]
            with writing(b.engine) as conn:
                conn.execute(sa.insert(Listing), rows)


def bench_nightly(b: Bench, n: int) -> dict[str, Any]:
    """The re-sync part of a nightly run: plan n unchanged SKUs for three marketplaces, write nothing.

    The sandboxes do not hold these n listings (pushing 100,000 SKUs through TOP at its documented rate takes
    hours), so the nightly drift read-back is measured apart, by `bench_drift`, on a catalogue that is live.
    """
    seed_synced(b, n)
    writes = b.writes()
    status, seconds = b.run(kind="manual")
    return {"skus": n, "status": status, "seconds": round(seconds, 2), "writes": b.writes() - writes}


def bench_drift(b: Bench, n: int = 40) -> dict[str, Any]:
    """The nightly drift check on n SKUs synced for real: sampled reads at the documented rates."""
    from workers.drift import repair_drift

    b.save([product(i) for i in range(n)])
    b.run()
    writes = b.writes()
    began = time.perf_counter()
    reports = repair_drift(b.context, b.seller, MARKETPLACES, seed=1)
    seconds = time.perf_counter() - began
    return {
        "skus": n,
        "seconds": round(seconds, 2),
        "reads": sum(r.checked + r.unreadable for r in reports.values()),
        "drifted": sum(len(r.drifted) for r in reports.values()),
        "writes": b.writes() - writes,
        "throttled": b.throttled(),
    }


def bench_stock_out(b: Bench, rounds: int) -> dict[str, Any]:
    """Quantity changes sent as signed `catalog.updated` webhooks to the seller API (served in this process
    on a free port), timed from the request until all three sandboxes show the new quantity."""
    import datetime as dt

    import requests
    from standardwebhooks import Webhook

    from connectors.sandbox.server import BackgroundServer
    from workers.api.app import create_app
    from workers.api.deps import Services

    api = BackgroundServer(
        create_app(Services(b.engine, b.context.redis)), "127.0.0.1", 0, name="api"
    ).start()
    session = requests.Session()
    signer = Webhook(b.webhook_secret)
    warm = [product(i) for i in range(20)]
    b.save(warm)
    b.run()
    times: list[float] = []
    try:
        for r in range(rounds):
            i = r % len(warm)
            sku = warm[i].sku
            quantity = 0 if r // len(warm) % 2 == 0 else 7
            record = product(i, quantity=quantity).model_dump(mode="json", exclude_none=True)
            body = json.dumps(
                {"type": "catalog.updated", "timestamp": utcnow().isoformat(), "data": {"products": [record]}}
            )
            webhook_id = f"msg_{uuid.uuid4().hex}"
            began = time.perf_counter()
            sent = dt.datetime.now(dt.UTC)
            answer = session.post(
                f"{api.url}/v1/sellers/{b.seller}/webhooks",
                data=body.encode(),
                headers={
                    "webhook-id": webhook_id,
                    "webhook-timestamp": str(int(sent.timestamp())),
                    "webhook-signature": signer.sign(webhook_id, sent, body),
                    "content-type": "application/json",
                },
                timeout=10,
            )
            if answer.status_code != 202:
                raise RuntimeError(f"webhook answered {answer.status_code}: {answer.text[:300]}")
            while not all(seen(b, m, sku, quantity) for m in MARKETPLACES):
                time.sleep(0.002)
            times.append(time.perf_counter() - began)
    finally:
        api.stop()
    times.sort()
    return {
        "rounds": rounds,
        "p50_seconds": round(statistics.median(times), 3),
        "p95_seconds": round(times[max(0, round(0.95 * len(times)) - 1)], 3),
    }


def seen(b: Bench, marketplace: str, sku: str, quantity: int) -> bool:
    if marketplace == "amazon":
        listing = b.sandboxes.amazon.listing(b.seller, sku) or {}
        return ((listing.get("fulfillmentAvailability") or [{}])[0]).get("quantity") == quantity
    if marketplace == "ebay":
        return any(x["sku"] == sku and x["quantity"] == quantity for x in b.sandboxes.ebay.live(b.seller))
    return any(int(x.get("num", -1)) == quantity for x in b.sandboxes.tmall.items_of(b.seller, sku))


def bench_intake() -> dict[str, Any]:
    """(d), in a process of its own: it serves the API and runs client processes itself."""
    import subprocess

    script = Path(__file__).resolve().parent / "webhooks.py"
    done = subprocess.run([sys.executable, str(script), "--json"], capture_output=True, text=True, check=True)
    *lines, last = done.stdout.strip().splitlines()
    print("\n".join(lines), flush=True)
    figures: dict[str, Any] = json.loads(last)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="a,b,c,d")
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--nightly-skus", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    redis_url = services.redis_url()
    broker = setup_broker(redis_url, namespace=f"bench-{uuid.uuid4().hex[:6]}")
    figures: dict[str, Any] = {}
    images = ImageHost()
    with tempfile.TemporaryDirectory() as folder:
        for part in args.only.split(","):
            if part == "d":
                figures["d"] = bench_intake()
                continue
            b = Bench(broker, redis_url, Path(folder), images, args.threads)
            try:
                if part == "a":
                    f = figures["a"] = bench_first_sync(b, args.skus)
                    print(
                        f"(a) first sync of {f['skus']:,} SKUs, limits on: {f['seconds']:.1f} s, floor "
                        f"{f['floor_seconds']:.1f} s, {f['ratio']}x (target <= 1.25x); throttled answers "
                        f"{f['throttled']} (target 0); live {f['live']}; run {f['status']}",
                        flush=True,
                    )
                elif part == "b":
                    f = figures["b"] = bench_nightly(b, args.nightly_skus)
                    print(
                        f"(b) nightly re-sync of {f['skus']:,} unchanged SKUs: "
                        f"{f['writes']} marketplace writes "
                        f"(target 0), {f['seconds']:.1f} s (target <= 30 s); run {f['status']}",
                        flush=True,
                    )
                    live = Bench(broker, redis_url, Path(folder), images, args.threads)
                    try:
                        d = figures["b_drift"] = bench_drift(live)
                    finally:
                        live.close()
                    print(
                        f"(b) + the nightly drift check on a live catalogue of {d['skus']} SKUs: "
                        f"{d['reads']} sampled reads in {d['seconds']:.1f} s, {d['drifted']} drifted, "
                        f"{d['writes']} writes, {d['throttled']} throttled",
                        flush=True,
                    )
                elif part == "c":
                    f = figures["c"] = bench_stock_out(b, args.rounds)
                    print(
                        f"(c) quantity-to-zero by signed webhook until all three sandboxes show it, "
                        f"{f['rounds']} changes: p50 "
                        f"{f['p50_seconds'] * 1000:.0f} ms, p95 {f['p95_seconds'] * 1000:.0f} ms "
                        "(target p95 <= 1000 ms)",
                        flush=True,
                    )
            finally:
                b.close()
    images.stop()
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
