"""Helpers the connector tests share: sample products, a scripted HTTP server, the request recorder and
the sandbox marketplaces with their official-model validators."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from catalog.product import Product
from connectors.http import make_session
from connectors.registry import build_connector

GOLDEN = Path(__file__).parent / "golden"
IMAGE_BASE = "https://images.example.com"


def sample_product(sku: str = "MUG-001", **fields: Any) -> Product:
    """A complete, valid product for every marketplace; `fields` replace any of its values."""
    data: dict[str, Any] = {
        "sku": sku,
        "title": "Stoneware Coffee Mug, 350 ml, Speckled Blue",
        "description": "A hand-glazed stoneware mug that keeps coffee warm. Dishwasher and microwave safe.",
        "brand": "Harbor Clay",
        "gtin": "4006381333931",
        "mpn": "HC-MUG-350-BL",
        "condition": "new",
        "currency": "USD",
        "price": "18.50",
        "quantity": 40,
        "image_urls": [f"{IMAGE_BASE}/{sku}/main.jpg", f"{IMAGE_BASE}/{sku}/side.jpg"],
        "localized": {
            "zh-CN": {
                "title": "手工粗陶咖啡杯 350毫升 蓝色",
                "description": "手工上釉粗陶马克杯，保温，可用洗碗机和微波炉。",
            }
        },
        "attributes": {
            "Color": "Speckled Blue",
            "Capacity": "350 ml",
            "bullet_1": "Hand glazed",
            "bullet_2": "Keeps warm",
        },
        "amazon": {"product_type": "HOME"},
        "ebay": {"category_id": "20625"},
        "tmall": {"cid": 50023724, "props": "20000:3246379;1627207:28326"},
    }
    data.update(fields)
    return Product.model_validate({k: v for k, v in data.items() if v is not None})


@dataclass
class Seen:
    """One request a scripted server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    """What a scripted server sends back; `hold` makes it wait on the event (a hang) before answering."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    hold: threading.Event | None = None


class ScriptedServer:
    """A plain HTTP server on 127.0.0.1 answering from a script: the outside world, for transport tests."""

    def __init__(self) -> None:
        self.script: list[Answer | Callable[[Seen], Answer]] = []
        self.seen: list[Seen] = []
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, dict(self.headers), self.rfile.read(length))
                outer.seen.append(seen)
                step = (
                    outer.script.pop(0) if outer.script else Answer(404, {"errors": [{"code": "NotFound"}]})
                )
                answer = step(seen) if callable(step) else step
                if answer.hold is not None:
                    answer.hold.wait(10)
                data = (
                    answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body or {}).encode()
                )
                self.send_response(answer.status)
                for k, v in {"Content-Type": "application/json", **answer.headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def answer(self, *answers: Answer | Callable[[Seen], Answer]) -> None:
        self.script.extend(answers)


#: The problems of a request against the official model, judged at the moment it was sent (epoch seconds).
Validator = Callable[[requests.PreparedRequest, float], list[str]]


class RecordingAdapter(HTTPAdapter):
    """A transport that keeps every request it sends, then sends it as usual."""

    def __init__(self, sink: list[tuple[requests.PreparedRequest, float]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sink = sink

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.sink.append((request.copy(), time.time()))
        return super().send(request, *args, **kwargs)


class Recorder:
    """Every request the connectors sent during the suite, and the official-model check for each host."""

    def __init__(self) -> None:
        #: each request and when it was sent (TOP's timestamp window is judged at that moment)
        self.sent: list[tuple[requests.PreparedRequest, float]] = []
        self.validators: dict[str, Validator] = {}
        self.checked = 0

    def session(self) -> requests.Session:
        """A pooled session (as `make_session` builds) whose transport records."""
        session = make_session(8)
        adapter = RecordingAdapter(self.sent, pool_connections=4, pool_maxsize=8, max_retries=0)
        session.mount("http://", adapter)
        return session

    @property
    def requests(self) -> list[requests.PreparedRequest]:
        return [request for request, _ in self.sent]

    def validate(self, base_url: str, validator: Validator) -> None:
        """Check requests sent under `base_url` with `validator` (returns the problems found)."""
        self.validators[base_url] = validator

    def problems(self) -> list[str]:
        found: list[str] = []
        for request, sent_at in self.sent:
            for base, validator in self.validators.items():
                if (request.url or "").startswith(base):
                    self.checked += 1
                    found += [
                        f"{request.method} {request.path_url.split('?')[0]}: {p}"
                        for p in validator(request, sent_at)
                    ]
        return found


SANDBOX_SETTINGS: dict[str, dict[str, Any]] = {
    "amazon": {"poll_interval": 0.02},
    "ebay": {
        "fulfillment_policy_id": "6196932000",
        "payment_policy_id": "6196933000",
        "return_policy_id": "6196934000",
        "merchant_location_key": "warehouse-1",
    },
    "tmall": {"rates": {"USD": "7.12"}, "rounding": "cent"},
}


@dataclass
class Market:
    """A running sandbox marketplace, the seller under test, and connectors built as the store would."""

    name: str
    sandbox: Any
    server: Any
    seller: str
    session: requests.Session
    recorder: Recorder

    def connector(self, timeout: tuple[float, float] = (2.0, 10.0), **settings: Any) -> Any:
        return build_connector(
            self.name,
            endpoint=self.server.url,
            credentials=self.sandbox.credentials_for(self.seller),
            settings={**SANDBOX_SETTINGS[self.name], **settings},
            seller_id=self.seller,
            session=self.session,
            timeout=timeout,
        )

    def sent(self, path_part: str = "", method: str | None = None) -> list[requests.PreparedRequest]:
        """Requests recorded to this sandbox whose path contains `path_part` (and of `method`)."""
        return [
            r
            for r in self.recorder.requests
            if (r.url or "").startswith(self.server.url)
            and path_part in r.path_url
            and (method is None or r.method == method)
        ]


def _captured_parts(request: requests.PreparedRequest) -> tuple[str, str, dict[str, str], bytes]:
    parts = urlsplit(request.url or "")
    body = request.body.encode() if isinstance(request.body, str) else (request.body or b"")
    return parts.path, parts.query, dict(request.headers), body


def amazon_validator(sandbox: Any) -> Validator:
    from connectors.sandbox.amazon import CapturedRequest, check_request
    from connectors.sandbox.amazon import spec as amazon_spec

    def validate(request: requests.PreparedRequest, sent_at: float) -> list[str]:
        path, query, headers, body = _captured_parts(request)
        if path.startswith(("/listings/", "/feeds/", "/auth/")):
            return [
                str(p)
                for p in check_request(CapturedRequest(request.method or "", path, query, headers, body))
            ]
        if request.method == "PUT":  # a feed document uploaded to its pre-signed URL
            feed = amazon_spec.document_validator("feed")
            return [e.message for e in feed.iter_errors(json.loads(body))]
        return []

    return validate


def ebay_validator(sandbox: Any) -> Validator:
    from connectors.sandbox.ebay import check_prepared

    def validate(request: requests.PreparedRequest, sent_at: float) -> list[str]:
        return [str(p) for p in check_prepared(request)]

    return validate


def top_validator(sandbox: Any) -> Validator:
    from connectors.sandbox.top import contract
    from connectors.sandbox.top.wire import Captured

    def validate(request: requests.PreparedRequest, sent_at: float) -> list[str]:
        captured = Captured.of(request.method or "", request.url or "", request.headers, request.body)
        return [str(p) for p in contract.problems(captured, sandbox.credentials, now=sent_at)]

    return validate


SANDBOXES = {
    "amazon": ("connectors.sandbox.amazon", "AmazonSandbox"),
    "ebay": ("connectors.sandbox.ebay", "EbaySandbox"),
    "tmall": ("connectors.sandbox.top", "TopSandbox"),
}


def sandbox_class(name: str) -> Any:
    module, cls = SANDBOXES[name]
    return getattr(pytest.importorskip(module), cls)


VALIDATORS: dict[str, Callable[[Any], Validator]] = {
    "amazon": amazon_validator,
    "ebay": ebay_validator,
    "tmall": top_validator,
}


def png_bytes(size: int = 64) -> bytes:
    """A small real PNG (a product photo stand-in)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (size, size), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


class ImageHost:
    """A web server on 127.0.0.1 serving one PNG at every path, as a seller's image host would."""

    def __init__(self) -> None:
        data = png_bytes()
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                outer.hits += 1
                if self.path.startswith("/missing"):
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
