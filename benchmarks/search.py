"""How fast a marketplace scan reads search results: listings/s and HTTP calls per listing, per marketplace.

Seeds each sandbox (limits off) with `--listings` other sellers' listings that match one keyword, plus as many
that do not, then times one full search with the client a scan uses (`connectors.search`), every page and,
on Amazon, getItemOffers for every ASIN. With real rate limits Amazon is bound by getItemOffers at 0.5 calls
a second; these figures measure the client and the sandbox, not the marketplace's limits.

    PYTHONPATH=. python benchmarks/search.py [--listings 1000] [--json]
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
import time
from typing import Any

from PIL import Image

from connectors.http import make_session
from connectors.sandbox.run import start_sandboxes
from connectors.search import build_search

KEYWORD = "harbor clay mug"


def photo(n: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (n % 256, (n * 7) % 256, 90)).save(out, "PNG")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listings", type=int, default=1000, help="matching listings seeded per marketplace")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()

    results: dict[str, dict[str, Any]] = {}
    with start_sandboxes(limits=False) as running:
        for name, sandbox, server in running:
            for n in range(args.listings):
                seller = f"A{n:05d}SELLER" if name == "amazon" else f"seller{n}"
                sandbox.seed(title=f"Harbor Clay mug {n}", seller=seller, price="9.50", images=[photo(n)])  # type: ignore[attr-defined]
                sandbox.seed(title=f"Garden hose {n}", seller=seller, price="9.50", images=[photo(n)])  # type: ignore[attr-defined]
            creds = sandbox.credentials_for("scanner")  # type: ignore[attr-defined]
            search = build_search(
                name,
                endpoint=server.url,
                credentials=creds,
                session=make_session(4),
                rate_gate=lambda op: None,
            )
            began = time.perf_counter()
            found = sum(1 for _ in search.search(KEYWORD))
            seconds = time.perf_counter() - began
            assert found == args.listings, f"{name}: found {found} of {args.listings}"
            results[name] = {
                "listings": found,
                "calls": search.calls,
                "seconds": round(seconds, 3),
                "listings_per_second": round(found / seconds, 1),
                "calls_per_listing": round(search.calls / found, 3),
            }

    head = ("marketplace", "listings", "calls", "calls/listing", "seconds", "listings/s")
    print("{:<12} {:>8} {:>6} {:>14} {:>8} {:>11}".format(*head))
    for name, r in results.items():
        print(
            f"{name:<12} {r['listings']:>8,} {r['calls']:>6,} {r['calls_per_listing']:>14.3f} "
            f"{r['seconds']:>8.2f} {r['listings_per_second']:>11,.0f}"
        )
    if args.json:
        print(json.dumps({"benchmark": "search", "keyword": KEYWORD, "results": results}))


if __name__ == "__main__":
    main()
