"""How fast the catalogue importer parses, validates and hashes, and how much memory it needs.

Generates a synthetic catalogue (100,000 rows by default) as CSV, a JSON array and JSON Lines, then reads
each in a fresh process (so that peak RSS is that format's own) and prints rows/s and peak RSS. Every row
is validated and hashed, as an import does; nothing is stored.

    PYTHONPATH=. python benchmarks/catalog_parse.py [--rows N] [--json]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where connectors.py and fingerprints.py would shadow
# the packages of the same name: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import json
import resource
import subprocess
import tempfile
import time

FORMATS = ("csv", "json", "jsonl")


def measure(path: Path) -> dict[str, float]:
    """Read every row of `path` (in this process) and report the figures."""
    from catalog.importer import read_products

    accepted = rejected = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for row in read_products(path):
        if row.product is not None:
            row.product.content_hashes()
            accepted += 1
        else:
            rejected += 1
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": accepted + rejected,
        "rejected": rejected,
        "seconds": round(seconds, 3),
        "rows_per_s": round((accepted + rejected) / seconds),
        "cpu_seconds": round(cpu_seconds, 3),
        "rows_per_cpu_s": round((accepted + rejected) / cpu_seconds),
        "peak_rss_mb": round(peak_kib / 1024, 1),
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="also print one JSON line with every figure")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return

    from catalog import synthetic

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="catalog-parse-") as tmp:
        for fmt in FORMATS:
            path = synthetic.write(Path(tmp) / f"catalogue.{fmt}", args.rows)
            out = subprocess.run(
                [sys.executable, __file__, "--measure", str(path)], check=True, capture_output=True, text=True
            )
            results[fmt] = json.loads(out.stdout)
            r = results[fmt]
            print(
                f"{fmt:>5}: {r['rows']:,} rows ({r['file_mb']} MB) in {r['seconds']} s"
                f" = {r['rows_per_s']:,} rows/s"
                f" ({r['rows_per_cpu_s']:,} rows per CPU second);"
                f" peak RSS {r['peak_rss_mb']} MB; {r['rejected']} rejected"
            )
    if args.json:
        print(json.dumps({"benchmark": "catalog_parse", "rows": args.rows, "formats": results}))


if __name__ == "__main__":
    main()
