"""How many calls a second the eBay sandbox answers with limits off, from several client processes.

    PYTHONPATH=. /work/venv/bin/python benchmarks/ebay_sandbox.py [--clients 2] [--calls 3000] [--json]

Measures three kinds of call, each checked against the model and done for real: a simple read
(getInventoryItem), a write (createOrReplaceInventoryItem, full item), and a bulk write of 25 items. Clients
use keep-alive connections (`http.client`) so that the figure is the sandbox's, not the client library's.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where connectors.py and fingerprints.py would shadow
# the packages of the same name: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import http.client
import json
import multiprocessing
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from connectors.sandbox.ebay import EbaySandbox

ITEM: dict[str, Any] = {
    "product": {
        "title": "Enamel camping mug, 350 ml, blue",
        "description": "A sturdy enamel mug for camping.",
        "imageUrls": ["https://images.example.com/mug-1.jpg"],
        "aspects": {"Brand": ["Acme"]},
    },
    "condition": "NEW",
    "availability": {"shipToLocationAvailability": {"quantity": 5}},
}


def _client(url: str, token: str, kind: str, calls: int, worker: int, ready: Any, go: Any, out: Any) -> None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Content-Language": "en-US",
    }
    base = "/sell/inventory/v1"
    item = json.dumps(ITEM)
    bulk = json.dumps(
        {"requests": [{**ITEM, "sku": f"W{worker}-B{n}", "locale": "en_US"} for n in range(25)]}
    )
    ready.put(worker)
    go.wait()
    ok = 0
    for n in range(calls):
        if kind == "read":
            conn.request("GET", f"{base}/inventory_item/BENCH-1", headers=headers)
        elif kind == "write":
            conn.request("PUT", f"{base}/inventory_item/W{worker}-{n % 500}", body=item, headers=headers)
        else:
            conn.request("POST", f"{base}/bulk_create_or_replace_inventory_item", body=bulk, headers=headers)
        answer = conn.getresponse()
        answer.read()
        ok += answer.status in (200, 204)
    out.put(ok)


def measure(url: str, token: str, kind: str, clients: int, calls: int) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(target=_client, args=(url, token, kind, calls, w, ready, go, out)) for w in range(clients)
    ]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get()
    started = time.perf_counter()
    go.set()
    ok = sum(out.get() for _ in procs)
    elapsed = time.perf_counter() - started
    for proc in procs:
        proc.join()
    total = clients * calls
    return {
        "kind": kind,
        "calls": total,
        "ok": ok,
        "seconds": round(elapsed, 3),
        "per_second": round(total / elapsed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--calls", type=int, default=3000, help="calls per client for read and write")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()

    sandbox = EbaySandbox(limits=False)
    server = sandbox.serve()
    try:
        creds = sandbox.credentials_for("bench-seller")
        grant = {"grant_type": "refresh_token", "refresh_token": creds["refresh_token"]}
        token_url = f"{server.url}/identity/v1/oauth2/token"
        token = requests.post(token_url, auth=(creds["client_id"], creds["client_secret"]), data=grant).json()
        headers = {"Authorization": f"Bearer {token['access_token']}", "Content-Language": "en-US"}
        requests.put(f"{server.url}/sell/inventory/v1/inventory_item/BENCH-1", json=ITEM, headers=headers)
        results = [
            measure(server.url, token["access_token"], "read", args.clients, args.calls),
            measure(server.url, token["access_token"], "write", args.clients, args.calls),
            measure(server.url, token["access_token"], "bulk", args.clients, max(1, args.calls // 25)),
        ]
    finally:
        server.stop()
    for r in results:
        print(
            f"{r['kind']:>5}: {r['per_second']:>6} calls/s  ({r['ok']}/{r['calls']} ok in {r['seconds']} s)"
        )
    if args.json:
        print(json.dumps({"benchmark": "ebay_sandbox", "clients": args.clients, "results": results}))


if __name__ == "__main__":
    main()
