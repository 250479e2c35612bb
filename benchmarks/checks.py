"""How much the counterfeit checks slow a first sync whose images match nothing (target: under 10 %).

The same first sync of N SKUs (default 10,000; `--quick` for 1,000) to the three sandboxes, twice on fresh
stores and sandboxes: checks off (no brand registered, so batches go straight from plan to push, as before
the check stage existed) and checks on (brand "Acme" registered with `--brand-images` official images, so
every product image is fetched, fingerprinted and matched before its push). Rate limits are off on both sides
(the sandboxes' and our shared limiter), so checking is not hidden behind waiting for tokens.

By default every SKU has an image URL of its own but the image host answers the same bytes for all (as in
`benchmarks/sync.py`): each URL is fetched once and the bytes are fingerprinted once. `--distinct-images`
gives every SKU different bytes (a 96x96 noise PNG), so every image is also fingerprinted and matched: the
cost of a catalogue of new photographs.

Workers, sandboxes and image host run in this process (one dramatiq Worker, `--threads`), on Redis at
REDIS_URL or an embedded Valkey; the store is SQLite in a temporary folder, or DATABASE_URL. Beside the wall
times it prints the CPU time of each sync (this process and the fingerprinting helpers), since wall-clock
figures on a busy machine say more about the machine.

    PYTHONPATH=. python benchmarks/checks.py [--skus 10000 | --quick] [--distinct-images] [--json]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where connectors.py and fingerprints.py would shadow
# the packages of the same name: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import io
import json
import os
import random
import resource
import tempfile
import time
import uuid
from typing import Any

import dramatiq
import numpy as np
from cryptography.fernet import Fernet
from PIL import Image

from benchmarks import imagery, services
from benchmarks.sync import product
from catalog.product import Product
from connectors.sandbox.amazon import AmazonSandbox
from connectors.sandbox.ebay import EbaySandbox
from connectors.sandbox.run import RunningSandboxes
from connectors.sandbox.top import TopSandbox
from fingerprints import DRAFT, ImageLoader
from workers.accounts import Connectors
from workers.brands import add_brand, add_images
from workers.broker import ListingSyncBroker, setup_broker
from workers.checks import Screener
from workers.context import Context, attach, writing
from workers.ratelimit import Limit, SharedRateLimiter
from workers.runs import open_run, run_progress, start_run
from workers.sandboxes import IMAGE_HOST, ImageHost, ImageHostAdapter, connect_sandboxes
from workers.settings import Settings
from workers.store import migrate, open_engine
from workers.store.products import ProductRecord, save_products
from workers.store.sellers import add_seller
from workers.throttle import throttled_session

MARKETPLACES = ("amazon", "ebay", "tmall")
TARGET_SLOWDOWN = 0.10


class NoLimits(SharedRateLimiter):
    """Our shared limiter, switched off: every call may go at once."""

    def wait(self, account: str, operation: str, limit: Limit, *, max_wait: float = 30.0) -> float:
        return 0.0


class Bench:
    """One seller on fresh sandboxes without limits, a fresh store and an in-process worker."""

    def __init__(
        self, broker: ListingSyncBroker, redis_url: str, folder: Path, images: ImageHost, threads: int
    ) -> None:
        self.seller = f"bench-{uuid.uuid4().hex[:6]}"
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / (self.seller + '.db')}"
        self.engine = open_engine(url)
        migrate(self.engine)
        key = self.key = Fernet.generate_key().decode()
        settings = Settings(data_dir=folder, database_url=url, secret_key=key)
        mounts = {IMAGE_HOST: ImageHostAdapter(images.url)}
        self.context = Context.build(
            settings, redis_url, prefix=broker.namespace, engine=self.engine, mounts=mounts
        )
        unlimited = NoLimits(self.context.redis)
        self.context.limiter = unlimited
        self.context.connectors = Connectors(
            self.engine,
            key,
            session_for=lambda seller, marketplace, endpoint: throttled_session(
                unlimited, seller, marketplace, endpoint, mounts=mounts
            ),
        )
        attach(broker, self.context)
        self.sandboxes = RunningSandboxes(
            amazon=AmazonSandbox(limits=False),
            ebay=EbaySandbox(limits=False),
            tmall=TopSandbox(limits=False, daily_quota=10**9),
        )
        for name in MARKETPLACES:
            self.sandboxes.servers[name] = self.sandboxes.sandbox(name).serve()
        with writing(self.engine) as conn:
            add_seller(conn, self.seller)
        connect_sandboxes(self.engine, self.seller, self.sandboxes, key)
        self.worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
        self.worker.start()

    def register_brand(self, count: int, folder: Path) -> None:
        """Brand Acme with `count` drawn official images, none like the catalogue's images."""
        with writing(self.engine) as conn:
            add_brand(conn, "Acme", emails=["legal@acme.example"], policy="hold")
        rng = random.Random(11)
        files = []
        for i in range(count):
            path = folder / f"{self.seller}-acme-{i}.jpg"
            path.write_bytes(imagery.jpeg(imagery.draw(imagery.random_product(rng, imagery.KINDS[i % 5]))))
            files.append(path)
        add_images(self.engine, "Acme", files, loader=ImageLoader(draft=DRAFT))

    def save(self, n: int) -> None:
        products = [product(i) for i in range(n)]
        for start in range(0, n, 2000):
            self.save_products(products[start : start + 2000])

    def save_products(self, products: list[Product]) -> None:
        with writing(self.engine) as conn:
            save_products(conn, self.seller, [ProductRecord.from_product(p) for p in products])

    def run(self, kind: str = "manual") -> tuple[str, float, dict[str, Any]]:
        """Open and start a run, wait for it to close; (status, seconds, progress per marketplace)."""
        began = time.perf_counter()
        with writing(self.engine) as conn:
            run_id = open_run(conn, self.seller, kind=kind)
        start_run(run_id)
        while True:
            with self.engine.connect() as conn:
                progress = run_progress(conn, run_id)
            if progress["status"] in ("done", "failed"):
                return str(progress["status"]), time.perf_counter() - began, progress["marketplaces"]
            time.sleep(0.1)  # reading progress is not free: a long run must not compete with its workers

    def close(self) -> None:
        self.worker.stop()
        screener = self.context.extras.get("screener")
        if isinstance(screener, Screener):
            screener.close()
        self.sandboxes.stop()
        self.engine.dispose()


