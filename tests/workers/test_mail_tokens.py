from __future__ import annotations

import pytest

from workers.mail import LinkSigner, TokenError


class StandingClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_signed_link_verifies_for_its_finding_and_action() -> None:
    signer = LinkSigner(b"key")
    signer.verify(signer.sign(42, "confirm"), 42, "confirm")


@pytest.mark.parametrize(("finding_id", "action"), [(43, "confirm"), (42, "dismiss")])
def test_a_link_for_one_finding_or_action_does_not_work_for_another(finding_id: int, action: str) -> None:
    signer = LinkSigner(b"key")
    with pytest.raises(TokenError, match="another finding or action"):
        signer.verify(signer.sign(42, "confirm"), finding_id, action)


def test_a_link_signed_with_another_key_or_tampered_with_is_refused() -> None:
    token = LinkSigner(b"other").sign(42, "confirm")
    with pytest.raises(TokenError, match="signature"):
        LinkSigner(b"key").verify(token, 42, "confirm")
    good = LinkSigner(b"key").sign(42, "confirm")
    with pytest.raises(TokenError, match="signature"):
        LinkSigner(b"key").verify(good[:-2] + ("AA" if good[-2:] != "AA" else "BB"), 42, "confirm")
    for broken in ("", "abc", "abc."):
        with pytest.raises(TokenError):
            LinkSigner(b"key").verify(broken, 42, "confirm")


def test_a_link_expires_after_its_lifetime() -> None:
    clock = StandingClock(1_000_000.0)
    signer = LinkSigner(b"key", max_age=3600, clock=clock)
    token = signer.sign(42, "dismiss")
    clock.now += 3600
    signer.verify(token, 42, "dismiss")
    clock.now += 1
    with pytest.raises(TokenError, match="expired"):
        signer.verify(token, 42, "dismiss")
