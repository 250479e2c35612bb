"""eBay OAuth for the sandbox: app credentials, per-seller refresh tokens, and signed access tokens.

Nothing is registered or stored. A seller's refresh token is an HMAC of the seller id (and the scopes it
grants) under the sandbox secret, so any seller id works and its token survives a restart. Access tokens
carry seller, scopes, kind, a serial number and expiry, signed the same way; `expire()` invalidates
every token issued so far.

App credentials default to fixed sandbox values and are read from the environment:
`LISTING_SYNC_SANDBOX_EBAY_CLIENT_ID`, `LISTING_SYNC_SANDBOX_EBAY_CLIENT_SECRET`, and the signing secret
`LISTING_SYNC_SANDBOX_EBAY_SECRET` (falling back to `LISTING_SYNC_SANDBOX_SECRET`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import itertools
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from connectors.sandbox.ebay.model import SCOPE_INVENTORY, SCOPE_READONLY

API_SCOPE = "https://api.ebay.com/oauth/api_scope"
SELL_ACCOUNT = "https://api.ebay.com/oauth/api_scope/sell.account"
# What a seller's consent grants in the sandbox (a refresh grant may ask for any subset).
USER_SCOPES = (API_SCOPE, SCOPE_INVENTORY, SCOPE_READONLY, SELL_ACCOUNT, SELL_ACCOUNT + ".readonly")
APP_SCOPES = (API_SCOPE,)
ACCESS_SECONDS = 7200
USER, APP = "user", "app"
_REFRESH_PREFIX = "v^1.1#i^1#r^1#t^"
_ACCESS_PREFIX = "v^1.1#i^1#p^3#t^"


@dataclass(frozen=True)
class AppCredentials:
    client_id: str = "ListingS-sandbox-PRD-0a1b2c3d4-5e6f7a8b"
    client_secret: str = "PRD-sandbox-secret-5e6f7a8b9c0d"
    secret: str = "listing-sync-ebay-sandbox-signing-secret"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: str | None) -> AppCredentials:
        """Defaults, then the environment, then non-None `overrides` (client_id, client_secret, secret)."""
        env = os.environ if environ is None else environ
        base = cls()
        values = {
            "client_id": env.get("LISTING_SYNC_SANDBOX_EBAY_CLIENT_ID", base.client_id),
            "client_secret": env.get("LISTING_SYNC_SANDBOX_EBAY_CLIENT_SECRET", base.client_secret),
            "secret": env.get(
                "LISTING_SYNC_SANDBOX_EBAY_SECRET", env.get("LISTING_SYNC_SANDBOX_SECRET", base.secret)
            ),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def __repr__(self) -> str:
        return f"AppCredentials(client_id={self.client_id!r}, client_secret=***, secret=***)"


@dataclass(frozen=True)
class Principal:
    """Who an access token speaks for: a seller (user token) or the application itself."""

    kind: str
    seller: str
    scopes: frozenset[str]
    serial: int
    expires: float


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Authority:
    """Issues and checks the sandbox's tokens."""

    def __init__(self, app: AppCredentials, clock: Callable[[], float]) -> None:
        self.app = app
        self.clock = clock
        self._key = hashlib.sha256(f"{app.secret}\0{app.client_id}".encode()).digest()
        self._serials = itertools.count()
        self._valid_from = 0
        self._cache: dict[str, Principal] = {}

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest()[:24])

    def client_ok(self, client_id: str, client_secret: str) -> bool:
        return hmac.compare_digest(client_id.encode(), self.app.client_id.encode()) and hmac.compare_digest(
            client_secret.encode(), self.app.client_secret.encode()
        )

    def refresh_token(self, seller: str, scopes: Iterable[str] = USER_SCOPES) -> str:
        payload = "refresh\n" + seller + "\n" + " ".join(sorted(set(scopes)))
        return _REFRESH_PREFIX + _b64(payload.encode()) + "." + self._sign(payload)

    def _open(self, token: str, prefix: str) -> list[str] | None:
        if not token.startswith(prefix):
            return None
        body, _, signature = token[len(prefix) :].partition(".")
        try:
            payload = _unb64(body).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        return payload.split("\n")

    def granted(self, refresh_token: str) -> tuple[str, frozenset[str]] | None:
        """The seller and scopes a refresh token grants, or None if it is not one of ours."""
        parts = self._open(refresh_token, _REFRESH_PREFIX)
        if parts is None or len(parts) != 3 or parts[0] != "refresh":
            return None
        return parts[1], frozenset(parts[2].split())

    def access_token(self, kind: str, seller: str, scopes: Iterable[str]) -> str:
        expires = self.clock() + ACCESS_SECONDS
        serial = next(self._serials)
        payload = "\n".join(
            ["access", kind, seller, " ".join(sorted(set(scopes))), str(serial), repr(expires)]
        )
        return _ACCESS_PREFIX + _b64(payload.encode()) + "." + self._sign(payload)

    def principal(self, token: str) -> Principal | None:
        """The holder of a valid, unexpired access token, else None."""
        found = self._cache.get(token)
        if found is None:
            parts = self._open(token, _ACCESS_PREFIX)
            if parts is None or len(parts) != 6 or parts[0] != "access":
                return None
            found = Principal(parts[1], parts[2], frozenset(parts[3].split()), int(parts[4]), float(parts[5]))
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[token] = found
        if found.serial < self._valid_from or self.clock() >= found.expires:
            return None
        return found

    def expire(self) -> None:
        """Invalidate every access token issued until now (refresh tokens stay valid)."""
        self._valid_from = next(self._serials)
        self._cache.clear()
