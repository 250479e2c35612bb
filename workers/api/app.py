"""The seller API as an ASGI app: `create_app(services)`, or `from_env()` as uvicorn's factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from workers.api import health, reads, webhooks
from workers.api.committer import Committer
from workers.api.deps import Services
from workers.api.errors import ApiError
from workers.api_findings import findings_router


def create_app(svc: Services) -> FastAPI:
    committer = Committer(svc.engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        committer.close()  # answers what it holds, then stops

    app = FastAPI(
        lifespan=lifespan,
        # FastAPI's built-in OpenTelemetry costs a quarter of a webhook's CPU time even with no exporter, and
        # its logs would carry exception messages; switched off until someone wires an exporter.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
        title="listing-sync seller API",
        version="1",
        description=(
            "Signed seller webhooks that start syncs, read access to runs and listings, and the confirm "
            "and dismiss pages that counterfeit alerts link to."
        ),
    )
    app.state.services = svc
    app.state.committer = committer
    app.include_router(webhooks.router, tags=["webhooks"])
    app.include_router(reads.router, tags=["runs and listings"])
    app.include_router(health.router, tags=["health"])
    if svc.link_signer is not None:
        app.include_router(findings_router(svc.engine, svc.link_signer))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status, headers=exc.headers)

    return app


def from_env() -> FastAPI:
    """uvicorn's factory (`workers.api.app:from_env`): settings read from the environment, broker set up."""
    import redis

    from workers.broker import redis_url, setup_broker
    from workers.mail.config import MailSettings, link_signer
    from workers.settings import Settings
    from workers.store import open_engine

    settings = Settings.from_env()
    url = redis_url(settings)
    setup_broker(url)
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    signer = link_signer(MailSettings.from_env(settings))
    app = create_app(Services(open_engine(settings.database_url), client, link_signer=signer))
    # What is loaded by now (modules, the app, the models) lives as long as the process: moved out of the
    # collector's sight, a full collection walks only what requests create, in milliseconds, not 100+.
    gc.freeze()
    return app
