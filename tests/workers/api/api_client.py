"""The API served by uvicorn on a free port, and a seller sending signed webhooks (`standardwebhooks`)."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests
import uvicorn
from sqlalchemy import Engine
from standardwebhooks import Webhook

from workers.api.app import create_app
from workers.api.deps import Services
from workers.store.sellers import NewSeller


def product(sku: str, **changes: Any) -> dict[str, Any]:
    """A valid product in the shared schema's JSON form."""
    data = {
        "sku": sku,
        "title": f"Walnut desk organiser {sku}",
        "brand": "Oakline",
        "currency": "USD",
        "price": "24.50",
        "quantity": 7,
        "image_urls": [f"https://img.example.com/{sku}.jpg"],
        "localized": {"zh-CN": {"title": "胡桃木桌面收纳盒"}},
    }
    data.update(changes)
    return data


def payload(event_type: str, data: dict[str, Any]) -> bytes:
    return json.dumps({"type": event_type, "timestamp": "2026-11-23T03:00:00Z", "data": data}).encode()


class WebhookClient:
    def __init__(self, base_url: str, seller: NewSeller) -> None:
        self.base_url = base_url
        self.seller_id = seller.seller.id
        self.secret = seller.webhook_secret
        self.session = requests.Session()

    def url(self, seller_id: str | None = None) -> str:
        return f"{self.base_url}/v1/sellers/{seller_id or self.seller_id}/webhooks"

    def headers(
        self, body: bytes, *, secret: str | None = None, webhook_id: str | None = None, age: float = 0
    ) -> dict[str, str]:
        webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
        sent = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=age)
        signature = Webhook(secret or self.secret).sign(webhook_id, sent, body.decode())
        return {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(sent.timestamp())),
            "webhook-signature": signature,
            "content-type": "application/json",
        }

    def send(
        self,
        body: bytes,
        *,
        seller_id: str | None = None,
        headers: dict[str, str] | None = None,
        **sign: Any,
    ) -> requests.Response:
        return self.session.post(
            self.url(seller_id), data=body, headers=headers or self.headers(body, **sign), timeout=10
        )

    def event(self, event_type: str, data: dict[str, Any], **sign: Any) -> requests.Response:
        return self.send(payload(event_type, data), **sign)


class ServedApp:
    """uvicorn in a thread on a socket bound before it starts, so requests queue until it accepts them."""

    def __init__(self, svc: Services) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        host, port = self.sock.getsockname()
        self.url = f"http://{host}:{port}"
        config = uvicorn.Config(create_app(svc), log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ServedApp:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@dataclass(frozen=True)
class Api:
    url: str
    engine: Engine
    seller: NewSeller = field(repr=False)  # holds the secret and the key
    webhooks: WebhookClient = field(repr=False)
