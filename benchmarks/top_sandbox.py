"""How many calls a second the TOP sandbox answers with limits off.

Starts `TopSandbox(limits=False)` on a free port, seeds one item, then several client processes each send
signed `taobao.item.seller.get` calls (a simple read) over keep-alive connections. Prints calls/s, and one
JSON line with `--json`.

    PYTHONPATH=. /work/venv/bin/python benchmarks/top_sandbox.py [--clients 3] [--calls 3000] [--json]
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
from urllib.parse import urlencode, urlsplit

from connectors.sandbox.top import TopSandbox
from connectors.top_signing import sign

SELLER = "bench-seller"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def signed_query(creds: dict[str, str], method: str, business: dict[str, str]) -> dict[str, str]:
    system = {
        "method": method,
        "app_key": creds["app_key"],
        "session": creds["session"],
        "timestamp": str(int(time.time() * 1000)),
        "v": "2.0",
        "sign_method": "md5",
        "format": "json",
    }
    system["sign"] = sign({**system, **business}, creds["app_secret"], "md5")
    return system


def seed(url: str, creds: dict[str, str]) -> int:
    """One item to read back; returns its num_iid."""
    import requests

    business = {
        "num": "5", "price": "99.00", "type": "fixed", "stuff_status": "new", "title": "Benchmark item",
        "desc": "An item for the benchmark.", "cid": "50023724", "props": "20000:3246379",
        "location.state": "浙江", "location.city": "杭州", "outer_id": "BENCH-1",
    }  # fmt: skip
    answer = requests.post(
        url + "/router/rest",
        params=signed_query(creds, "taobao.item.add", business),
        data=business,
        files={"image": ("a.png", PNG, "image/png")},
        timeout=10,
    ).json()
    return int(answer["item_add_response"]["item"]["num_iid"])


def client(
    url: str, creds: dict[str, str], num_iid: int, calls: int, ready: Any, start: Any, out: Any
) -> None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    business = {"num_iid": str(num_iid), "fields": "num_iid,title,price,num"}
    body = urlencode(business)
    headers = {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"}
    conn.connect()
    ready.release()
    start.wait()
    ok = 0
    for _ in range(calls):
        query = urlencode(signed_query(creds, "taobao.item.seller.get", business))
        conn.request("POST", "/router/rest?" + query, body, headers)
        answer = conn.getresponse().read()
        ok += answer.startswith(b'{"item_seller_get_response"')
    conn.close()
    out.put(ok)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--calls", type=int, default=3000, help="calls per client")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    sandbox = TopSandbox(limits=False)
    server = sandbox.serve()
    try:
        creds = sandbox.credentials_for(SELLER)
        num_iid = seed(server.url, creds)
        ctx = multiprocessing.get_context("spawn")
        ready, start, out = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
        procs = [
            ctx.Process(target=client, args=(server.url, creds, num_iid, args.calls, ready, start, out))
            for _ in range(args.clients)
        ]
        for proc in procs:
            proc.start()
        for _ in procs:
            ready.acquire()  # every client connected before the clock starts
        began = time.perf_counter()
        start.set()
        ok = sum(out.get() for _ in procs)
        elapsed = time.perf_counter() - began
        for proc in procs:
            proc.join()
    finally:
        server.stop()
    total = args.clients * args.calls
    rate = total / elapsed
    print(f"TOP sandbox, limits off: {total} calls from {args.clients} clients in {elapsed:.2f} s")
    print(f"  {rate:,.0f} calls/s, {ok} answered with the item ({total - ok} other answers)")
    if args.json:
        figures = {"calls": total, "clients": args.clients, "seconds": round(elapsed, 3), "ok": ok}
        print(json.dumps({"benchmark": "top_sandbox", **figures, "calls_per_second": round(rate)}))


if __name__ == "__main__":
    main()
