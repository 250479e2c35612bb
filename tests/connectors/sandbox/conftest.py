"""Fixtures for the sandbox marketplaces: real servers on free ports, real HTTP clients, valid payloads,
hand-moved clocks."""

from __future__ import annotations

import copy
import itertools
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from amazon_helpers import AmazonClient
from amazon_helpers import FakeClock as AmazonClock
from ebay_client import EbayClient, FakeClock
from top_client import GIF, JPEG, PNG, TOP_ITEM, TopClient, TopFactory

from connectors.sandbox.amazon import AmazonSandbox
from connectors.sandbox.ebay import EbaySandbox
from connectors.sandbox.server import BackgroundServer
from connectors.sandbox.top import TopSandbox

_sellers = itertools.count(1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def shared_ebay() -> Iterator[tuple[EbaySandbox, str]]:
    """One default eBay sandbox for the tests that only need their own seller."""
    sandbox = EbaySandbox()
    server = sandbox.serve()
    yield sandbox, server.url
    server.stop()


@pytest.fixture
def ebay(shared_ebay: tuple[EbaySandbox, str]) -> EbaySandbox:
    return shared_ebay[0]


@pytest.fixture
def seller() -> str:
    """A seller id no other test uses, so tests can share one sandbox."""
    return f"seller-{next(_sellers)}"


@pytest.fixture
def ebay_client(shared_ebay: tuple[EbaySandbox, str], seller: str) -> EbayClient:
    sandbox, url = shared_ebay
    return EbayClient(url, sandbox.credentials_for(seller)).login()


@pytest.fixture
def serve_ebay() -> Iterator[Callable[..., tuple[EbaySandbox, EbayClient]]]:
    """Start an eBay sandbox with options; answers it and a logged-in client for a fresh seller."""
    servers = []

    def start(seller_id: str = "seller-x", **options: Any) -> tuple[EbaySandbox, EbayClient]:
        sandbox = EbaySandbox(**options)
        server = sandbox.serve()
        servers.append(server)
        return sandbox, EbayClient(server.url, sandbox.credentials_for(seller_id))

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def item() -> dict[str, Any]:
    """An inventory item with everything eBay needs before its offer can be published."""
    return copy.deepcopy(
        {
            "product": {
                "title": "Enamel camping mug, 350 ml, blue",
                "description": "A sturdy enamel mug for camping.",
                "imageUrls": ["https://images.example.com/mug-1.jpg"],
                "aspects": {"Brand": ["Acme"], "Colour": ["Blue"]},
            },
            "condition": "NEW",
            "availability": {"shipToLocationAvailability": {"quantity": 5}},
        }
    )


@pytest.fixture
def offer() -> dict[str, Any]:
    """The offer fields eBay needs to publish (the SKU is added by the test)."""
    return copy.deepcopy(
        {
            "marketplaceId": "EBAY_US",
            "format": "FIXED_PRICE",
            "categoryId": "20625",
            "merchantLocationKey": "warehouse-1",
            "pricingSummary": {"price": {"value": "12.50", "currency": "USD"}},
            "listingPolicies": {
                "fulfillmentPolicyId": "6196932000",
                "paymentPolicyId": "6196933000",
                "returnPolicyId": "6196934000",
            },
        }
    )


@pytest.fixture
def top_item() -> dict[str, str]:
    """The business parameters of a valid `taobao.item.add`, picture aside."""
    return dict(TOP_ITEM)


@pytest.fixture
def top_images() -> dict[str, bytes]:
    """Tiny byte strings that sniff as PNG, JPEG and GIF."""
    return {"png": PNG, "jpeg": JPEG, "gif": GIF}


@pytest.fixture
def make_top() -> Iterator[TopFactory]:
    factory = TopFactory()
    yield factory
    for server in factory.servers:
        server.stop()


@pytest.fixture
def top(make_top: TopFactory) -> tuple[TopSandbox, TopClient]:
    """A TOP sandbox with limits off and a client for seller-1."""
    return make_top()


@pytest.fixture(scope="module")
def amazon_clock() -> AmazonClock:
    """One hand-moved clock per test module, shared by every sandbox the module starts."""
    return FakeClock()


@pytest.fixture
def start_amazon(amazon_clock: AmazonClock) -> Iterator[Callable[..., tuple[AmazonSandbox, str]]]:
    """Start an Amazon sandbox with the given options (limits off and the fake clock unless told)."""
    servers: list[BackgroundServer] = []

    def start(**options: Any) -> tuple[AmazonSandbox, str]:
        options = {
            "limits": False,
            "clock": amazon_clock,
            "feed_queue_seconds": 0.0,
            "feed_progress_seconds": 0.0,
            **options,
        }
        sandbox = AmazonSandbox(**options)
        server = sandbox.serve()
        servers.append(server)
        return sandbox, server.url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def amazon_server(amazon_clock: AmazonClock) -> Iterator[tuple[AmazonSandbox, str]]:
    """One Amazon sandbox (limits off) per test module; tests keep apart by using their own seller."""
    sandbox = AmazonSandbox(
        limits=False, clock=amazon_clock, feed_queue_seconds=0.0, feed_progress_seconds=0.0
    )
    server = sandbox.serve()
    yield sandbox, server.url
    server.stop()


@pytest.fixture
def amazon(amazon_server: tuple[AmazonSandbox, str]) -> Iterator[AmazonClient]:
    """A seller of its own, logged in to the module's Amazon sandbox."""
    sandbox, url = amazon_server
    client = AmazonClient(sandbox, url, seller_id=f"A{uuid.uuid4().hex[:12].upper()}")
    yield client
    client.http.close()
