"""Connect a seller to running sandbox marketplaces: what the demo, the benchmarks and the tests share."""

from __future__ import annotations

import io
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
import sqlalchemy as sa
from requests.adapters import HTTPAdapter
from sqlalchemy import Engine

from connectors.ebay import EbayConnector
from connectors.errors import TransientError
from connectors.sandbox.run import RunningSandboxes
from workers.accounts import Connectors, save_account
from workers.context import writing
from workers.scan_accounts import DEFAULT_SCAN_SELLER
from workers.store.models import Seller
from workers.store.sellers import add_seller

SANDBOX_SETTINGS: dict[str, dict[str, Any]] = {
    "amazon": {"poll_interval": 0.2},
    "ebay": {
        "fulfillment_policy_id": "6196932000",
        "payment_policy_id": "6196933000",
        "return_policy_id": "6196934000",
        "merchant_location_key": "warehouse-1",
    },
    "tmall": {"rates": {"USD": "7.12"}},
}


def connect_sandboxes(
    engine: Engine,
    seller_id: str,
    running: RunningSandboxes,
    secret_key: str,
    *,
    marketplaces: tuple[str, ...] = ("amazon", "ebay", "tmall"),
) -> None:
    """Store the seller's sandbox accounts and create the eBay inventory location offers need."""
    with writing(engine) as conn:
        for marketplace in marketplaces:
            sandbox: Any = running.sandbox(marketplace)
            credentials = dict(sandbox.credentials_for(seller_id))
            credentials.setdefault("seller_id", seller_id)
            save_account(
                conn,
                seller_id,
                marketplace,
                credentials=credentials,
                secret_key=secret_key,
                endpoint=running.url(marketplace),
                settings=SANDBOX_SETTINGS[marketplace],
            )
    if "ebay" in marketplaces:
        connector = Connectors(engine, secret_key).get(seller_id, "ebay")
        assert isinstance(connector, EbayConnector)
        for attempt in range(10):  # a sandbox with faults injected may fail the first tries
            try:
                connector.ensure_location("warehouse-1", "US", "95125")
                break
            except TransientError:
                if attempt == 9:
                    raise


def connect_scanner(
    engine: Engine,
    running: RunningSandboxes,
    secret_key: str,
    *,
    seller: str = DEFAULT_SCAN_SELLER,
    limits: bool = True,
    marketplaces: tuple[str, ...] = ("amazon", "ebay", "tmall"),
) -> None:
    """Give scans their accounts on running sandboxes: add the scan seller (if new) and connect it. Sandboxes
    run without limits (`limits=False`) get accounts whose searches are not paced."""
    with writing(engine) as conn:
        if not conn.execute(sa.select(Seller.id).where(Seller.id == seller)).first():
            add_seller(conn, seller, name="Marketplace scans")
        for marketplace in marketplaces:
            sandbox: Any = running.sandbox(marketplace)
            credentials = dict(sandbox.credentials_for(seller))
            credentials.setdefault("seller_id", seller)
            save_account(
                conn,
                seller,
                marketplace,
                credentials=credentials,
                secret_key=secret_key,
                endpoint=running.url(marketplace),
                settings={} if limits else {"rate_limits": False},
            )


#: Image URLs in sandbox catalogues: eBay wants HTTPS, TOP needs the bytes, so sessions that mount
#: `ImageHostAdapter` fetch this host's pictures from a local image host instead.
IMAGE_HOST = "https://images.example.com/"


class ImageHost:
    """A local web server standing in for a seller's image host: every path answers one small PNG, unless
    `put` gave it other bytes or `fail` makes it answer 503. It counts the requests per path (`requests`)."""

    def __init__(self) -> None:
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (32, 32), (30, 90, 160)).save(buffer, "PNG")
        default = buffer.getvalue()
        self.images: dict[str, bytes] = {}
        self.failing: set[str] = set()
        self.requests: Counter[str] = Counter()
        lock = threading.Lock()
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0].lstrip("/")
                with lock:
                    host.requests[path] += 1
                if path in host.failing:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = host.images.get(path, default)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def put(self, path: str, data: bytes) -> str:
        """Serve `data` at `path`; returns its `IMAGE_HOST` URL."""
        self.images[path] = data
        return IMAGE_HOST + path

    def fail(self, path: str, failing: bool = True) -> None:
        """Answer 503 at `path` (or stop doing so)."""
        (self.failing.add if failing else self.failing.discard)(path)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


class ImageHostAdapter(HTTPAdapter):
    """Sends requests for `IMAGE_HOST` to a local `ImageHost` over HTTP."""

    def __init__(self, local_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.local_url = local_url

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        request.url = self.local_url + (request.url or "")[len(IMAGE_HOST) :]
        return super().send(request, *args, **kwargs)
