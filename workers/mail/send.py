"""Queue alerts for a finding and send one: idempotent, safe to retry, never twice for the same material.

`queue_alerts` makes one `alerts` row per brand contact (unique per finding and contact). `send_alert` is
what the e-mail actor calls with an alert id: it sends only if this contact has not had this material yet,
and records `sent_at` and the Message-ID after the server accepted. A `TransientMailError` propagates with
nothing recorded, so a retry sends it then; a `PermanentMailError` (e.g. 550 for the recipient) is recorded
in `failed_at` and `error` and not retried. The Message-ID is derived from the alert and its material hash,
so in the narrow window between the server's acceptance and the commit a retry repeats the same Message-ID,
which mail clients fold into one.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa
from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql, sqlite

from fingerprints import ImageLoader
from workers.findings import FindingRow, get_finding, mark_alerted
from workers.mail.compose import AlertContent, compose, compose_digest
from workers.mail.config import MailSettings, link_signer
from workers.mail.errors import PermanentMailError
from workers.mail.thumbnails import thumbnail_of
from workers.mail.transport import Transport
from workers.store.brand_models import Alert, BrandContact, Finding, FindingState
from workers.store.db import utcnow

A = cast(sa.Table, Alert.__table__)
F = cast(sa.Table, Finding.__table__)
C = cast(sa.Table, BrandContact.__table__)


class Sent(enum.StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already-sent"
    REFUSED = "refused"  # permanently, recorded
    NOT_NEEDED = "not-needed"  # the alert or its finding is gone, or the finding was dismissed
    IN_DIGEST = "in-digest"  # the contact takes a daily digest: `send_digest` sends it


@dataclass(frozen=True)
class Mailer:
    """What sending needs, made once per worker: the transport, the mail settings, an image loader."""

    engine: Engine
    transport: Transport
    mail: MailSettings
    loader: ImageLoader


def _material(evidence: dict[str, object]) -> str:
    return str(evidence.get("material_hash", ""))


def queue_alerts(conn: Connection, finding_id: int) -> list[int]:
    """One alert per contact of the finding's brand, for its current material; the ids still to send."""
    finding = conn.execute(sa.select(F.c.brand_id, F.c.evidence).where(F.c.id == finding_id)).one()
    material = _material(finding.evidence)
    contacts = conn.scalars(sa.select(C.c.id).where(C.c.brand_id == finding.brand_id)).all()
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(A)
    for contact_id in contacts:
        conn.execute(
            insert.values(
                finding_id=finding_id, contact_id=contact_id, material_hash=material
            ).on_conflict_do_nothing(index_elements=["finding_id", "contact_id"])
        )
    conn.execute(
        sa.update(A)
        .where(A.c.finding_id == finding_id, A.c.material_hash != material)
        .values(material_hash=material, sent_at=None, failed_at=None, error=None, message_id=None)
    )
    pending = sa.select(A.c.id).where(
        A.c.finding_id == finding_id, A.c.sent_at.is_(None), A.c.failed_at.is_(None)
    )
    return list(conn.scalars(pending.order_by(A.c.id)))


def pending_alerts(conn: Connection, limit: int = 1000) -> list[int]:
    """Alerts neither sent nor refused, to contacts mailed per finding: what a sweep re-enqueues after an
    outage outlasted the retries (digest contacts' alerts wait for `send_digest`)."""
    query = (
        sa.select(A.c.id)
        .join(C, C.c.id == A.c.contact_id)
        .where(A.c.sent_at.is_(None), A.c.failed_at.is_(None), C.c.digest.is_(False))
        .order_by(A.c.id)
    )
    return list(conn.scalars(query.limit(limit)))


def set_digest(conn: Connection, brand_id: int, email: str, daily: bool) -> bool:
    """A daily digest (True) or an e-mail per finding for one brand contact; False if there is no such one."""
    done = conn.execute(
        sa.update(C)
        .where(C.c.brand_id == brand_id, sa.func.lower(C.c.email) == email.lower())
        .values(digest=daily)
    )
    return done.rowcount > 0


def message_id_for(alert_id: int, material: str, mail: MailSettings) -> str:
    domain = mail.mail_from.rsplit("@", 1)[-1]
    return f"<alert-{alert_id}-{material[:16]}@{domain}>"


