"""Login with Amazon for the sandbox: app credentials, per-seller refresh tokens, signed access tokens.

Refresh tokens are derived from the seller id with the sandbox secret (HMAC), so any seller id works without
registration and the same seller gets the same token after a restart. Access tokens are signed too and carry
their seller and expiry, so checking one is a hash, not a lookup.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from connectors.sandbox.amazon.errors import LwaError, Unauthorized

ENV_PREFIX = "LISTING_SYNC_SANDBOX_AMAZON_"
DEFAULT_CLIENT_ID = "amzn1.application-oa2-client.listingsyncsandbox"
DEFAULT_CLIENT_SECRET = "amzn1.oa2-cs.v1.listing-sync-sandbox-client-secret"
DEFAULT_SECRET = "listing-sync-amazon-sandbox-secret"
TOKEN_LIFETIME = 3600


@dataclass(frozen=True)
class AppCredentials:
    """The LWA application's client id and secret, and the secret that seller tokens are derived from."""

    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    secret: str = DEFAULT_SECRET

    def __repr__(self) -> str:
        return f"AppCredentials(client_id={self.client_id!r}, client_secret=***, secret=***)"

    @classmethod
    def resolve(
        cls,
        client_id: str | None = None,
        client_secret: str | None = None,
        secret: str | None = None,
        environ: Mapping[str, str] = os.environ,
    ) -> AppCredentials:
        """Constructor options first, then `LISTING_SYNC_SANDBOX_AMAZON_{CLIENT_ID,CLIENT_SECRET,SECRET}`,
        then the defaults."""
        return cls(
            client_id or environ.get(ENV_PREFIX + "CLIENT_ID") or DEFAULT_CLIENT_ID,
            client_secret or environ.get(ENV_PREFIX + "CLIENT_SECRET") or DEFAULT_CLIENT_SECRET,
            secret or environ.get(ENV_PREFIX + "SECRET") or DEFAULT_SECRET,
        )


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _unb64(text: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


class Tokens:
    """Issues and checks LWA tokens; `expire_all` moves the token clock on by one lifetime."""

    def __init__(
        self,
        credentials: AppCredentials,
        *,
        clock: Callable[[], float] = time.time,
        lifetime: int = TOKEN_LIFETIME,
    ) -> None:
        self.credentials = credentials
        self.lifetime = lifetime
        self._clock = clock
        self._skew = 0.0
        self._key = credentials.secret.encode("utf-8")

    def now(self) -> float:
        return self._clock() + self._skew

    def expire_all(self) -> None:
        """Every access token issued so far is expired from now on; new ones work."""
        self._skew += self.lifetime

    def _mac(self, *parts: str) -> str:
        return hmac.new(self._key, "|".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()[:40]

    def refresh_token(self, seller_id: str) -> str:
        encoded = _b64(seller_id)
        return f"Atzr|{encoded}|{self._mac('refresh', encoded)}"

    def seller_of_refresh_token(self, token: str) -> str | None:
        parts = token.split("|")
        if len(parts) != 3 or parts[0] != "Atzr":
            return None
        if not _same(parts[2], self._mac("refresh", parts[1])):
            return None
        return _unb64(parts[1])

    def access_token(self, seller_id: str) -> str:
        encoded = _b64(seller_id)
        expires = f"{self.now() + self.lifetime:.6f}"
        return f"Atza|{encoded}|{expires}|{self._mac('access', encoded, expires)}"

    def seller_of_access_token(self, token: str | None) -> str:
        """The seller the token was issued to; `Unauthorized` when it is missing, forged or expired."""
        if not token:
            raise Unauthorized("The request is missing the x-amz-access-token header.")
        parts = token.split("|")
        if (
            len(parts) != 4
            or parts[0] != "Atza"
            or not _same(parts[3], self._mac("access", parts[1], parts[2]))
        ):
            raise Unauthorized("The access token you provided is revoked, malformed or invalid.")
        seller = _unb64(parts[1])
        if seller is None:
            raise Unauthorized("The access token you provided is revoked, malformed or invalid.")
        if self.now() >= float(parts[2]):
            raise Unauthorized("The access token you provided has expired.")
        return seller

    def grant(self, form: Mapping[str, str]) -> dict[str, object]:
        """Answer a refresh-token grant, or raise `LwaError` exactly as Login with Amazon does."""
        grant_type = form.get("grant_type", "")
        if not grant_type:
            raise LwaError(400, "invalid_request", "The request is missing a required parameter : grant_type")
        if grant_type != "refresh_token":
            raise LwaError(
                400, "unsupported_grant_type", "The authorization grant type is not supported by the server"
            )
        for name in ("refresh_token", "client_id", "client_secret"):
            if not form.get(name):
                raise LwaError(
                    400, "invalid_request", f"The request is missing a required parameter : {name}"
                )
        creds = self.credentials
        if not (
            _same(form["client_id"], creds.client_id) and _same(form["client_secret"], creds.client_secret)
        ):
            raise LwaError(401, "invalid_client", "Client authentication failed")
        seller = self.seller_of_refresh_token(form["refresh_token"])
        if seller is None:
            raise LwaError(400, "invalid_grant", "The request has an invalid grant parameter : refresh_token")
        return {
            "access_token": self.access_token(seller),
            "refresh_token": form["refresh_token"],
            "token_type": "bearer",
            "expires_in": self.lifetime,
        }

    def credentials_for(self, seller_id: str) -> dict[str, str]:
        """What a seller's connector needs to log in: the app's client id and secret and its refresh token."""
        return {
            "seller_id": seller_id,
            "client_id": self.credentials.client_id,
            "client_secret": self.credentials.client_secret,
            "refresh_token": self.refresh_token(seller_id),
        }
