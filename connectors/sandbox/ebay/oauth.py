"""`POST /identity/v1/oauth2/token`: eBay's OAuth token endpoint.

The client authenticates with `Authorization: Basic base64(client_id:client_secret)`; the form carries
`grant_type`, and `refresh_token` and `scope` (space separated) as the grant needs. Answers and refusals
have eBay's shapes: `{access_token, expires_in, token_type}` and `{error, error_description}`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from connectors.sandbox.ebay import errors
from connectors.sandbox.ebay.auth import ACCESS_SECONDS, APP, APP_SCOPES, USER
from connectors.sandbox.ebay.responses import malformed, refuse, respond
from connectors.sandbox.faults import Fault

if TYPE_CHECKING:
    from connectors.sandbox.ebay.sandbox import EbaySandbox

_MALFORMED = "request is missing a required parameter or malformed."


def _client(header: str | None) -> tuple[str, str] | None:
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


class TokenEndpoint:
    def __init__(self, sandbox: EbaySandbox) -> None:
        self.sandbox = sandbox

    async def endpoint(self, request: Request) -> Response:
        sandbox = self.sandbox
        sandbox.stats["token"] += 1
        latency = sandbox.faults.plan.latency_seconds
        if latency:
            await asyncio.sleep(latency)
        fault = sandbox.faults.draw("token", write=False)
        try:
            if fault is Fault.ERROR:
                raise errors.OAuthError(500, "server_error", "There was an internal error on the server.")
            if fault is Fault.THROTTLE:
                raise errors.too_many_requests()
            if fault is Fault.HANG:
                await asyncio.sleep(sandbox.faults.plan.hang_seconds)
            answer = self._grant(request.headers, await request.body())
        except errors.EbaySandboxError as refusal:
            return refuse(refusal)
        if fault is Fault.MALFORMED:
            return malformed(answer)
        return respond(200, answer, {"Cache-Control": "no-store"})

    def _grant(self, headers: object, raw: bytes) -> dict[str, object]:
        sandbox = self.sandbox
        get = headers.get  # type: ignore[attr-defined]
        client = _client(get("authorization"))
        if client is None or not sandbox.authority.client_ok(*client):
            raise errors.OAuthError(401, "invalid_client", "client authentication failed")
        if get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            raise errors.OAuthError(400, "invalid_request", _MALFORMED)
        try:
            form = dict(parse_qsl(raw.decode(), keep_blank_values=True, strict_parsing=bool(raw)))
        except (UnicodeDecodeError, ValueError) as bad:
            raise errors.OAuthError(400, "invalid_request", _MALFORMED) from bad
        grant = form.get("grant_type")
        asked = set(form.get("scope", "").split())
        if grant == "refresh_token":
            if not form.get("refresh_token"):
                raise errors.OAuthError(400, "invalid_request", _MALFORMED)
            granted = sandbox.authority.granted(form["refresh_token"])
            if granted is None:
                raise errors.OAuthError(
                    400,
                    "invalid_grant",
                    "the provided authorization refresh token is invalid or was issued to another client",
                )
            seller, scopes = granted
            self._scopes_ok(asked, scopes)
            if not sandbox.quota.take(sandbox.credentials.client_id, "refresh_token"):
                raise errors.too_many_requests()
            token = sandbox.authority.access_token(USER, seller, asked or scopes)
            return {"access_token": token, "expires_in": ACCESS_SECONDS, "token_type": "User Access Token"}
        if grant == "client_credentials":
            self._scopes_ok(asked, frozenset(APP_SCOPES))
            if not sandbox.quota.take(sandbox.credentials.client_id, "client_credentials"):
                raise errors.too_many_requests()
            token = sandbox.authority.access_token(APP, "", asked or APP_SCOPES)
            return {
                "access_token": token,
                "expires_in": ACCESS_SECONDS,
                "token_type": "Application Access Token",
            }
        if grant == "authorization_code":
            raise errors.OAuthError(
                400,
                "invalid_grant",
                "the provided authorization grant code is invalid or was issued to another client",
            )
        if not grant:
            raise errors.OAuthError(400, "invalid_request", _MALFORMED)
        raise errors.OAuthError(
            400,
            "unsupported_grant_type",
            "grant type in request is not supported by the authorization server",
        )

    @staticmethod
    def _scopes_ok(asked: set[str], granted: frozenset[str]) -> None:
        if not asked <= granted:
            raise errors.OAuthError(
                400,
                "invalid_scope",
                "The requested scope is invalid, unknown, malformed, or exceeds the scope granted to the "
                "client",
            )
