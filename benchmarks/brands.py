"""What the brand registry costs: adding official images, rebuilding and loading the index, checking images.

1. `add_images` on drawn products (JPEG bytes): images/s, fingerprinting of every variant included.
2. The store grown to `--stored` brand images over `--brands` brands (rows carrying the fingerprints of the
   images above under new content hashes): the time to rebuild and store the matcher from every row (what a
   stale index costs), its size, and then adding one more image (which extends the stored matcher).
3. A worker's `BrandIndex`: a full load, and a generation check when nothing changed (one small SELECT).
4. `Checker.check_image` on listing-like copies (transformed, JPEG bytes): images/s.

Times are CPU seconds of this process (the figure least disturbed by other work on a shared machine) and, for
the checks, wall-clock seconds too. SQLite in a temporary folder unless `--database-url` is given.

    PYTHONPATH=. /work/venv/bin/python benchmarks/brands.py [--json] [--images 20] [--stored 2000]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where fingerprints.py would shadow the package.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import hashlib
import json
import random
import tempfile
import time
from typing import Any

import sqlalchemy as sa

from benchmarks import imagery
from fingerprints import ImageLoader
from workers.brands import BrandIndex, Checker, VerdictKind, add_brand, add_images
from workers.brands.persisted import begin_change, store_matcher
from workers.store import migrate, open_engine
from workers.store.brand_models import BrandImage, BrandIndexRow


def cpu(action: Any) -> tuple[float, Any]:
    start = time.process_time()
    result = action()
    return time.process_time() - start, result


def run(url: str, images: int, stored: int, brands: int, seed: int) -> dict[str, Any]:
    engine = open_engine(url)
    migrate(engine)
    rng = random.Random(seed)
    products = [imagery.draw(imagery.random_product(rng)) for _ in range(images)]
    with engine.begin() as conn:
        for b in range(brands):
            add_brand(conn, f"Brand {b:04d}", emails=[f"owner{b}@brand.example"])
    seconds, report = cpu(
        lambda: add_images(engine, "Brand 0000", [imagery.jpeg(p) for p in products], loader=ImageLoader())
    )
    result: dict[str, Any] = {"add_images_per_s": len(report.added) / seconds}

    with engine.begin() as conn:
        prints = [row.fingerprints for row in conn.execute(sa.select(BrandImage.fingerprints))]
        ids = list(conn.execute(sa.select(sa.text("id")).select_from(sa.text("brands"))).scalars())
        rows = [
            {
                "brand_id": ids[n % len(ids)],
                "source": f"bench-{n}",
                "content_sha256": hashlib.sha256(f"bench-{n}".encode()).hexdigest(),
                "fingerprints": prints[n % len(prints)],
                "width": 800,
                "height": 800,
            }
            for n in range(max(0, stored - len(prints)))
        ]
        if rows:
            conn.execute(sa.insert(BrandImage), rows)

    def rebuild() -> int:
        with engine.begin() as conn:
            begin_change(conn)
            return len(store_matcher(conn))

    result["rebuild_s"], result["reference_views"] = cpu(rebuild)
    extra = imagery.jpeg(imagery.draw(imagery.random_product(rng)))
    result["add_one_s"], _ = cpu(lambda: add_images(engine, "Brand 0001", [extra], loader=ImageLoader()))
    with engine.connect() as conn:
        result["matcher_bytes"] = len(conn.execute(sa.select(BrandIndexRow.matcher)).scalar_one() or b"")

    index = BrandIndex(engine, check_every=0.0)
    result["load_s"], _ = cpu(index.refresh)
    checks = 200
    seconds, _ = cpu(lambda: [index.refresh() for _ in range(checks)])
    result["generation_check_ms"] = seconds / checks * 1000

    names = list(imagery.TRANSFORMS)
    queries = [
        imagery.jpeg(imagery.TRANSFORMS[names[i % len(names)]](p, rng, products))
        for i, p in enumerate(products)
    ]
    checker = Checker(index)
    wall = time.perf_counter()
    seconds, verdicts = cpu(lambda: [checker.check_image(q) for q in queries])
    wall = time.perf_counter() - wall
    result["check_per_s_cpu"] = len(queries) / seconds
    result["check_per_s_wall"] = len(queries) / wall
    result["check_suspects"] = sum(v.verdict is VerdictKind.COUNTERFEIT_SUSPECT for v in verdicts)
    result["check_queries"] = len(queries)
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="also print one JSON line of results")
    parser.add_argument("--images", type=int, default=20, help="official images fingerprinted for real")
    parser.add_argument("--stored", type=int, default=2000, help="brand images in the store for the index")
    parser.add_argument("--brands", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{scratch}/bench.db"
        result = run(url, args.images, args.stored, args.brands, args.seed)
    print(
        f"add_images ({args.images} drawn products, every variant): {result['add_images_per_s']:.1f} images/s"
    )
    print(
        f"index rebuild over {args.stored} images ({result['reference_views']} reference views): "
        f"{result['rebuild_s']:.2f} s, {result['matcher_bytes'] / 1e6:.1f} MB stored; adding one image "
        f"then (fingerprints, extending the stored index): {result['add_one_s']:.2f} s"
    )
    print(
        f"BrandIndex: full load {result['load_s'] * 1000:.0f} ms, "
        f"generation check {result['generation_check_ms']:.2f} ms"
    )
    print(
        f"check_image: {result['check_per_s_cpu']:.1f} images/s (CPU), {result['check_per_s_wall']:.1f} "
        f"images/s (wall); {result['check_suspects']}/{result['check_queries']} transformed copies suspect"
    )
    if args.json:
        print(json.dumps({"benchmark": "brands", **result}))


if __name__ == "__main__":
    main()
