"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 (a free port), optionally TLS and login, that keeps
every message it accepts, parsed; and a self-signed certificate made with `cryptography`."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class SelfSignedCert:
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert_file))


def make_certificate(folder: Path) -> SelfSignedCert:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return SelfSignedCert(cert_file, key_file)


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage


@dataclass
class Inbox:
    """The aiosmtpd handler: refuses some recipients with 550, keeps every accepted message."""

    refuse: set[str] = field(default_factory=set)
    messages: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        message = BytesParser(policy=policy.default).parsebytes(raw)
        with self._lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), raw, message))
        return "250 Message accepted"


class _FreePortController(Controller):
    """aiosmtpd's controller on a socket bound beforehand to port 0 (so the port is free, without a race)."""

    def __init__(self, handler: Any, **kwargs: Any) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self._sock.getsockname()[1], **kwargs)

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


class SmtpServer:
    """One SMTP server; `url` is what `SMTP_URL` should be set to (with the login when one is required)."""

    def __init__(
        self,
        certificate: SelfSignedCert,
        *,
        starttls: bool = False,
        implicit_tls: bool = False,
        login: tuple[str, str] | None = None,
        refuse: tuple[str, ...] = (),
    ) -> None:
        self.certificate = certificate
        self.inbox = Inbox(refuse=set(refuse))
        self.login = login
        self.logins: list[str] = []
        kwargs: dict[str, Any] = {}
        if starttls:
            kwargs.update(tls_context=certificate.server_context(), require_starttls=True)
        if implicit_tls:
            kwargs["ssl_context"] = certificate.server_context()
        if login is not None:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=starttls or implicit_tls)
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self._controller = _FreePortController(self.inbox, **kwargs)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and self.login is not None
            and (data.login.decode(), data.password.decode()) == self.login
        )
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def url(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        auth = f"{self.login[0]}:{self.login[1]}@" if self.login else ""
        query = "?starttls=1" if self.starttls else ""
        return f"{scheme}://{auth}127.0.0.1:{self.port}{query}"

    @property
    def messages(self) -> list[Received]:
        return list(self.inbox.messages)

    def start(self) -> SmtpServer:
        self._controller.start()
        self._running = True
        return self

    def stop(self) -> None:
        """Stop serving (the port then refuses connections); stopping twice is harmless."""
        if getattr(self, "_running", False):
            self._controller.stop()
            self._running = False
