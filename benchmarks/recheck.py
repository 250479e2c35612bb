"""What a nightly recheck of live listings costs after the brands changed.

One seller's N SKUs (default 2,000) are synced to the three sandboxes (limits off) with no brand registered,
so no image is checked; then brand "Acme" registers `--brand-images` official images and three nightly runs
follow, each timed from its start until its run is done and every recheck message is handled:

- cold: the first night after the brand came; every live listing's image is fetched and fingerprinted once
  (each SKU has image bytes of its own, a drawn product of 640 to 1000 px as a JPEG) and matched, on each of
  the three marketplaces (fetched once, matched three times);
- warm: a night after the brand changed again (a contact added); every image is matched again from
  `image_checks`, without a fetch;
- unchanged: a night with no brand change since the last: no recheck at all.

Warm and unchanged nights run `--rounds` times and the quickest is kept: a run's own start and end (the
drift read-back, the progress polling) vary by a second or two on a shared machine.

Workers, sandboxes and image host run in this process (one dramatiq Worker, `--threads`), on Redis at
REDIS_URL or an embedded Valkey; the store is SQLite in a temporary folder, or DATABASE_URL. Images are
fingerprinted in the worker's helper process (`LISTING_SYNC_CHECK_PROCESSES`, default 1), as in production.

    PYTHONPATH=. python benchmarks/recheck.py [--skus 2000] [--rounds 3] [--json]
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
import random
import tempfile
import time
import uuid
from typing import Any

from benchmarks import imagery, services
from benchmarks.checks import Bench
from workers.brands import BrandChanges, update_brand
from workers.broker import CHECK, EMAIL, ListingSyncBroker, setup_broker
from workers.context import writing
from workers.findings import list_findings
from workers.sandboxes import ImageHost

JOIN_MS = 3_600_000


def night(b: Bench, broker: ListingSyncBroker, images: ImageHost) -> dict[str, Any]:
    """One nightly run and the rechecks it handed out, until all are handled."""
    fetched = sum(images.requests.values())
    began = time.perf_counter()
    status, _, _ = b.run("nightly")
    for queue in (CHECK, f"{CHECK}.DQ", EMAIL):
        broker.join(queue, timeout=JOIN_MS)
    b.worker.join()
    return {
        "status": status,
        "seconds": round(time.perf_counter() - began, 2),
        "image_requests": sum(images.requests.values()) - fetched,
    }


def best_night(
    b: Bench, broker: ListingSyncBroker, images: ImageHost, rounds: int, name: str
) -> dict[str, Any]:
    """The quickest of `rounds` nights; before each warm night a contact is added to the brand."""
    nights = []
    for i in range(rounds):
        if name == "warm":
            with writing(b.engine) as conn:
                update_brand(conn, "Acme", BrandChanges(add_emails=[f"ops{i}@acme.example"]))
        nights.append(night(b, broker, images))
    return min(nights, key=lambda f: float(f["seconds"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=2_000)
    parser.add_argument("--brand-images", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="warm and unchanged nights, the quickest kept")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    redis_url = services.redis_url()
    broker = setup_broker(redis_url, namespace=f"bench-{uuid.uuid4().hex[:6]}")
    images = ImageHost()
    rng = random.Random(5)
    for i in range(args.skus):
        images.put(f"BENCH-{i:06d}.png", imagery.jpeg(imagery.draw(imagery.random_product(rng)), 90))
    figures: dict[str, Any] = {"skus": args.skus, "listings": 3 * args.skus}
    with tempfile.TemporaryDirectory() as folder:
        b = Bench(broker, redis_url, Path(folder), images, args.threads)
        try:
            b.save(args.skus)
            status, seconds, progress = b.run()
            live = sum(p.get("live", 0) for p in progress.values())
            print(f"first sync, no brand: {live:,} listings live in {seconds:.1f} s ({status})", flush=True)
            b.register_brand(args.brand_images, Path(folder))
            for name in ("cold", "warm", "unchanged"):
                f = figures[name] = best_night(b, broker, images, 1 if name == "cold" else args.rounds, name)
                rate = live / f["seconds"] if name != "unchanged" else None
                print(
                    f"nightly run, {name:<9}: {f['seconds']:7.1f} s, {f['image_requests']:,} image requests"
                    + (f", {rate:,.0f} listings rechecked/s" if rate else "")
                    + f" ({f['status']})",
                    flush=True,
                )
            with b.engine.connect() as conn:
                figures["findings"] = len(list_findings(conn, brand="Acme"))
        finally:
            b.close()
    images.stop()
    flagged = figures["findings"]
    why = " (catalogue products drawn alike a brand product, another logo: the hashes cannot tell them apart)"
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    print(f"{flagged} findings{why if flagged else ''}; {load}", flush=True)
    if args.json:
        print(json.dumps({"benchmark": "recheck", **figures}))


if __name__ == "__main__":
    main()
