"""Mail settings, read once from the environment beside the main `Settings`.

- `LISTING_SYNC_PUBLIC_URL`: where brand owners reach the API's confirm and dismiss pages
  (default `http://localhost:8000`).
- `LISTING_SYNC_MAIL_FROM`: the alerts' From address (default `alerts@localhost`).
- `LISTING_SYNC_LINK_DAYS`: how long a confirm or dismiss link stays valid (default 30 days).
- The link-signing key is derived from `LISTING_SYNC_SECRET_KEY`; without one, a random key is made once
  and kept in `<data dir>/link-signing.key` (mode 0600) so links survive restarts.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path
from urllib.parse import urlsplit

from workers.mail.errors import MailConfigError
from workers.mail.tokens import LinkSigner
from workers.settings import Settings

DEFAULT_PUBLIC_URL = "http://localhost:8000"
DEFAULT_MAIL_FROM = "alerts@localhost"
DEFAULT_LINK_DAYS = 30
KEY_FILE = "link-signing.key"


@dataclass(frozen=True)
class MailSettings:
    """What alert e-mails need besides the main settings: the public URL, the sender, the link key."""

    public_url: str = DEFAULT_PUBLIC_URL
    mail_from: str = DEFAULT_MAIL_FROM
    link_days: int = DEFAULT_LINK_DAYS
    link_key: bytes = field(default=b"", repr=False)

    @classmethod
    def from_env(cls, settings: Settings, environ: Mapping[str, str] | None = None) -> MailSettings:
        env = {k: v.strip() for k, v in (os.environ if environ is None else environ).items() if v.strip()}
        public_url = env.get("LISTING_SYNC_PUBLIC_URL", DEFAULT_PUBLIC_URL).rstrip("/")
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise MailConfigError(f"LISTING_SYNC_PUBLIC_URL: expected an http(s):// URL, got {public_url!r}")
        mail_from = env.get("LISTING_SYNC_MAIL_FROM", DEFAULT_MAIL_FROM)
        try:
            address = Address(addr_spec=mail_from)
        except (HeaderParseError, ValueError, IndexError):
            address = None
        if address is None or not address.domain:
            raise MailConfigError(f"LISTING_SYNC_MAIL_FROM: expected an e-mail address, got {mail_from!r}")
        days = env.get("LISTING_SYNC_LINK_DAYS", str(DEFAULT_LINK_DAYS))
        if not days.isdigit() or int(days) < 1:
            raise MailConfigError(
                f"LISTING_SYNC_LINK_DAYS: expected a whole number of days >= 1, got {days!r}"
            )
        if settings.secret_key:
            key = settings.secret_key.encode()
        else:
            key = _stored_key(settings.data_dir / KEY_FILE)
        return cls(public_url, mail_from, int(days), key)


def _stored_key(path: Path) -> bytes:
    """The key in `path`, made (exclusively, 0600) on first use."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()  # another process made it first
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


def link_signer(mail: MailSettings) -> LinkSigner:
    """The signer for confirm and dismiss links, valid for `link_days`."""
    return LinkSigner(mail.link_key, max_age=mail.link_days * 86400)
