"""Alert e-mails to brand owners: compose, sign links, send through SMTP or the outbox."""

from __future__ import annotations

from workers.mail.compose import AlertContent, compose, one_line
from workers.mail.config import MailSettings, link_signer
from workers.mail.errors import (
    MailConfigError,
    MailError,
    PermanentMailError,
    TokenError,
    TransientMailError,
)
from workers.mail.send import (
    Mailer,
    Sent,
    digests_due,
    pending_alerts,
    queue_alerts,
    send_alert,
    send_digest,
    set_digest,
)
from workers.mail.tokens import LinkSigner
from workers.mail.transport import OutboxTransport, SmtpTransport, Transport, transport_for

__all__ = [
    "AlertContent",
    "LinkSigner",
    "MailConfigError",
    "MailError",
    "MailSettings",
    "Mailer",
    "OutboxTransport",
    "PermanentMailError",
    "Sent",
    "SmtpTransport",
    "TokenError",
    "TransientMailError",
    "Transport",
    "compose",
    "digests_due",
    "link_signer",
    "one_line",
    "pending_alerts",
    "queue_alerts",
    "send_alert",
    "send_digest",
    "set_digest",
    "transport_for",
]
