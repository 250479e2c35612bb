"""How many simple calls a second the Amazon sandbox answers with limits off, and how fast it works
through a JSON_LISTINGS_FEED.

Starts the sandbox in this process, lists one SKU, then has several client processes call getListingsItem
(and a share of putListingsItem) over keep-alive connections for a fixed number of calls each. Then submits
one feed of `--feed-messages` UPDATE messages and times it from upload to a readable report.

    PYTHONPATH=. /work/venv/bin/python benchmarks/sandbox_amazon.py [--clients 3] [--calls 3000] [--json]
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
from urllib.parse import urlsplit

import requests

from connectors.sandbox.amazon import AmazonSandbox

SELLER, SKU, US = "A1BENCHSELLER", "BENCH-1", "ATVPDKIKX0DER"
ATTRIBUTES = {
    "item_name": [{"value": "Bench shoe", "language_tag": "en_US", "marketplace_id": US}],
    "brand": [{"value": "Acme", "marketplace_id": US}],
    "externally_assigned_product_identifier": [
        {"type": "ean", "value": "4006381333931", "marketplace_id": US}
    ],
    "main_product_image_locator": [{"media_location": "https://example.com/a.jpg", "marketplace_id": US}],
    "condition_type": [{"value": "new_new", "marketplace_id": US}],
    "purchasable_offer": [
        {"currency": "USD", "our_price": [{"schedule": [{"value_with_tax": 19.99}]}], "marketplace_id": US}
    ],
    "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
}


def client(url: str, token: str, calls: int, put_every: int, results: multiprocessing.Queue) -> None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    get_path = f"/listings/2021-08-01/items/{SELLER}/{SKU}?marketplaceIds={US}"
    put_path = f"/listings/2021-08-01/items/{SELLER}/{SKU}?marketplaceIds={US}"
    body = json.dumps({"productType": "PRODUCT", "attributes": ATTRIBUTES})
    headers = {"x-amz-access-token": token}
    put_headers = {**headers, "Content-Type": "application/json"}
    failures = 0
    started = time.perf_counter()
    for n in range(calls):
        if put_every and n % put_every == 0:
            conn.request("PUT", put_path, body, put_headers)
        else:
            conn.request("GET", get_path, headers=headers)
        response = conn.getresponse()
        response.read()
        failures += response.status != 200
    results.put((calls, failures, time.perf_counter() - started))


def feed(url: str, token: str, messages: int) -> float:
    """Seconds from creating the feed document to reading the processing report of a `messages` feed."""
    api = requests.Session()
    api.headers["x-amz-access-token"] = token
    document = {
        "header": {"sellerId": SELLER, "version": "2.0"},
        "messages": [
            {"messageId": n + 1, "sku": f"FEED-{n}", "operationType": "UPDATE", "productType": "PRODUCT",
             "attributes": ATTRIBUTES}
            for n in range(messages)
        ],
    }  # fmt: skip
    data = json.dumps(document).encode()
    started = time.perf_counter()
    created = api.post(
        url + "/feeds/2021-06-30/documents", json={"contentType": "application/json"}, timeout=5
    )
    requests.put(created.json()["url"], data=data, headers={"Content-Type": "application/json"}, timeout=30)
    spec = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [US],
        "inputFeedDocumentId": created.json()["feedDocumentId"],
    }
    feed_id = api.post(url + "/feeds/2021-06-30/feeds", json=spec, timeout=5).json()["feedId"]
    while True:  # poll as a client of the real API does
        status = api.get(f"{url}/feeds/2021-06-30/feeds/{feed_id}", timeout=30).json()
        if status["processingStatus"] in ("DONE", "FATAL"):
            break
        time.sleep(0.05)
    report_url = api.get(
        f"{url}/feeds/2021-06-30/documents/{status['resultFeedDocumentId']}", timeout=5
    ).json()["url"]
    summary = requests.get(report_url, timeout=30).json()["summary"]
    elapsed = time.perf_counter() - started
    if summary["messagesAccepted"] != messages:
        raise SystemExit(f"feed accepted {summary['messagesAccepted']} of {messages} messages")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=3, help="client processes")
    parser.add_argument("--calls", type=int, default=3000, help="calls per client")
    parser.add_argument("--put-every", type=int, default=10, help="every n-th call is a put (0: gets only)")
    parser.add_argument(
        "--feed-messages", type=int, default=5000, help="messages in the timed feed (0: none)"
    )
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()

    sandbox = AmazonSandbox(limits=False)
    server = sandbox.serve()
    try:
        creds = sandbox.credentials_for(SELLER)
        form = {
            "grant_type": "refresh_token",
            **{k: creds[k] for k in ("refresh_token", "client_id", "client_secret")},
        }
        token = requests.post(server.url + "/auth/o2/token", data=form, timeout=5).json()["access_token"]
        put = requests.put(
            f"{server.url}/listings/2021-08-01/items/{SELLER}/{SKU}",
            params={"marketplaceIds": US},
            data=json.dumps({"productType": "PRODUCT", "attributes": ATTRIBUTES}),
            headers={"x-amz-access-token": token, "Content-Type": "application/json"},
            timeout=5,
        )
        put.raise_for_status()
        results: multiprocessing.Queue = multiprocessing.Queue()
        procs = [
            multiprocessing.Process(
                target=client, args=(server.url, token, args.calls, args.put_every, results)
            )
            for _ in range(args.clients)
        ]
        started = time.perf_counter()
        for proc in procs:
            proc.start()
        outcomes = [results.get() for _ in procs]
        wall = time.perf_counter() - started
        for proc in procs:
            proc.join()
        feed_seconds = feed(server.url, token, args.feed_messages) if args.feed_messages else 0.0
    finally:
        server.stop()
    calls = sum(o[0] for o in outcomes)
    failures = sum(o[1] for o in outcomes)
    rate = calls / wall
    print(f"amazon sandbox, limits off: {calls} calls from {args.clients} clients in {wall:.2f} s")
    print(f"  {rate:,.0f} calls/s  (every {args.put_every}th a putListingsItem), {failures} non-200 answers")
    figures: dict[str, object] = {
        "sandbox": "amazon",
        "calls": calls,
        "seconds": round(wall, 3),
        "calls_per_second": round(rate, 1),
        "failures": failures,
    }
    if args.feed_messages:
        per_second = args.feed_messages / feed_seconds
        print(
            f"  a {args.feed_messages}-message JSON_LISTINGS_FEED: {feed_seconds:.2f} s from upload to report"
            f" ({per_second:,.0f} messages/s, default stage delays)"
        )
        figures.update(feed_messages=args.feed_messages, feed_seconds=round(feed_seconds, 3))
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
