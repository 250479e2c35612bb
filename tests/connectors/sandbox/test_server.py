from __future__ import annotations

import requests
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.sandbox.server import BackgroundServer


async def _hello(request: object) -> JSONResponse:
    return JSONResponse({"hello": "world"})


APP = Starlette(routes=[Route("/", _hello)])


def test_a_background_server_answers_on_a_free_port_until_stopped() -> None:
    server = BackgroundServer(APP).start()
    try:
        assert server.port > 0
        assert requests.get(server.url + "/", timeout=5).json() == {"hello": "world"}
    finally:
        server.stop()
    try:
        requests.get(server.url + "/", timeout=1)
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("the stopped server still answered")


def test_a_started_server_can_be_used_as_a_context_manager() -> None:
    with BackgroundServer(APP).start() as server:
        assert requests.get(server.url + "/", timeout=5).status_code == 200
