"""Calls per second each sandbox marketplace sustains with limits off, and how fast each starts.

Runs the per-marketplace benchmarks (`sandbox_amazon.py`, `ebay_sandbox.py`, `top_sandbox.py`: several client
processes over keep-alive connections against a sandbox on a free port) one after the other and prints their
figures beside the target of 2,000 simple calls/s, plus each sandbox's start-up time (target: under a second).

    PYTHONPATH=. python benchmarks/sandbox.py [--calls 3000] [--json]
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
import subprocess
import time
from typing import Any

from connectors.sandbox.amazon import AmazonSandbox
from connectors.sandbox.ebay import EbaySandbox
from connectors.sandbox.top import TopSandbox

HERE = Path(__file__).resolve().parent
TARGET_CALLS_PER_SECOND = 2000
TARGET_START_SECONDS = 1.0


def start_seconds() -> dict[str, float]:
    """Wall time from constructing each sandbox to its first accepted connection."""
    times = {}
    for name, kind in (("amazon", AmazonSandbox), ("ebay", EbaySandbox), ("tmall", TopSandbox)):
        began = time.perf_counter()
        server = kind(limits=False).serve()
        times[name] = time.perf_counter() - began
        server.stop()
    return times


def run(script: str, *args: str) -> dict[str, Any]:
    """Run one per-marketplace benchmark and return the JSON line it printed."""
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    done = subprocess.run(
        [sys.executable, str(HERE / script), "--json", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=3000, help="calls per client process")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()
    calls = str(args.calls)

    starts = start_seconds()
    amazon = run("sandbox_amazon.py", "--calls", calls, "--put-every", "0", "--feed-messages", "0")
    ebay = run("ebay_sandbox.py", "--calls", calls)
    top = run("top_sandbox.py", "--calls", calls)
    ebay_read = next(r for r in ebay["results"] if r["kind"] == "read")
    rates = {
        "amazon": (amazon["calls_per_second"], "getListingsItem"),
        "ebay": (ebay_read["per_second"], "getInventoryItem"),
        "tmall": (top["calls_per_second"], "taobao.item.seller.get"),
    }
    print(f"{'sandbox':<8} {'simple call':<24} {'calls/s':>8} {'target':>8} {'start':>8} {'target':>7}")
    for name, (rate, call) in rates.items():
        print(
            f"{name:<8} {call:<24} {rate:>8,.0f} {TARGET_CALLS_PER_SECOND:>8,} "
            f"{starts[name] * 1000:>6.0f}ms {TARGET_START_SECONDS * 1000:>5.0f}ms"
        )
    if args.json:
        figures = {
            "benchmark": "sandbox",
            "calls_per_second": {name: rate for name, (rate, _) in rates.items()},
            "start_seconds": {name: round(s, 4) for name, s in starts.items()},
            "target_calls_per_second": TARGET_CALLS_PER_SECOND,
        }
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
