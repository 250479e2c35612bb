"""The confirm and dismiss pages that alert e-mails link to, as a router for the API to include.

GET shows a small page asking the brand owner to confirm (a mail scanner following links changes nothing);
POST does it. A bad, forged or expired token answers 403 with a page saying so. Repeating either is harmless.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from workers.findings import FindingError, TransitionError, UnknownFindingError, confirm, dismiss, get_finding
from workers.mail.errors import TokenError
from workers.mail.tokens import LinkSigner

QUESTIONS = {
    "confirm": ("Confirm this counterfeit?", "Confirm: it is a counterfeit"),
    "dismiss": ("Dismiss this finding?", "Dismiss: this seller is genuine"),
}
DONE = {
    "confirm": "Confirmed. The listing is queued for the brand's IP-complaint export.",
    "dismiss": "Dismissed. The seller is now on the brand's allowlist for this marketplace.",
}
ALREADY = {
    "confirm": "This finding was confirmed already.",
    "dismiss": "This finding was dismissed already.",
}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _refused(reason: str) -> HTMLResponse:
    return _page(
        "This link cannot be used",
        f"<p>{html.escape(reason)}.</p>"
        "<p>Use the links in the newest alert e-mail, or ask for a new one.</p>",
        403,
    )


def findings_router(engine: Engine, signer: LinkSigner) -> APIRouter:
    """`GET|POST /v1/findings/{id}/confirm|dismiss?token=...` over `engine`, checking tokens with `signer`."""
    router = APIRouter(prefix="/v1/findings", tags=["findings"])

    def ask(finding_id: int, action: str, token: str) -> HTMLResponse:
        try:
            signer.verify(token, finding_id, action)
        except TokenError as exc:
            return _refused(str(exc))
        with engine.connect() as conn:
            try:
                finding = get_finding(conn, finding_id)
            except UnknownFindingError:
                return _page("Finding not found", "<p>This finding no longer exists.</p>", 404)
        title, button = QUESTIONS[action]
        ev = finding.evidence
        facts = "".join(
            f"<li>{html.escape(label)}: {html.escape(str(value))}</li>"
            for label, value in (
                ("Brand", finding.brand),
                ("Marketplace", f"{finding.marketplace} listing {finding.listing_id}"),
                ("Title", ev.get("title", "")),
                ("Seller", finding.seller),
                ("Price", f"{ev.get('price', '?')} {ev.get('currency', '')}"),
                ("State", finding.state),
            )
        )
        form = (
            f'<form method="post" action="?token={html.escape(token)}">'
            f'<button type="submit">{html.escape(button)}</button></form>'
        )
        return _page(title, f"<ul>{facts}</ul>{form}")

    def act(finding_id: int, action: str, token: str) -> HTMLResponse:
        try:
            signer.verify(token, finding_id, action)
        except TokenError as exc:
            return _refused(str(exc))
        try:
            with engine.begin() as conn:
                changed = (confirm if action == "confirm" else dismiss)(conn, finding_id)
        except UnknownFindingError:
            return _page("Finding not found", "<p>This finding no longer exists.</p>", 404)
        except TransitionError as exc:
            return _page("Already decided", f"<p>This finding is {html.escape(exc.current)}.</p>", 409)
        except FindingError as exc:
            return _page("Not done", f"<p>{html.escape(str(exc))}</p>", 400)
        return _page("Done", f"<p>{DONE[action] if changed else ALREADY[action]}</p>")

    def routes(action: str) -> None:
        def get(finding_id: int, token: str = Query("")) -> HTMLResponse:
            return ask(finding_id, action, token)

        def post(finding_id: int, token: str = Query("")) -> HTMLResponse:
            return act(finding_id, action, token)

        path = f"/{{finding_id}}/{action}"
        summary = f"Ask the brand owner to {action} a finding"
        router.add_api_route(path, get, methods=["GET"], response_class=HTMLResponse, summary=summary)
        router.add_api_route(
            path,
            post,
            methods=["POST"],
            response_class=HTMLResponse,
            summary=f"{action.capitalize()} a finding",
        )

    for action in QUESTIONS:
        routes(action)
    return router