def noise_png(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (96, 96, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "PNG")
    return out.getvalue()


def first_sync(
    broker: ListingSyncBroker,
    redis_url: str,
    folder: Path,
    images: ImageHost,
    args: argparse.Namespace,
    *,
    checks: bool,
) -> dict[str, Any]:
    b = Bench(broker, redis_url, folder, images, args.threads)
    try:
        if checks:
            b.register_brand(args.brand_images, folder)
        b.save(args.skus)
        fetched = sum(images.requests.values())
        cpu = cpu_seconds()
        status, seconds, progress = b.run()
    finally:
        b.close()  # joins the fingerprinting helpers, so their CPU time is counted
    return {
        "checks": checks,
        "status": status,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds() - cpu, 2),
        "live": {m: p.get("live", 0) for m, p in progress.items()},
        "held": sum(p.get("held", 0) for p in progress.values()),
        "image_requests": sum(images.requests.values()) - fetched,
    }


def cpu_seconds() -> float:
    """CPU time of this process (workers, sandboxes, image host) and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 SKUs, for trying it")
    parser.add_argument("--distinct-images", action="store_true", help="different bytes for every SKU")
    parser.add_argument("--brand-images", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.skus = 1_000
    redis_url = services.redis_url()
    broker = setup_broker(redis_url, namespace=f"bench-{uuid.uuid4().hex[:6]}")
    images = ImageHost()
    if args.distinct_images:
        for i in range(args.skus):
            images.put(f"BENCH-{i:06d}.png", noise_png(i))
    figures: dict[str, Any] = {"skus": args.skus, "distinct_images": args.distinct_images}
    with tempfile.TemporaryDirectory() as folder:
        for checks in (False, True):
            f = figures["on" if checks else "off"] = first_sync(
                broker, redis_url, Path(folder), images, args, checks=checks
            )
            print(
                f"first sync of {args.skus:,} SKUs, limits off, checks {'on ' if checks else 'off'}: "
                f"{f['seconds']:.1f} s wall, {f['cpu_seconds']:.1f} s CPU; live {f['live']}, held "
                f"{f['held']}, {f['image_requests']:,} image requests; run {f['status']}",
                flush=True,
            )
    images.stop()
    slowdown = figures["on"]["seconds"] / figures["off"]["seconds"] - 1
    cpu = figures["on"]["cpu_seconds"] / figures["off"]["cpu_seconds"] - 1
    figures.update(slowdown=round(slowdown, 4), cpu_slowdown=round(cpu, 4), target_slowdown=TARGET_SLOWDOWN)
    print(
        f"checking slows the sync by {slowdown:+.1%} in wall time (target < {TARGET_SLOWDOWN:.0%}) and costs "
        f"{cpu:+.1%} CPU time"
        + ("; images all different" if args.distinct_images else "; one image's bytes behind every URL")
        + f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
