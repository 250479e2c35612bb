"""Query time of our Hamming index over 1,000,000 64-bit references, against pybktree on the same data.

References are random 64-bit codes plus, for each query, a few planted near neighbours (so that every query
has answers, as a real lookup of a copied image does). Each query asks for every reference within distance d.
pybktree is built over the same million references by default; `--bktree-sample N` builds it over a random
sample instead and scales its per-query time up by the size ratio, which the output then says plainly. Times
are CPU time per query (process time, the figure least disturbed by other work on a shared machine): ours
best of 3 rounds over all queries, pybktree one round over 10 of them.

    PYTHONPATH=. /work/venv/bin/python benchmarks/index.py [--json] [--size 1000000] [--queries 200]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where connectors.py and fingerprints.py would shadow
# the packages of the same name: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import json
import time
from collections.abc import Callable

import numpy as np
import pybktree

from fingerprints.index import Index


def data(size: int, queries: int, seed: int) -> tuple[np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 2**64, size=size, dtype=np.uint64)
    picks = rng.integers(0, size, size=queries)
    asked = []
    for i, pick in enumerate(picks):
        flips = rng.choice(64, size=int(rng.integers(0, 6)), replace=False)
        query = int(codes[pick]) ^ sum(1 << int(b) for b in flips)
        asked.append(query)
        codes[(pick + 1 + i) % size] = query ^ (1 << int(rng.integers(64)))
    return codes, asked


def per_query(run: Callable[[int], object], queries: list[int], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for query in queries:
            run(query)
        best = min(best, (time.process_time() - start) / len(queries))
    return best


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="also print one JSON line of results")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--bktree-sample", type=int, default=0, help="0: all references")
    parser.add_argument("--distances", type=int, nargs="+", default=[4, 8, 10, 12, 14])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    codes, queries = data(args.size, args.queries, args.seed)

    start = time.perf_counter()
    index = Index(64)
    index.add_many(np.arange(codes.size), codes[:, None])
    index.search(0, 0)
    build = time.perf_counter() - start

    sample = min(args.bktree_sample or codes.size, codes.size)
    scale = codes.size / sample
    rng = np.random.default_rng(args.seed + 1)
    chosen = rng.choice(codes.size, size=sample, replace=False)
    start = time.perf_counter()
    tree = pybktree.BKTree(hamming, [int(c) for c in codes[chosen]])
    tree_build = time.perf_counter() - start
    tree_queries = queries[:10]

    print(f"{codes.size:,} references of 64 bits, {len(queries)} queries; our index built in {build:.2f} s")
    print(f"pybktree built over {sample:,} of them in {tree_build:.1f} s")
    if sample < codes.size:
        print(
            "pybktree was built over a random SAMPLE of them only; its"
            f" per-query time is SCALED by {scale:.0f}x to {codes.size:,} references (BK-tree work grows"
            " about linearly at these radii), and it answered only its sample"
        )
    print("times are CPU time per query (process time), best of 3 rounds for ours")
    print(f"{'distance':>8}{'ours ms/query':>15}{'pybktree ms/query':>20}{'speedup':>10}{'hits/query':>12}")
    rows = []
    for distance in args.distances:
        ours = per_query(lambda q, d=distance: index.search(q, d), queries)
        theirs = per_query(lambda q, d=distance: tree.find(q, d), tree_queries, rounds=1) * scale
        hits = np.mean([len(index.search(q, distance)) for q in queries[:50]])
        rows.append({"distance": distance, "ours_ms": ours * 1e3, "pybktree_ms": theirs * 1e3, "hits": hits})
        print(f"{distance:>8}{ours * 1e3:>15.3f}{theirs * 1e3:>20.1f}{theirs / ours:>9.0f}x{hits:>12.1f}")
    if args.json:
        result = {
            "benchmark": "index",
            "size": codes.size,
            "bktree_sample": sample,
            "bktree_scaled": sample < codes.size,
            "build_s": build,
            "rows": rows,
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
