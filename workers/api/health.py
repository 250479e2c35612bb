"""`/healthz` (the process answers) and `/readyz` (Redis and the database answer too; 503 otherwise)."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from workers.api.deps import Services, services

router = APIRouter()


@router.get("/healthz", summary="The API process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Redis and the database are reachable")
async def readyz(svc: Annotated[Services, Depends(services)]) -> Any:
    checks = await run_in_threadpool(_checks, svc)
    ready = all(state == "ok" for state in checks.values())
    return JSONResponse({"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503)


def _checks(svc: Services) -> dict[str, str]:
    checks = {}
    # Only the exception's type is reported: messages may carry hosts or credentials.
    try:
        svc.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"unreachable ({type(exc).__name__})"
    try:
        with svc.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable ({type(exc).__name__})"
    return checks
