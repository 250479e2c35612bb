from __future__ import annotations

from collections.abc import Callable

import pytest
from smtp_support import SelfSignedCert, SmtpServer

from workers.mail import (
    AlertContent,
    MailConfigError,
    PermanentMailError,
    SmtpTransport,
    TransientMailError,
    compose,
)

PASSWORD = "s3cret:p@ss"
QUOTED = "s3cret%3Ap%40ss"


def message(recipient: str = "owner@acme.example") -> object:
    content = AlertContent(
        finding_id=1,
        brand="Acme",
        marketplace="ebay",
        listing_id="1",
        score=0.9,
        evidence={"title": "mug", "seller": "s", "price": "1", "currency": "USD", "reasons": ["image"]},
        recipient=recipient,
        sender="alerts@listing-sync.test",
        confirm_url="https://x/c",
        dismiss_url="https://x/d",
        listing_thumbnail=None,
        brand_thumbnail=None,
    )
    return compose(content, "<t-1@listing-sync.test>")


def test_starttls_with_a_login_delivers(
    smtp_server_factory: Callable[..., SmtpServer], tls_certificate: SelfSignedCert
) -> None:
    server = smtp_server_factory(starttls=True, login=("alerts", PASSWORD))
    url = f"smtp://alerts:{QUOTED}@127.0.0.1:{server.port}?starttls=1"
    SmtpTransport(url, ssl_context=tls_certificate.client_context()).send(message())  # type: ignore[arg-type]
    assert server.logins == ["alerts"] and len(server.messages) == 1


def test_implicit_tls_delivers(
    smtp_server_factory: Callable[..., SmtpServer], tls_certificate: SelfSignedCert
) -> None:
    server = smtp_server_factory(implicit_tls=True)
    SmtpTransport(server.url, ssl_context=tls_certificate.client_context()).send(message())  # type: ignore[arg-type]
    assert [r.rcpt_tos for r in server.messages] == [["owner@acme.example"]]


def test_a_server_whose_certificate_is_not_trusted_is_not_sent_to(
    smtp_server_factory: Callable[..., SmtpServer],
) -> None:
    server = smtp_server_factory(starttls=True)
    with pytest.raises(TransientMailError, match="CERTIFICATE_VERIFY_FAILED"):
        SmtpTransport(server.url).send(message())  # type: ignore[arg-type]
    assert server.messages == []


def test_a_refused_login_is_transient_and_never_shows_the_password(
    smtp_server_factory: Callable[..., SmtpServer], tls_certificate: SelfSignedCert
) -> None:
    server = smtp_server_factory(starttls=True, login=("alerts", PASSWORD))
    url = f"smtp://alerts:wrong-{QUOTED}@127.0.0.1:{server.port}?starttls=1"
    with pytest.raises(TransientMailError, match="login refused") as caught:
        SmtpTransport(url, ssl_context=tls_certificate.client_context()).send(message())  # type: ignore[arg-type]
    assert "s3cret" not in str(caught.value) and "***" in str(caught.value)
    assert server.messages == []


def test_a_server_that_requires_starttls_refuses_a_plain_sender(
    smtp_server_factory: Callable[..., SmtpServer],
) -> None:
    server = smtp_server_factory(starttls=True)
    with pytest.raises(TransientMailError, match="530"):
        SmtpTransport(f"smtp://127.0.0.1:{server.port}").send(message())  # type: ignore[arg-type]
    assert server.messages == []


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1", "smtps://127.0.0.1?starttls=1", "smtp://127.0.0.1:notaport", "smtp://h?timeout=x"],
)
def test_an_unusable_smtp_url_is_a_config_error(url: str) -> None:
    with pytest.raises(MailConfigError, match="SMTP_URL"):
        SmtpTransport(url)


@pytest.mark.parametrize(
    "recipient", ["owner@acme.example\r\nBcc: x@evil.example", "a@b.example,x@evil.example"]
)
def test_a_recipient_address_that_would_add_a_recipient_is_refused(recipient: str) -> None:
    with pytest.raises(PermanentMailError, match="recipient: not a usable e-mail address"):
        message(recipient)
