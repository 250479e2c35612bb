"""What starting a `listing-sync` command costs: wall time (best of N) and import time of each command.

    PYTHONPATH=. python benchmarks/cli_startup.py [--runs 10] [--json]

Each command runs as its own process, the way a person or a test runs it: the console script beside this
Python (else `python -m workers.cli`). The import figures come from a separate run under `-X importtime`: the
modules imported and the sum of their own import times (interpreter start-up modules included). `sellers
list` runs once on a fresh data dir (the store is created and migrated: the first command's cost) and once on
a migrated one (every later command's cost). The machine's load average is printed beside the figures.
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
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

ROOT = Path(__file__).resolve().parents[1]
IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)$")


@dataclass
class Figures:
    command: str
    best_s: float
    median_s: float
    modules: int
    import_s: float


def console_script() -> list[str]:
    script = Path(sys.executable).parent / "listing-sync"
    return [str(script)] if script.exists() else [sys.executable, "-m", "workers.cli"]


def run(command: list[str], env: dict[str, str], expect: int) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != expect:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}, expected {expect}: {done.stderr}")


def imports(args: list[str], env: dict[str, str]) -> tuple[int, float]:
    """Modules imported by one run of the command, and the sum of their own import times in seconds."""
    command = [sys.executable, "-X", "importtime", "-m", "workers.cli", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    found = [IMPORT_LINE.match(line) for line in done.stderr.splitlines()]
    own = [int(m.group(1)) for m in found if m]
    return len(own), sum(own) / 1e6


def measure(
    label: str, args: list[str], env: dict[str, str], runs: int, expect: int, fresh: Callable[[], None]
) -> Figures:
    run([*console_script(), *args], env, expect)  # warms the caches (and migrates a kept data dir)
    times = []
    for _ in range(runs):
        fresh()
        start = time.perf_counter()
        run([*console_script(), *args], env, expect)
        times.append(time.perf_counter() - start)
    fresh()
    modules, import_s = imports(args, env)
    times.sort()
    return Figures(label, round(times[0], 3), round(times[len(times) // 2], 3), modules, round(import_s, 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command; the best is reported")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of text")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="listing-sync-bench-") as tmp:
        data = Path(tmp) / "data"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["LISTING_SYNC_DATA_DIR"] = str(data)

        def keep() -> None:
            pass

        def fresh() -> None:
            shutil.rmtree(data, ignore_errors=True)

        cases = [
            ("--help", ["--help"], 0, keep),
            ("status --help", ["status", "--help"], 0, keep),
            ("import (argument error)", ["import"], 2, keep),
            ("sellers list, fresh data dir", ["sellers", "list"], 0, fresh),
            ("sellers list, migrated", ["sellers", "list"], 0, keep),
        ]
        results = [measure(label, a, env, args.runs, expect, prep) for label, a, expect, prep in cases]
    load = round(os.getloadavg()[0], 2)
    if args.json:
        line = {"benchmark": "cli_startup", "runs": args.runs, "load_average": load}
        print(json.dumps({**line, "commands": [asdict(r) for r in results]}))
        return
    print(
        f"listing-sync start-up, best and median of {args.runs} runs "
        "(imports: one more run, under -X importtime)"
    )
    for r in results:
        print(
            f"  {r.command:<30} best {r.best_s:6.3f} s  median {r.median_s:6.3f} s  "
            f"{r.modules:5d} modules, {r.import_s:6.3f} s importing"
        )
    print(f"  (load average while measuring: {load:.2f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
