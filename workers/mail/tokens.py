"""Signed, expiring tokens for the confirm and dismiss links in alert e-mails.

A token is `<payload>.<signature>`, both base64url: the payload names the finding, the action and the expiry
(Unix seconds); the signature is HMAC-SHA256 under a key derived from the secret key for this one purpose,
so a leaked link key says nothing about the key that encrypts marketplace credentials.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from workers.mail.errors import TokenError

ACTIONS = ("confirm", "dismiss")
_PURPOSE = b"listing-sync finding links v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class LinkSigner:
    """Signs and checks link tokens; `clock` returns Unix seconds (a test may stand it still)."""

    secret: bytes = field(repr=False)
    max_age: int = 30 * 86400
    clock: Callable[[], float] = time.time

    @property
    def _key(self) -> bytes:
        return hmac.new(self.secret, _PURPOSE, hashlib.sha256).digest()

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def sign(self, finding_id: int, action: str) -> str:
        if action not in ACTIONS:
            raise ValueError(f"action: expected one of {', '.join(ACTIONS)}, got {action!r}")
        body = {"f": finding_id, "a": action, "e": int(self.clock()) + self.max_age}
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{self._sign(payload)}"

    def verify(self, token: str, finding_id: int, action: str) -> None:
        """Return if `token` allows `action` on `finding_id` now; `TokenError` says why not."""
        payload, _, signature = token.partition(".")
        if not payload or not signature:
            raise TokenError("the link is incomplete")
        if not hmac.compare_digest(self._sign(payload), signature):
            raise TokenError("the link's signature does not match")
        try:
            body = json.loads(_unb64(payload))
        except (binascii.Error, ValueError):
            raise TokenError("the link is malformed") from None
        if not isinstance(body, dict) or body.get("f") != finding_id or body.get("a") != action:
            raise TokenError("the link is for another finding or action")
        if not isinstance(body.get("e"), int) or body["e"] < self.clock():
            raise TokenError("the link has expired")
