"""Fixtures for the connector tests: products, golden files, a scripted server, the recorder, sandboxes."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from connector_support import (
    GOLDEN,
    VALIDATORS,
    ImageHost,
    Market,
    Recorder,
    ScriptedServer,
    sample_product,
    sandbox_class,
)

from catalog.product import Product


@pytest.fixture
def make_product() -> Callable[..., Product]:
    """`make_product(sku, **fields)`: a complete, valid product for every marketplace."""
    return sample_product


@pytest.fixture
def golden() -> Callable[[str, Any], None]:
    """Compare a payload with `golden/<name>.json`; `UPDATE_GOLDEN=1` rewrites the file instead."""

    def check(name: str, payload: Any) -> None:
        path = GOLDEN / f"{name}.json"
        text = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1 and review it"
        assert json.loads(text) == json.loads(path.read_text(encoding="utf-8"))

    return check


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    """A scripted HTTP server; held answers are released at the end of the test."""
    server = ScriptedServer()
    server.thread.start()
    yield server
    server.release.set()
    server.httpd.shutdown()
    server.httpd.server_close()
    server.thread.join(5)


@pytest.fixture(scope="session")
def recorder() -> Iterator[Recorder]:
    """Records what the connectors send; at the end of the suite every request must keep to the models."""
    recorder = Recorder()
    yield recorder
    problems = recorder.problems()
    assert recorder.checked or not recorder.validators, "sandboxes served but no request was checked"
    assert not problems, f"{len(problems)} requests break the official models:\n" + "\n".join(problems[:20])


@pytest.fixture(scope="session")
def recorded_session(recorder: Recorder) -> requests.Session:
    return recorder.session()


@pytest.fixture
def make_sandbox(recorder: Recorder, recorded_session: requests.Session, request: pytest.FixtureRequest):
    """`make_sandbox(name, limits=False, faults=None, **options)`: a sandbox serving on a free port."""
    servers: list[Any] = []
    seller = "seller-" + request.node.name[:40].replace("[", "-").replace("]", "")

    def make(name: str, *, limits: bool = False, faults: Any = None, **options: Any) -> Market:
        sandbox = sandbox_class(name)(limits=limits, faults=faults, **options)
        server = sandbox.serve()
        servers.append(server)
        if name in VALIDATORS:
            recorder.validate(server.url, VALIDATORS[name](sandbox))
        return Market(name, sandbox, server, seller, recorded_session, recorder)

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def amazon(make_sandbox) -> Market:
    return make_sandbox("amazon")


@pytest.fixture
def amazon_limited(make_sandbox) -> Market:
    """Amazon with its documented limits and a clock that stands still, so throttling is exact."""
    frozen = time.time()
    return make_sandbox("amazon", limits=True, clock=lambda: frozen)


@pytest.fixture
def ebay(make_sandbox) -> Market:
    return make_sandbox("ebay")


@pytest.fixture
def tmall(make_sandbox) -> Market:
    return make_sandbox("tmall")


@pytest.fixture(scope="session")
def image_host() -> Iterator[ImageHost]:
    """Serves product images over real HTTP for connectors that upload bytes (TOP)."""
    host = ImageHost()
    host.thread.start()
    yield host
    host.httpd.shutdown()
    host.httpd.server_close()
    host.thread.join(5)


@pytest.fixture
def make_photo() -> Callable[..., bytes]:
    """`make_photo(shade, kind="PNG")`: a small real image, a different picture for each shade."""
    import io

    from PIL import Image, ImageDraw

    def make(shade: int = 0, kind: str = "PNG", size: int = 48) -> bytes:
        image = Image.new("RGB", (size, size), ((shade * 53) % 256, (shade * 97) % 256, 120))
        ImageDraw.Draw(image).rectangle((4, 4, 4 + shade % 30, 20), fill=(255, 255, 255))
        out = io.BytesIO()
        image.save(out, kind)
        return out.getvalue()

    return make
