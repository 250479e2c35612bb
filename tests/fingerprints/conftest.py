"""Fixtures for the fingerprints tests: drawn products, bundled photographs, a real HTTP server."""

from __future__ import annotations

import http.server
import random
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from PIL import Image

from benchmarks import imagery


@pytest.fixture(scope="session")
def products() -> list[imagery.Product]:
    rng = random.Random(11)
    return [imagery.random_product(rng, imagery.KINDS[i % len(imagery.KINDS)]) for i in range(10)]


@pytest.fixture(scope="session")
def product_images(products: list[imagery.Product]) -> list[Image.Image]:
    return [imagery.draw(p) for p in products]


@pytest.fixture(scope="session")
def photos() -> dict[str, Image.Image]:
    photos = imagery.photographs()
    if not photos:
        pytest.skip("scikit-image (a test dependency) is not installed")
    return photos


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False


@dataclass
class LocalServer:
    """An http.server on 127.0.0.1 (a free port) answering from a route table."""

    port: int
    routes: dict[str, Route]
    requests: list[str]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def serve(
        self, path: str, body: bytes = b"", status: int = 200, chunked: bool = False, **headers: str
    ) -> str:
        """Answer GET `path` with this response; returns the URL of `path`."""
        self.routes[path] = Route(status, body, {k.replace("_", "-"): v for k, v in headers.items()}, chunked)
        return self.url(path)


def _handler(routes: dict[str, Route], seen: list[str]) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            seen.append(self.path)
            route = routes.get(self.path.split("?", 1)[0], Route(404, b"not found"))
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for start in range(0, len(route.body), 4096):
                    piece = route.body[start : start + 4096]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
                return
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up mid-body (a size cap doing its job) is expected; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@pytest.fixture
def server() -> Iterator[LocalServer]:
    routes: dict[str, Route] = {}
    seen: list[str] = []
    httpd = _QuietServer(("127.0.0.1", 0), _handler(routes, seen))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalServer(httpd.server_address[1], routes, seen)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
