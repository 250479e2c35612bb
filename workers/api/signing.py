"""Standard Webhooks signatures: `v1,` HMAC-SHA256 over `id.timestamp.body`, with a 5-minute tolerance.

A small verifier of our own (checked in tests against the `standardwebhooks` package) so that several active
secrets (a rotation) can be tried against one body without parsing it, and so that an unknown seller costs
the same work as a known one with a wrong signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from workers.api.errors import SignatureError

TOLERANCE_SECONDS = 5 * 60
SECRET_PREFIX = "whsec_"

# Used when the seller is unknown, so that the answer takes as long as for a bad signature.
_DUMMY_KEY = secrets.token_bytes(32)


def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_...` secret (the base64 after the prefix)."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a webhook secret is 'whsec_' followed by base64") from None


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one secret (senders and tests use this)."""
    digest = _digest(secret_key(secret), webhook_id, timestamp, body)
    return "v1," + base64.b64encode(digest).decode("ascii")


def _digest(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> bytes:
    mac = hmac.new(key, f"{webhook_id}.{timestamp}.".encode(), hashlib.sha256)
    mac.update(body)
    return mac.digest()


def check_timestamp(header: str, now: float) -> int:
    """The timestamp as an int, if it is within the tolerance either side of `now`."""
    try:
        timestamp = int(header)
    except ValueError:
        raise SignatureError("webhook-timestamp is not a number of seconds") from None
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError("webhook-timestamp is outside the 5-minute tolerance")
    return timestamp


def verify(
    secrets_: Sequence[str],
    webhook_id: str,
    timestamp_header: str,
    signature_header: str,
    body: bytes,
    now: float,
) -> None:
    """Raise `SignatureError` unless one `v1` signature matches one of the seller's active secrets.

    Every given signature is compared with every secret in constant time; with no secret (an unknown
    seller) a random key takes their place, so both cases cost the same and answer the same.
    """
    timestamp = check_timestamp(timestamp_header, now)
    offered = []
    for part in signature_header.split():
        version, _, encoded = part.partition(",")
        if version != "v1":
            continue
        try:
            offered.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            continue
    keys = []
    for secret in secrets_:
        try:
            keys.append(secret_key(secret))
        except ValueError:
            continue  # a broken stored secret matches nothing; never echo it
    matched = False
    for key in keys or [_DUMMY_KEY]:
        expected = _digest(key, webhook_id, timestamp, body)
        for signature in offered:
            matched |= hmac.compare_digest(expected, signature)
    if not matched or not keys:
        raise SignatureError("no valid signature")
