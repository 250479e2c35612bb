"""Our Standard Webhooks verifier agrees with the `standardwebhooks` package, and refuses what it refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from standardwebhooks import Webhook

from workers.api import signing
from workers.api.errors import SignatureError
from workers.store.sellers import new_webhook_secret

BODY = b'{"type":"sync.requested","data":{}}'
NOW = 1_790_000_000


def package_signature(secret: str, webhook_id: str = "msg_1", at: int = NOW, body: bytes = BODY) -> str:
    return Webhook(secret).sign(webhook_id, dt.datetime.fromtimestamp(at, dt.UTC), body.decode())


def test_our_signature_is_the_packages_signature() -> None:
    secret = new_webhook_secret()
    assert signing.sign(secret, "msg_1", NOW, BODY) == package_signature(secret)


def test_a_signature_made_by_the_package_verifies() -> None:
    secret = new_webhook_secret()
    signing.verify([secret], "msg_1", str(NOW), package_signature(secret), BODY, NOW + 10)


def test_any_listed_signature_may_match_any_active_secret() -> None:
    old, new = new_webhook_secret(), new_webhook_secret()
    header = f"v1,AAAA v2,whatever {package_signature(old)}"
    signing.verify([new, old], "msg_1", str(NOW), header, BODY, NOW)


@pytest.mark.parametrize(
    ("webhook_id", "timestamp", "body", "now"),
    [
        ("msg_2", NOW, BODY, NOW),  # another id
        ("msg_1", NOW + 1, BODY, NOW),  # another timestamp
        ("msg_1", NOW, BODY + b" ", NOW),  # another body
        ("msg_1", NOW, BODY, NOW + 301),  # too old
        ("msg_1", NOW, BODY, NOW - 301),  # from the future
    ],
)
def test_anything_changed_fails(webhook_id: str, timestamp: int, body: bytes, now: int) -> None:
    secret = new_webhook_secret()
    with pytest.raises(SignatureError):
        signing.verify([secret], webhook_id, str(timestamp), package_signature(secret), body, now)


def test_no_secret_verifies_nothing_and_garbage_headers_are_refused() -> None:
    secret = new_webhook_secret()
    with pytest.raises(SignatureError):
        signing.verify([], "msg_1", str(NOW), package_signature(secret), BODY, NOW)
    for header in ("", "v1", "v1,!!!", "nonsense"):
        with pytest.raises(SignatureError):
            signing.verify([secret], "msg_1", str(NOW), header, BODY, NOW)
    with pytest.raises(SignatureError, match="not a number"):
        signing.check_timestamp("yesterday", NOW)
