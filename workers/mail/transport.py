"""Where alert e-mails go: an SMTP server at `SMTP_URL`, or `.eml` files in the outbox.

`SMTP_URL` forms:

- `smtp://host[:port]` plain SMTP (port 25);
- `smtp://host[:port]?starttls=1` SMTP upgraded with STARTTLS before anything else is said (port 587 is
  the usual submission port; STARTTLS is then required: a server that does not offer it is an error);
- `smtps://host[:port]` implicit TLS (port 465);
- `user:password@` before the host logs in (percent-encode special characters); `?timeout=S` sets the
  socket timeout (default 10 s).

Low-level errors are sorted here, in one place: the server down, slow or answering 4xx, a refused login,
sender or missing TLS (our setup, the same for every alert) is a `TransientMailError` (retry later); a 5xx
refusal of the recipient or of this message is a `PermanentMailError`. No message carries the password.
"""

from __future__ import annotations

import abc
import os
import re
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from workers.mail.errors import MailConfigError, PermanentMailError, TransientMailError
from workers.settings import Settings, redact_url

DEFAULT_TIMEOUT = 10.0
TRUE = ("1", "true", "yes", "on")


class Transport(abc.ABC):
    """Delivers one composed message; raises `TransientMailError` or `PermanentMailError`."""

    @abc.abstractmethod
    def send(self, message: EmailMessage) -> None: ...

    def describe(self) -> str:
        return type(self).__name__


class OutboxTransport(Transport):
    """Writes each message atomically to `<outbox>/<Message-ID>.eml`; the same message overwrites itself."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, message: EmailMessage) -> Path:
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(message["Message-ID"] or "message").strip("<>"))
        return self.directory / f"{name}.eml"

    def send(self, message: EmailMessage) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(message.as_bytes())
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, self.path_for(message))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise TransientMailError(f"outbox {self.directory}: {exc.strerror or exc}") from None

    def describe(self) -> str:
        return f"outbox {self.directory}"


class SmtpTransport(Transport):
    """Sends through one SMTP server per `SMTP_URL` (see the module docstring); one connection a message."""

    def __init__(self, url: str, *, ssl_context: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailConfigError(f"SMTP_URL: expected smtp:// or smtps://, got {redact_url(url)!r}")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.url = redact_url(url)
        self.host = parts.hostname
        self.implicit_tls = scheme == "smtps"
        self.starttls = query.get("starttls", "0").lower() in TRUE
        if self.implicit_tls and self.starttls:
            raise MailConfigError("SMTP_URL: smtps:// is TLS already; drop ?starttls")
        try:
            self.port = parts.port or (465 if self.implicit_tls else 25)
            self.timeout = float(query.get("timeout", DEFAULT_TIMEOUT))
        except ValueError:
            raise MailConfigError(f"SMTP_URL: bad port or timeout in {self.url!r}") from None
        self.username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self.ssl_context = ssl_context or ssl.create_default_context()

    def describe(self) -> str:
        return f"SMTP {self.url}"

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.ssl_context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            client.starttls(context=self.ssl_context)
        return client

    def send(self, message: EmailMessage) -> None:
        where = self.describe()
        try:
            with self._connect() as client:
                if self.username is not None:
                    client.login(self.username, self._password or "")
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            _raise_for(code, reply, f"{where} refused the recipient")
        except smtplib.SMTPNotSupportedError:
            raise TransientMailError(f"{where}: the server does not offer STARTTLS or AUTH") from None
        except smtplib.SMTPAuthenticationError as exc:
            # Wrong credentials are ours to fix: alerts wait, unsent, until they are.
            raise TransientMailError(f"{where}: login refused ({exc.smtp_code})") from None
        except smtplib.SMTPSenderRefused as exc:
            # A refused sender (or "530 STARTTLS first") is our configuration, true for every alert alike.
            raise TransientMailError(
                f"{where} refused the sender: {exc.smtp_code} {_text(exc.smtp_error)}"
            ) from None
        except smtplib.SMTPResponseException as exc:
            _raise_for(exc.smtp_code, exc.smtp_error, f"{where} refused the message")
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientMailError(f"{where}: {type(exc).__name__}: {exc}") from None


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _raise_for(code: int, reply: bytes | str, what: str) -> None:
    """5xx refuses this recipient or message for good, except 530-538 (TLS or login needed: our setup)."""
    message = f"{what}: {code} {_text(reply)}"
    if 500 <= code < 600 and not 530 <= code <= 538:
        raise PermanentMailError(message, code=code) from None
    raise TransientMailError(message) from None


def transport_for(settings: Settings) -> Transport:
    """SMTP when `SMTP_URL` is set, otherwise the outbox in the data dir."""
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url)
    return OutboxTransport(settings.outbox_dir)
