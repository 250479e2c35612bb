"""The TOP sandbox's ASGI app: the gateway, the sellers' images, and JSON inspection under `/_sandbox/`."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.sandbox.top import search
from connectors.sandbox.top.categories import BRANDS, CATEGORIES
from connectors.sandbox.top.model import METHODS

if TYPE_CHECKING:
    from connectors.sandbox.top.sandbox import TopSandbox

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def build_app(sandbox: TopSandbox) -> Starlette:
    def seller(request: Request) -> str:
        return request.path_params["seller"]

    async def image(request: Request) -> Response:
        picture = sandbox.store.pictures.get(request.path_params["path"])
        if picture is None:
            return Response(status_code=404)
        return Response(picture.data, media_type=picture.content_type)

    async def overview(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "marketplace": "top",
                "gateway": "/router/rest",
                "app_key": sandbox.credentials.app_key,
                "methods": sorted(METHODS),
                "stats": sandbox.stats(),
            }
        )

    async def items(request: Request) -> JSONResponse:
        return JSONResponse(sandbox.items_of(seller(request), request.query_params.get("outer_id")))

    async def live(request: Request) -> JSONResponse:
        return JSONResponse(sandbox.live(seller(request)))

    async def ledger(request: Request) -> JSONResponse:
        return JSONResponse({sku: asdict(c) for sku, c in sandbox.counts(seller(request)).items()})

    async def pictures(request: Request) -> JSONResponse:
        return JSONResponse(sandbox.pictures(seller(request)))

    async def credentials(request: Request) -> JSONResponse:
        return JSONResponse(sandbox.credentials_for(seller(request)))

    async def authorize(request: Request) -> JSONResponse:
        vid = request.path_params["vid"]
        if vid not in BRANDS:
            return JSONResponse({"error": f"unknown brand vid {vid}"}, status_code=404)
        sandbox.authorize_brand(seller(request), vid)
        return JSONResponse({"seller_id": seller(request), "brand": vid, "authorized": True})

    async def item(request: Request) -> JSONResponse:
        try:
            return JSONResponse(sandbox.item(request.path_params["num_iid"]))
        except KeyError:
            return JSONResponse({"error": "no such item"}, status_code=404)

    async def categories(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "categories": [
                    {
                        "cid": c.cid,
                        "name": c.name,
                        "leaf": c.leaf,
                        "required_pids": sorted(c.required),
                        "optional_pids": sorted(c.optional),
                    }
                    for c in CATEGORIES.values()
                ],
                "brands": [{"vid": vid, "name": name} for vid, name in BRANDS.items()],
            }
        )

    async def stats(request: Request) -> JSONResponse:
        return JSONResponse(sandbox.stats())

    async def reset(request: Request) -> JSONResponse:
        sandbox.reset()
        return JSONResponse({"reset": True})

    routes = [
        Route("/router/rest", sandbox.gateway.handle, methods=ALL_METHODS),
        Route("/imgextra/{path:path}", image, methods=["GET"]),
        Route("/_sandbox", overview, methods=["GET"]),
        Route("/_sandbox/stats", stats, methods=["GET"]),
        Route("/_sandbox/categories", categories, methods=["GET"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/items/{num_iid:int}", item, methods=["GET"]),
        Route("/_sandbox/sellers/{seller}/items", items, methods=["GET"]),
        Route("/_sandbox/sellers/{seller}/live", live, methods=["GET"]),
        Route("/_sandbox/sellers/{seller}/ledger", ledger, methods=["GET"]),
        Route("/_sandbox/sellers/{seller}/pictures", pictures, methods=["GET"]),
        Route("/_sandbox/sellers/{seller}/credentials", credentials, methods=["GET"]),
        Route("/_sandbox/sellers/{seller}/brands/{vid:int}", authorize, methods=["POST"]),
        *search.routes(sandbox),
    ]
    return Starlette(routes=routes)
