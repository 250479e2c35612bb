"""Images per second on one core: our fingerprinting of 1000-px JPEGs and `imagehash.phash` of the same files.

Each method runs over the same encoded JPEGs (drawn products and bundled photographs scaled so that their
longest side is 1000 px) from bytes to hashes, on this one thread. Every round is timed in process CPU time
and the best of the rounds is kept, the figure least disturbed by other work on the machine; the methods take
their rounds in turn, so that a spell of load on a shared machine falls on all of them alike rather than on
whichever ran then (their ratio moved by a third between runs otherwise).

`--work-side 125` asks what hashing at another working size would give (`normalise.WORK_SIDE`, with JPEGs
decoded to match): stored fingerprints are made at 250, so it is a measurement for choosing, not an option of
the product; `benchmarks/detection.py --work-side` gives the recall that goes with it.

    PYTHONPATH=. python benchmarks/fingerprints.py [--json] [--images 40] [--rounds 5] [--work-side 250]
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
import time
from collections.abc import Callable

import imagehash
from PIL import Image

from benchmarks import imagery
from fingerprints import normalise
from fingerprints.features import fingerprint_image
from fingerprints.loading import decode


def jpegs(count: int, seed: int = 1) -> list[bytes]:
    rng = random.Random(seed)
    photos = list(imagery.photographs().values())
    files = []
    for i in range(count):
        image = photos[i % len(photos)] if photos and i % 2 else imagery.draw(imagery.random_product(rng))
        scale = 1000 / max(image.size)
        image = image.resize(
            (round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS
        )
        files.append(imagery.jpeg(image, 90))
    return files


def rates(files: list[bytes], methods: dict[str, Callable[[bytes], object]], rounds: int) -> dict[str, float]:
    """Images per CPU second of each method, best of `rounds`; a round runs every method once, in turn."""
    best = dict.fromkeys(methods, float("inf"))
    for _ in range(rounds):
        for name, method in methods.items():
            start = time.process_time()
            for data in files:
                method(data)
            best[name] = min(best[name], time.process_time() - start)
    return {name: len(files) / seconds for name, seconds in best.items()}


def methods(side: int) -> dict[str, Callable[[bytes], object]]:
    return {
        "imagehash.phash": lambda data: imagehash.phash(Image.open(io.BytesIO(data))),
        "ours, query": lambda data: fingerprint_image(decode(data, draft=side)),
        "ours, decode only": lambda data: decode(data, draft=side),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="also print one JSON line of results")
    parser.add_argument("--images", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--work-side", type=int, default=normalise.WORK_SIDE, help="hash at this working size instead"
    )
    args = parser.parse_args()
    side = normalise.WORK_SIDE = args.work_side
    files = jpegs(args.images)
    measured = rates(files, methods(side), args.rounds)
    reference = measured["imagehash.phash"]
    paneled = sum(1 for data in files if fingerprint_image(decode(data, draft=side)).regions)
    print(f"{len(files)} JPEGs of 1000 px, one core, best of {args.rounds} rounds (CPU time), side {side}")
    print(f"{'method':<20}{'images/s':>10}{'ms/image':>10}{'vs phash':>10}")
    for name, value in measured.items():
        print(f"{name:<20}{value:>10.0f}{1000 / value:>10.2f}{value / reference:>9.1f}x")
    print("imagehash.phash = Image.open, a full decode and imagehash.phash, the usual way;")
    print(f"ours, query = what a listing image gets: fingerprint_image(decode(data, draft={side})),")
    print(
        "  i.e. JPEG decode at reduced scale, trim, pHash, dHash, 576-bit detail pHash, colour signature, and"
    )
    print("  the same hashes for each panel of an image with gutters (collages, banners);")
    print("ours, decode only = that JPEG decode alone, the floor under our figure")
    print(f"{paneled} of {len(files)} images had gutters and so panels hashed as well")
    if args.json:
        speedups = {name: value / reference for name, value in measured.items()}
        print(
            json.dumps(
                {
                    "benchmark": "fingerprints",
                    "work_side": side,
                    "images_per_s": measured,
                    "speedup": speedups,
                    "with_panels": paneled,
                }
            )
        )


if __name__ == "__main__":
    main()
