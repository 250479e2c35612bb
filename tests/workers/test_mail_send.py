from __future__ import annotations

import io
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from alert_support import PUBLIC_URL, CopiedListing, mailer, record
from PIL import Image
from smtp_support import SmtpServer
from sqlalchemy import Engine

from workers.brands import get_brand
from workers.findings import get_finding
from workers.mail import (
    LinkSigner,
    OutboxTransport,
    Sent,
    SmtpTransport,
    TransientMailError,
    digests_due,
    pending_alerts,
    send_alert,
    send_digest,
    set_digest,
)
from workers.store.brand_models import Alert

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def send_all(engine: Engine, transport: object, ids: list[int]) -> list[Sent]:
    m = mailer(engine, transport)  # type: ignore[arg-type]
    return [send_alert(alert_id, m) for alert_id in ids]


def links(message: EmailMessage) -> dict[str, str]:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    return {
        line.split(":", 1)[0].split()[0].lower(): line.split(": ", 1)[1]
        for line in text.splitlines()
        if line.startswith(("Confirm", "Dismiss"))
    }


def test_each_contact_gets_one_email_with_text_html_and_both_images(
    engine: Engine, acme_copy: CopiedListing, smtp_server: SmtpServer
) -> None:
    recorded, ids = record(engine, acme_copy)
    assert send_all(engine, SmtpTransport(smtp_server.url), ids) == [Sent.SENT, Sent.SENT]
    received = smtp_server.messages
    assert sorted(r.rcpt_tos[0] for r in received) == ["legal@acme.example", "owner@acme.example"]
    message = received[0].message
    assert message.get_content_type() == "multipart/alternative"
    text_part, related = message.get_payload()  # type: ignore[misc]
    assert text_part.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, *images = related.get_payload()
    html = html_part.get_content()
    assert len(images) == 2
    for image in images:
        data = image.get_content()
        assert image.get_content_type() == "image/jpeg" and len(data) <= 100 * 1024
        assert Image.open(io.BytesIO(data)).size[0] <= 320
        assert f"cid:{str(image['Content-ID']).strip().strip('<>')}" in html
    text = text_part.get_content()
    for fact in ("ACME travel mug, best price", "cheap-deals", "9.99 USD", "https://www.ebay.com/itm/1234"):
        assert fact in text and fact in html
    assert "title names the brand: Acme" in text
    with engine.connect() as conn:
        assert get_finding(conn, recorded.finding_id or 0).state == "alerted"
        sent = conn.execute(sa.select(Alert.sent_at, Alert.message_id)).all()
    assert all(row.sent_at is not None for row in sent)
    assert {row.message_id for row in sent} == {r.message["Message-ID"] for r in received}


@sqlite_only
def test_the_links_carry_tokens_that_verify(
    engine: Engine, acme_copy: CopiedListing, smtp_server: SmtpServer
) -> None:
    recorded, ids = record(engine, acme_copy)
    send_all(engine, SmtpTransport(smtp_server.url), ids[:1])
    found = links(smtp_server.messages[0].message)
    signer = LinkSigner(b"test-link-key")
    for action in ("confirm", "dismiss"):
        url = urlsplit(found[action])
        assert f"{url.scheme}://{url.netloc}" == PUBLIC_URL
        assert url.path == f"/v1/findings/{recorded.finding_id}/{action}"
        signer.verify(parse_qs(url.query)["token"][0], recorded.finding_id or 0, action)


def test_a_finding_is_never_mailed_twice_unless_the_listing_changes(
    engine: Engine, acme_copy: CopiedListing, smtp_server: SmtpServer
) -> None:
    transport = SmtpTransport(smtp_server.url)
    _, ids = record(engine, acme_copy)
    send_all(engine, transport, ids)
    assert send_all(engine, transport, ids) == [Sent.ALREADY_SENT, Sent.ALREADY_SENT]
    _, again = record(engine, acme_copy)
    assert again == [] and len(smtp_server.messages) == 2
    _, changed = record(engine, acme_copy.changed(title="ACME travel mug XL", price=Decimal("7.50")))
    assert sorted(changed) == sorted(ids)
    assert send_all(engine, transport, changed) == [Sent.SENT, Sent.SENT]
    newest = smtp_server.messages[-1].message
    assert "ACME travel mug XL" in str(newest["Subject"]) and len(smtp_server.messages) == 4
    assert newest["Message-ID"] != smtp_server.messages[0].message["Message-ID"]


