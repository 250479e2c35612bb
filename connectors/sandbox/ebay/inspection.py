"""`/_sandbox/...`: the sandbox's state as JSON for the standalone mode and the demo (not eBay's API).

- `GET /_sandbox/summary`: calls per operation, throttled calls, injected faults, accepted writes
- `GET /_sandbox/sellers`: seller ids seen
- `GET /_sandbox/sellers/{seller}/live`: the seller's live listings
- `GET /_sandbox/sellers/{seller}/ledger`: creates / updates / ends per SKU
- `GET /_sandbox/sellers/{seller}/inventory`, `/offers`, `/locations`
- `GET /_sandbox/sellers/{seller}/skus/{sku}`: item, offers, listings, ledger and history of one SKU
- `GET /_sandbox/credentials/{seller}`: the seller's sandbox credentials (as `credentials_for`)
- `POST /_sandbox/expire-tokens`: invalidate every access token issued so far
- `POST /_sandbox/seed`: plant other sellers' listings for Browse searches (see `browse.py`)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connectors.sandbox.ebay.responses import respond

if TYPE_CHECKING:
    from connectors.sandbox.ebay.sandbox import EbaySandbox


def routes(sandbox: EbaySandbox) -> list[Route]:
    def reader(read: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            return respond(200, read(request))

        return endpoint

    def ledger(request: Request) -> dict[str, Any]:
        seller = request.path_params["seller"]
        return {sku: vars(counts) for sku, counts in sandbox.ledger.all(seller).items()}

    async def expire(request: Request) -> Response:
        sandbox.expire_tokens()
        return respond(204)

    seller = "/_sandbox/sellers/{seller}"
    return [
        Route("/_sandbox", reader(lambda r: sandbox.summary())),
        Route("/_sandbox/summary", reader(lambda r: sandbox.summary())),
        Route("/_sandbox/sellers", reader(lambda r: sandbox.sellers())),
        Route(f"{seller}/live", reader(lambda r: sandbox.live(r.path_params["seller"]))),
        Route(f"{seller}/ledger", reader(ledger)),
        Route(f"{seller}/inventory", reader(lambda r: sandbox.inventory(r.path_params["seller"]))),
        Route(f"{seller}/offers", reader(lambda r: sandbox.offers(r.path_params["seller"]))),
        Route(f"{seller}/locations", reader(lambda r: sandbox.locations(r.path_params["seller"]))),
        Route(
            f"{seller}/skus/{{sku}}",
            reader(lambda r: sandbox.sku(r.path_params["seller"], r.path_params["sku"])),
        ),
        Route(f"{seller}/credentials", reader(lambda r: sandbox.credentials_for(r.path_params["seller"]))),
        Route("/_sandbox/expire-tokens", expire, methods=["POST"]),
    ]
