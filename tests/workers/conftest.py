"""Fixtures for the workers: the project's dramatiq broker on the test Redis; for the brand, findings and
alert tests, drawn product images, a folder of official images, a local HTTP server and a registered brand
with a copied listing."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from alert_support import FETCHED_AT, CopiedListing, jpeg_file, listing
from PIL import Image
from sqlalchemy import Engine

from benchmarks import imagery
from fingerprints import DRAFT, ImageLoader
from workers.brands import BrandIndex, Checker, VerdictKind, add_brand, add_images
from workers.broker import PLAN, ListingSyncBroker, setup_broker
from workers.findings import match_from_verdict


@pytest.fixture(scope="session")
def drawn() -> list[Image.Image]:
    """Six drawn products: the first four are a brand's official images, the last two unrelated."""
    rng = random.Random(7)
    return [imagery.draw(imagery.random_product(rng, imagery.KINDS[i % 5])) for i in range(6)]


@pytest.fixture(scope="session")
def copy_of_1(drawn: list[Image.Image]) -> bytes:
    """A counterfeit's copy of official image 1: mirrored, shrunk to 60% and recompressed."""
    mirrored = imagery.TRANSFORMS["mirror"](drawn[1], random.Random(1), [])
    small = mirrored.resize((mirrored.width * 3 // 5, mirrored.height * 3 // 5), Image.Resampling.BILINEAR)
    return imagery.jpeg(small, quality=70)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def brand_folder(tmp_path: Path, drawn: list[Image.Image]) -> Path:
    """Official images 0-3 (one in a subfolder, one a PNG named .dat), a text file and a truncated JPEG."""
    folder = tmp_path / "official"
    (folder / "more").mkdir(parents=True)
    (folder / "a.jpg").write_bytes(imagery.jpeg(drawn[0]))
    (folder / "b.jpeg").write_bytes(imagery.jpeg(drawn[1]))
    (folder / "more" / "c.jpg").write_bytes(imagery.jpeg(drawn[2]))
    (folder / "more" / "d.dat").write_bytes(_png(drawn[3]))
    (folder / "notes.txt").write_text("not an image\n")
    (folder / "broken.jpg").write_bytes(imagery.jpeg(drawn[4])[:400])
    return folder


@pytest.fixture
def web_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1 (a free port): (the folder, the base URL)."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def acme_copy(
    engine: Engine, drawn: list[Image.Image], copy_of_1: bytes, tmp_path: Path, web_root: tuple[Path, str]
) -> CopiedListing:
    """Brand Acme (two contacts, aliases incl. CJK, a 40 USD floor, one authorized seller) owning official
    images 0 and 1 as files, and an eBay listing whose image, served over HTTP, copies image 1."""
    with engine.begin() as conn:
        add_brand(
            conn,
            "Acme",
            emails=["owner@acme.example", "legal@acme.example"],
            aliases=["Acme Tools", "艾克美"],
            authorized=["Good Shop"],
            price_floor="40",
            currency="USD",
        )
    official = [jpeg_file(tmp_path / "official", f"{i}.jpg", imagery.jpeg(drawn[i])) for i in range(2)]
    add_images(engine, "Acme", official, loader=ImageLoader(draft=DRAFT))
    root, base = web_root
    jpeg_file(root, "listing.jpg", copy_of_1)
    url = f"{base}/listing.jpg"
    verdict = Checker(BrandIndex(engine)).check_image(copy_of_1, seller="cheap-deals")
    assert verdict.verdict == VerdictKind.COUNTERFEIT_SUSPECT
    match = match_from_verdict(
        verdict, image_url=url, image_sha256=hashlib.sha256(copy_of_1).hexdigest(), fetched_at=FETCHED_AT
    )
    return CopiedListing(listing(image_urls=(url,)), match)


@pytest.fixture(scope="session")
def broker(redis_url: str) -> ListingSyncBroker:
    """The process's broker (dramatiq has one global, set up once), in a namespace of its own; dead workers
    are noticed within seconds."""
    return setup_broker(
        redis_url,
        namespace=f"ls-test-{uuid.uuid4().hex[:8]}",
        heartbeat_timeout_ms=3000,
        heartbeat_interval=0.5,
    )


@pytest.fixture
def planned(broker: ListingSyncBroker) -> Callable[[], int]:
    """How many more plan messages (started runs) wait than when the test began; nothing consumes them."""
    key = f"{broker.namespace}:{PLAN}.msgs"
    before = int(broker.client.hlen(key))
    return lambda: int(broker.client.hlen(key)) - before


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    """A Redis client on the test Redis."""
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def lock_key(client: redis.Redis) -> Iterator[str]:
    """A Redis key of the test's own for a leader lock; it and its companions are deleted after."""
    key = f"test:scheduler:{uuid.uuid4().hex}"
    yield key
    for found in client.scan_iter(f"{key}*"):
        client.delete(found)