@sqlite_only
def test_hostile_titles_and_seller_names_cannot_add_headers(
    engine: Engine, acme_copy: CopiedListing, smtp_server: SmtpServer
) -> None:
    hostile = acme_copy.changed(
        title="Acme mug\r\nBcc: victim@evil.example\r\n\r\n<script>x</script>\u2028X-Evil: 1\x85Y: 2",
        seller="bad\nReply-To: evil@evil.example",
    )
    _, ids = record(engine, hostile)
    send_all(engine, SmtpTransport(smtp_server.url), ids[:1])
    received = smtp_server.messages[0]
    assert received.rcpt_tos == ["legal@acme.example"] or received.rcpt_tos == ["owner@acme.example"]
    headers = {name.lower() for name in received.message}
    assert not headers & {"bcc", "x-evil", "y", "reply-to"}
    subject = str(received.message["Subject"])
    assert "\n" not in subject and "Bcc: victim@evil.example" in subject
    raw_headers = received.raw.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in raw_headers and b"\nReply-To:" not in raw_headers
    html = received.message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_mail_server_that_is_down_delays_the_alert_and_loses_nothing(
    engine: Engine, acme_copy: CopiedListing, smtp_server_factory: object
) -> None:
    _, ids = record(engine, acme_copy)
    server = smtp_server_factory()  # type: ignore[operator]
    url = server.url
    server.stop()
    with pytest.raises(TransientMailError, match=r"127\.0\.0\.1"):
        send_all(engine, SmtpTransport(url + "?timeout=2"), ids[:1])
    with engine.connect() as conn:
        assert pending_alerts(conn) == ids
        assert conn.execute(sa.select(Alert.sent_at, Alert.failed_at)).all() == [(None, None), (None, None)]
    live = smtp_server_factory()  # type: ignore[operator]
    assert send_all(engine, SmtpTransport(live.url), ids) == [Sent.SENT, Sent.SENT]


def test_a_recipient_refused_for_good_is_recorded_and_the_others_still_get_theirs(
    engine: Engine, acme_copy: CopiedListing, smtp_server_factory: object
) -> None:
    server = smtp_server_factory(refuse=("legal@acme.example",))  # type: ignore[operator]
    _, ids = record(engine, acme_copy)
    outcomes = send_all(engine, SmtpTransport(server.url), ids)
    assert sorted(outcomes) == sorted([Sent.REFUSED, Sent.SENT])
    assert send_all(engine, SmtpTransport(server.url), ids) == [
        Sent.ALREADY_SENT if o == Sent.SENT else Sent.REFUSED for o in outcomes
    ]
    with engine.connect() as conn:
        refused = conn.execute(sa.select(Alert.error).where(Alert.failed_at.is_not(None))).scalar_one()
        assert pending_alerts(conn) == []
    assert refused.startswith("SMTP smtp://127.0.0.1") and "550" in refused and "no such mailbox" in refused
    assert [r.rcpt_tos for r in server.messages] == [["owner@acme.example"]]


@sqlite_only
def test_outbox_mode_writes_parseable_eml_files_once_per_alert(
    engine: Engine, acme_copy: CopiedListing, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    _, ids = record(engine, acme_copy)
    send_all(engine, OutboxTransport(outbox), ids)
    send_all(engine, OutboxTransport(outbox), ids)
    files = sorted(outbox.iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]
    for path in files:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert message.get_content_type() == "multipart/alternative"
        assert str(message["To"]).endswith("@acme.example")
        assert len(list(message.iter_attachments())) == 0  # the images are inline, inside the related part
        assert len([p for p in message.walk() if p.get_content_type() == "image/jpeg"]) == 2


@sqlite_only
def test_a_dismissed_finding_is_not_mailed(engine: Engine, acme_copy: CopiedListing, tmp_path: Path) -> None:
    from workers.findings import dismiss

    recorded, ids = record(engine, acme_copy)
    with engine.begin() as conn:
        dismiss(conn, recorded.finding_id or 0)
    assert send_all(engine, OutboxTransport(tmp_path), ids) == [Sent.NOT_NEEDED, Sent.NOT_NEEDED]


def test_a_digest_contact_gets_one_email_for_all_its_new_findings(
    engine: Engine, acme_copy: CopiedListing, smtp_server: SmtpServer
) -> None:
    with engine.begin() as conn:
        brand_id = get_brand(conn, "Acme").id
        assert set_digest(conn, brand_id, "Legal@acme.example", daily=True)
        assert not set_digest(conn, brand_id, "nobody@acme.example", daily=True)
    transport = SmtpTransport(smtp_server.url)
    _, first = record(engine, acme_copy)
    _, second = record(engine, acme_copy.changed(listing_id="v1|2|0", title="Acme flask"))
    outcomes = send_all(engine, transport, first + second)
    assert sorted(outcomes) == sorted([Sent.SENT, Sent.IN_DIGEST] * 2)
    assert {tuple(r.rcpt_tos) for r in smtp_server.messages} == {("owner@acme.example",)}
    with engine.connect() as conn:
        due = digests_due(conn)
        assert len(due) == 1 and pending_alerts(conn) == []
    m = mailer(engine, transport)
    assert send_digest(due[0], m) == Sent.SENT
    assert send_digest(due[0], m) == Sent.NOT_NEEDED
    digest = smtp_server.messages[-1]
    assert digest.rcpt_tos == ["legal@acme.example"] and len(smtp_server.messages) == 3
    assert str(digest.message["Subject"]) == "2 suspected counterfeits of Acme"
    text = digest.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "ACME travel mug, best price" in text and "Acme flask" in text
    assert len([p for p in digest.message.walk() if p.get_content_type() == "image/jpeg"]) == 4
    assert len(links(digest.message)) == 2  # the parser keeps one per action; both findings have theirs
    assert text.count("/confirm?token=") == 2
    with engine.connect() as conn:
        assert digests_due(conn) == []
        message_ids = (
            conn.execute(sa.select(Alert.message_id).where(Alert.contact_id == due[0])).scalars().all()
        )
    assert set(message_ids) == {digest.message["Message-ID"]}
