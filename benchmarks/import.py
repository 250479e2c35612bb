"""Import a generated 100,000-row CSV with the real CLI, twice; print rows/s and peak RSS of each import.

    PYTHONPATH=. python benchmarks/import.py [--rows N] [--seed S] [--database-url postgresql://...] [--json]

The CSV comes from `catalog.synthetic` (seeded). Each import runs as its own `listing-sync import` process;
its peak RSS is read from the kernel's accounting for that child (wait4), and its time includes the
interpreter starting. SQLite is a fresh file in a temporary data dir; with --database-url, a scratch
database is created on that PostgreSQL server and dropped after.
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
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass

import psycopg
from sqlalchemy.engine import make_url

from catalog import synthetic

ROOT = Path(__file__).resolve().parents[1]
TARGET_ROWS_PER_S = 10_000
TARGET_PEAK_RSS_MB = 300


@dataclass
class Run:
    seconds: float
    rows_per_s: float
    cpu_seconds: float
    rows_per_cpu_s: float
    peak_rss_mb: float
    accepted: int
    unchanged: int
    rejected: int


def cli(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "workers.cli", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def timed_import(env: dict[str, str], csv_path: Path, rows: int) -> Run:
    start = time.perf_counter()
    child = cli(env, "import", str(csv_path), "--seller", "bench", "--json")
    # wait4 gives this child's own rusage; the pipes are drained first so the child never blocks on them.
    out, err = child.stdout.read(), child.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"import failed ({child.returncode}): {err.decode(errors='replace')}")
    result = json.loads(out)
    # ru_maxrss is KiB on Linux, bytes on macOS.
    rss_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(
        round(seconds, 3),
        round(rows / seconds),
        round(cpu, 3),
        round(rows / cpu),
        round(rss_mb, 1),
        result["accepted"],
        result["unchanged"],
        result["rejected"],
    )


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    admin = make_url(url).set(drivername="postgresql")
    name = f"ls_bench_{uuid.uuid4().hex[:10]}"
    admin_dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", help="a PostgreSQL server to benchmark on (default: SQLite)")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of text")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="listing-sync-bench-") as tmp:
        csv_path = Path(tmp) / "catalogue.csv"
        synthetic.write(csv_path, args.rows, seed=args.seed)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["LISTING_SYNC_DATA_DIR"] = str(Path(tmp) / "data")
        scratch = scratch_postgres(args.database_url) if args.database_url else nullcontext(None)
        with scratch as database_url:
            if database_url:
                env["DATABASE_URL"] = database_url
            setup = cli(env, "sellers", "add", "bench", "--json")
            _, err = setup.communicate()
            if setup.returncode != 0:
                raise SystemExit(err.decode(errors="replace"))
            first = timed_import(env, csv_path, args.rows)
            again = timed_import(env, csv_path, args.rows)
    report(args, "postgresql" if args.database_url else "sqlite", first, again)


def report(args: argparse.Namespace, backend: str, first: Run, again: Run) -> None:
    met = {
        "first_rows_per_s": first.rows_per_s >= TARGET_ROWS_PER_S,
        "reimport_faster": again.seconds < first.seconds,
        "peak_rss": max(first.peak_rss_mb, again.peak_rss_mb) < TARGET_PEAK_RSS_MB,
        "all_rows_stored": first.accepted == args.rows and again.unchanged == args.rows,
    }
    if args.json:
        line = {
            "benchmark": "import",
            "backend": backend,
            "rows": args.rows,
            "seed": args.seed,
            "first": asdict(first),
            "reimport": asdict(again),
            "met": met,
            "load_average": round(os.getloadavg()[0], 2),
        }
        print(json.dumps(line))
        return
    ok = {True: "ok", False: "MISSED"}
    print(f"import of {args.rows:,} CSV rows into {backend} (seed {args.seed}), one CLI process per import")
    for label, run, counts in (
        ("first import:", first, f"accepted {first.accepted:,}, rejected {first.rejected:,}"),
        ("re-import:", again, f"unchanged {again.unchanged:,}, accepted {again.accepted:,}"),
    ):
        print(
            f"  {label:<14}{run.rows_per_s:>9,} rows/s  {run.seconds:7.2f} s wall  "
            f"({run.rows_per_cpu_s:,} rows per CPU second)  peak RSS {run.peak_rss_mb:6.1f} MB  {counts}"
        )
    print(f"  (load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)")
    print(
        f"  target >= {TARGET_ROWS_PER_S:,} rows/s first: {ok[met['first_rows_per_s']]}; "
        f"re-import faster: {ok[met['reimport_faster']]}; "
        f"peak RSS < {TARGET_PEAK_RSS_MB} MB: {ok[met['peak_rss']]}; "
        f"every row stored: {ok[met['all_rows_stored']]}"
    )


if __name__ == "__main__":
    main()
