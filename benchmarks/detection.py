"""Recall and precision of brand image matching under the tricks counterfeit listings use.

Brand images are drawn products on white (seeded) and photographs bundled in scikit-image. Each is copied
under every transform in `imagery.TRANSFORMS` (a positive: it should match its brand); look-alikes of the same
layout, the same products in other colours and unregistered images under a random transform are negatives.
Every query goes through JPEG bytes and our loader, as a listing image would. Our matcher at its default
threshold is compared with imagehash's phash and dhash of the whole image at distance <= 10.

`--work-side 125` measures hashing at another working size (`normalise.WORK_SIDE`, brand images and queries
alike, JPEGs decoded to match), beside `benchmarks/fingerprints.py --work-side`: a measurement for choosing,
since stored fingerprints are made at 250.

    PYTHONPATH=. python benchmarks/detection.py [--json] [--brands 40] [--seed 7] [--work-side 250]
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
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import imagehash
from PIL import Image

from benchmarks import imagery
from fingerprints import normalise
from fingerprints.features import fingerprint_image, reference_fingerprints
from fingerprints.loading import decode
from fingerprints.matching import DEFAULT_THRESHOLD, BrandMatcher

REGISTERED_PHOTOS = (
    "astronaut",
    "chelsea",
    "coffee",
    "rocket",
    "motorcycle_left",
    "camera",
    "coins",
    "hubble_deep_field",
)
NEGATIVES = ("lookalike", "recolour", "unrelated")
BASELINE_THRESHOLD = 10


@dataclass
class Query:
    group: str
    brand: int | None
    data: bytes


def build(seed: int, drawn: int) -> tuple[list[Image.Image], list[Query]]:
    rng = random.Random(seed)
    photos = imagery.photographs()
    products = [imagery.random_product(rng, imagery.KINDS[i % len(imagery.KINDS)]) for i in range(drawn)]
    brands = [imagery.draw(p) for p in products] + [photos[n] for n in REGISTERED_PHOTOS if n in photos]
    others = [imagery.draw(imagery.random_product(rng)) for _ in range(drawn // 2)]
    others += [image for name, image in photos.items() if name not in REGISTERED_PHOTOS]
    queries = []
    for brand, image in enumerate(brands):
        for name, transform in imagery.TRANSFORMS.items():
            queries.append(Query(name, brand, imagery.jpeg(transform(image, rng, others))))
    for product in products:
        queries.append(Query("lookalike", None, imagery.jpeg(imagery.draw(imagery.lookalike(product, rng)))))
        queries.append(Query("recolour", None, imagery.jpeg(imagery.draw(imagery.recoloured(product, rng)))))
    for image in others:
        transform = imagery.TRANSFORMS[rng.choice(sorted(imagery.TRANSFORMS))]
        queries.append(Query("unrelated", None, imagery.jpeg(transform(image, rng, others))))
    return brands, queries


def ours(brands: list[Image.Image]) -> Callable[[bytes], int | None]:
    matcher = BrandMatcher.from_references(
        (brand, brand, prints)
        for brand, image in enumerate(brands)
        for prints in reference_fingerprints(image)
    )

    def predict(data: bytes) -> int | None:
        matches = matcher.match(fingerprint_image(decode(data, draft=normalise.WORK_SIDE)))
        return matches[0].brand_id if matches else None

    return predict


def baseline(brands: list[Image.Image], algorithm: Callable[[Image.Image], imagehash.ImageHash]) -> Callable:
    references = [algorithm(image) for image in brands]

    def predict(data: bytes) -> int | None:
        query = algorithm(Image.open(io.BytesIO(data)))
        distance, brand = min((query - ref, i) for i, ref in enumerate(references))
        return brand if distance <= BASELINE_THRESHOLD else None

    return predict


def evaluate(queries: list[Query], predict: Callable[[bytes], int | None]) -> dict[str, dict[str, float]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "hit": 0, "flagged": 0, "wrong": 0})
    for query in queries:
        predicted = predict(query.data)
        row = counts[query.group]
        row["n"] += 1
        if predicted is not None:
            row["flagged"] += 1
            if predicted == query.brand:
                row["hit"] += 1
            else:
                row["wrong"] += 1
    table: dict[str, dict[str, float]] = {}
    for group, row in counts.items():
        table[group] = _metrics(row)
    positives = [row for group, row in counts.items() if group not in NEGATIVES]
    total = {key: sum(row[key] for row in counts.values()) for key in ("hit", "flagged", "wrong")}
    total["n"] = sum(row["n"] for row in positives)
    table["overall"] = _metrics(total)
    return table


def _metrics(row: dict[str, int]) -> dict[str, float]:
    return {
        "n": row["n"],
        "recall": row["hit"] / row["n"] if row["n"] else float("nan"),
        "precision": row["hit"] / row["flagged"] if row["flagged"] else float("nan"),
        "false_positives": row["wrong"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="also print one JSON line of results")
    parser.add_argument("--brands", type=int, default=40, help="drawn brand products (photos are added)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--work-side", type=int, default=normalise.WORK_SIDE, help="hash at this working size instead"
    )
    args = parser.parse_args()
    normalise.WORK_SIDE = args.work_side
    brands, queries = build(args.seed, args.brands)
    methods = {
        f"ours@{DEFAULT_THRESHOLD}": ours(brands),
        f"phash@{BASELINE_THRESHOLD}": baseline(brands, imagehash.phash),
        f"dhash@{BASELINE_THRESHOLD}": baseline(brands, imagehash.dhash),
    }
    results = {name: evaluate(queries, predict) for name, predict in methods.items()}
    groups = [*imagery.TRANSFORMS, *NEGATIVES, "overall"]
    print(f"{len(brands)} brand images, {len(queries)} queries, working side {args.work_side}")
    print("recall / precision per transform; false positives for the negatives")
    print(f"{'transform':<12}{'n':>5}" + "".join(f"{name:>22}" for name in methods))
    for group in groups:
        cells = []
        for name in methods:
            row = results[name][group]
            if group in NEGATIVES:
                cells.append(f"{int(row['false_positives'])} false positives")
            else:
                cells.append(f"{row['recall']:.3f} / {row['precision']:.3f}")
        n = int(results[next(iter(methods))][group]["n"])
        print(f"{group:<12}{n:>5}" + "".join(f"{cell:>22}" for cell in cells))
    ours_name = next(iter(methods))
    failing = [g for g in imagery.TRANSFORMS if results[ours_name][g]["recall"] < 0.9]
    print(f"transforms below 0.90 recall for ours: {', '.join(failing) or 'none'}")
    if args.json:
        print(json.dumps({"benchmark": "detection", "results": results, "failing": failing}))


if __name__ == "__main__":
    main()
