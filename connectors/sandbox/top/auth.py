"""The sandbox app's credentials and the seller sessions derived from them.

One app: `app_key` and `app_secret`, with defaults, overridden by the environment variables
`LISTING_SYNC_SANDBOX_TOP_APP_KEY` / `LISTING_SYNC_SANDBOX_TOP_APP_SECRET`, overridden in turn by the
sandbox's constructor options. A seller's `session` is derived from the seller id and the app secret, so any
seller id works without registration and a session stays valid across restarts: the session carries the id
(hex) behind an HMAC of it, and the sandbox checks the HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass

from connectors.sandbox.top.errors import ConfigError

DEFAULT_APP_KEY = "12345678"
DEFAULT_APP_SECRET = "sandbox-top-app-secret"
ENV_APP_KEY = "LISTING_SYNC_SANDBOX_TOP_APP_KEY"
ENV_APP_SECRET = "LISTING_SYNC_SANDBOX_TOP_APP_SECRET"

_SESSION_PREFIX = "61"
_MAC_CHARS = 40
MAX_SELLER_ID_BYTES = 64


@dataclass(frozen=True)
class AppCredentials:
    """The sandbox app's key and secret (the secret never appears in answers or logs)."""

    app_key: str
    app_secret: str

    def __repr__(self) -> str:
        return f"AppCredentials(app_key={self.app_key!r}, app_secret='***')"

    @classmethod
    def resolve(
        cls,
        app_key: str | None = None,
        app_secret: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> AppCredentials:
        """Options first, then the environment, then the defaults."""
        env = os.environ if environ is None else environ
        key = app_key or env.get(ENV_APP_KEY) or DEFAULT_APP_KEY
        secret = app_secret or env.get(ENV_APP_SECRET) or DEFAULT_APP_SECRET
        if not key.isdigit():
            raise ConfigError(f"TOP app_key must be digits (from option or {ENV_APP_KEY})")
        return cls(key, secret)

    def session_for(self, seller_id: str) -> str:
        """The seller's session key, the same for the same seller id and secret."""
        raw = seller_id.encode("utf-8")
        if not raw or len(raw) > MAX_SELLER_ID_BYTES:
            raise ConfigError(f"seller id must be 1..{MAX_SELLER_ID_BYTES} bytes")
        return _SESSION_PREFIX + self._mac(raw) + raw.hex()

    def seller_of(self, session: str) -> str | None:
        """The seller id a session was issued to, or None when this app did not issue it."""
        if not session.startswith(_SESSION_PREFIX):
            return None
        mac = session[len(_SESSION_PREFIX) : len(_SESSION_PREFIX) + _MAC_CHARS]
        try:
            raw = bytes.fromhex(session[len(_SESSION_PREFIX) + _MAC_CHARS :])
            seller = raw.decode("utf-8")
        except ValueError:
            return None
        if not raw or len(raw) > MAX_SELLER_ID_BYTES or not hmac.compare_digest(mac, self._mac(raw)):
            return None
        return seller

    def _mac(self, raw: bytes) -> str:
        key = self.app_secret.encode("utf-8")
        return hmac.new(key, b"session:" + raw, hashlib.sha256).hexdigest()[:_MAC_CHARS]
