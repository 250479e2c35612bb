"""Answers in eBay's shapes: JSON bodies, refusals, and the cut-short bodies of the MALFORMED fault."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from connectors.sandbox.ebay import errors


def dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def respond(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Response:
    if body is None:
        return Response(status_code=status, headers=headers)
    return Response(dumps(body), status_code=status, headers=headers, media_type="application/json")


def refuse(refusal: errors.EbaySandboxError) -> Response:
    return respond(refusal.status, refusal.body(), refusal.headers())


def malformed(body: Any) -> Response:
    """A 200 whose JSON is cut short, as a broken proxy or a half-sent answer would give."""
    text = dumps(body if body is not None else {"warnings": []})
    return Response(text[: max(1, len(text) // 2)], status_code=200, media_type="application/json")