def send_alert(alert_id: int, mailer: Mailer) -> Sent:
    """Send alert `alert_id` if it is due (see the module docstring); returns what happened."""
    with mailer.engine.begin() as conn:
        alert = conn.execute(sa.select(A).where(A.c.id == alert_id)).one_or_none()
        if alert is None:
            return Sent.NOT_NEEDED
        finding = get_finding(conn, alert.finding_id)
        if finding.state == FindingState.DISMISSED:
            return Sent.NOT_NEEDED
        material = _material(finding.evidence)
        if alert.material_hash == material and alert.sent_at is not None:
            return Sent.ALREADY_SENT
        if alert.material_hash == material and alert.failed_at is not None:
            return Sent.REFUSED
        if alert.material_hash != material:
            conn.execute(
                sa.update(A)
                .where(A.c.id == alert_id)
                .values(material_hash=material, sent_at=None, failed_at=None, error=None, message_id=None)
            )
        contact = conn.execute(sa.select(C.c.email, C.c.digest).where(C.c.id == alert.contact_id)).one()
    if contact.digest:
        return Sent.IN_DIGEST
    message_id = message_id_for(alert_id, material, mailer.mail)
    try:
        mailer.transport.send(compose(_content(finding, contact.email, mailer), message_id))
    except PermanentMailError as exc:
        with mailer.engine.begin() as conn:
            conn.execute(
                sa.update(A)
                .where(A.c.id == alert_id, A.c.material_hash == material)
                .values(failed_at=utcnow(), error=str(exc)[:1000])
            )
        return Sent.REFUSED
    with mailer.engine.begin() as conn:
        conn.execute(
            sa.update(A)
            .where(A.c.id == alert_id, A.c.material_hash == material)
            .values(sent_at=utcnow(), message_id=message_id)
        )
        mark_alerted(conn, finding.id)
    return Sent.SENT


def _content(finding: FindingRow, recipient: str, mailer: Mailer) -> AlertContent:
    signer = link_signer(mailer.mail)
    base = f"{mailer.mail.public_url}/v1/findings/{finding.id}"
    evidence = finding.evidence
    return AlertContent(
        finding_id=finding.id,
        brand=finding.brand,
        marketplace=finding.marketplace,
        listing_id=finding.listing_id,
        score=finding.score,
        evidence=evidence,
        recipient=recipient,
        sender=mailer.mail.mail_from,
        confirm_url=f"{base}/confirm?token={signer.sign(finding.id, 'confirm')}",
        dismiss_url=f"{base}/dismiss?token={signer.sign(finding.id, 'dismiss')}",
        listing_thumbnail=thumbnail_of(mailer.loader, evidence.get("listing_image", {}).get("url")),
        brand_thumbnail=thumbnail_of(mailer.loader, evidence.get("brand_image", {}).get("source")),
    )


def _pending(contact_id: int | None = None) -> sa.Select[tuple[int, int, str]]:
    query = (
        sa.select(A.c.id, A.c.finding_id, A.c.material_hash)
        .join(F, F.c.id == A.c.finding_id)
        .where(A.c.sent_at.is_(None), A.c.failed_at.is_(None), F.c.state != FindingState.DISMISSED)
    )
    return query if contact_id is None else query.where(A.c.contact_id == contact_id)


def digests_due(conn: Connection) -> list[int]:
    """Contacts on a daily digest with something to tell: what the daily job passes to `send_digest`."""
    pending = _pending().join(C, C.c.id == A.c.contact_id).where(C.c.digest.is_(True))
    return sorted({row.contact_id for row in conn.execute(pending.add_columns(A.c.contact_id))})


def send_digest(contact_id: int, mailer: Mailer) -> Sent:
    """One e-mail to a digest contact with every finding not yet mailed to it; each alert then counts as
    sent under the digest's Message-ID. Safe to repeat: a sent digest leaves nothing pending."""
    with mailer.engine.begin() as conn:
        contact = conn.execute(sa.select(C.c.email).where(C.c.id == contact_id)).scalar_one_or_none()
        rows = conn.execute(_pending(contact_id).order_by(A.c.id)).all()
        # Findings whose material changed since queueing are sent as they are now.
        findings = [get_finding(conn, row.finding_id) for row in rows]
    if contact is None or not rows:
        return Sent.NOT_NEEDED
    sent = [(row.id, _material(f.evidence)) for row, f in zip(rows, findings, strict=True)]
    key = hashlib.sha256(repr(sent).encode()).hexdigest()
    message_id = message_id_for(rows[0].id, key, mailer.mail).replace("<alert-", "<digest-")
    try:
        mailer.transport.send(compose_digest([_content(f, contact, mailer) for f in findings], message_id))
    except PermanentMailError as exc:
        with mailer.engine.begin() as conn:
            for alert_id, _ in sent:
                conn.execute(
                    sa.update(A).where(A.c.id == alert_id).values(failed_at=utcnow(), error=str(exc)[:1000])
                )
        return Sent.REFUSED
    with mailer.engine.begin() as conn:
        for alert_id, material in sent:
            conn.execute(
                sa.update(A)
                .where(A.c.id == alert_id)
                .values(sent_at=utcnow(), message_id=message_id, material_hash=material)
            )
        for finding in findings:
            mark_alerted(conn, finding.id)
    return Sent.SENT
