"""Configuration, read once from the environment into a typed, frozen object that is passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATA_DIR = "./.listing-sync"


class SettingsError(ValueError):
    """An environment variable holds a value listing-sync cannot use; the message names the variable."""


def redact_url(url: str) -> str:
    """The URL with any password replaced by `***`, safe to show in a message or a log."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[-1]}"))


@dataclass(frozen=True)
class Settings:
    """Where listing-sync keeps its data and which services it talks to."""

    data_dir: Path
    database_url: str
    redis_url: str | None = None
    smtp_url: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    allow_private_images: bool = False
    #: helper processes per worker process that fingerprint listing images for the pipeline's checks
    check_processes: int = 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and check every variable; empty values count as unset."""
        env = {k: v.strip() for k, v in (os.environ if environ is None else environ).items() if v.strip()}
        data_dir = Path(env.get("LISTING_SYNC_DATA_DIR", DEFAULT_DATA_DIR)).expanduser().absolute()
        database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'listing-sync.db'}"
        _check_url("DATABASE_URL", database_url, ("sqlite", "postgresql", "postgresql+psycopg", "postgres"))
        redis_url = env.get("REDIS_URL")
        if redis_url is not None:
            _check_url("REDIS_URL", redis_url, ("redis", "rediss"), needs_host=True)
        smtp_url = env.get("SMTP_URL")
        if smtp_url is not None:
            _check_url("SMTP_URL", smtp_url, ("smtp", "smtps"), needs_host=True)
        secret_key = env.get("LISTING_SYNC_SECRET_KEY")
        if secret_key is not None:
            from cryptography.fernet import Fernet  # here: most commands never need cryptography

            try:
                Fernet(secret_key)
            except (ValueError, TypeError):
                # The value itself is a secret: never echo it.
                raise SettingsError(
                    "LISTING_SYNC_SECRET_KEY: expected a Fernet key (32 url-safe base64-encoded bytes, "
                    "as made by `python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'`)"
                ) from None
        allow_private = _flag(env, "LISTING_SYNC_ALLOW_PRIVATE_IMAGES")
        processes = env.get("LISTING_SYNC_CHECK_PROCESSES", "1")
        if not processes.isdigit() or int(processes) > 64:
            raise SettingsError(
                f"LISTING_SYNC_CHECK_PROCESSES: expected a number from 0 to 64, got {processes!r}"
            )
        return cls(data_dir, database_url, redis_url, smtp_url, secret_key, allow_private, int(processes))

    @property
    def outbox_dir(self) -> Path:
        """Where e-mail goes as `.eml` files when no SMTP server is configured."""
        return self.data_dir / "outbox"

    def __repr__(self) -> str:
        return (
            f"Settings(data_dir={str(self.data_dir)!r}, database_url={redact_url(self.database_url)!r}, "
            f"redis_url={_redact_opt(self.redis_url)!r}, smtp_url={_redact_opt(self.smtp_url)!r}, "
            f"secret_key={'set' if self.secret_key else None!r}, "
            f"allow_private_images={self.allow_private_images!r}, check_processes={self.check_processes!r})"
        )


TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "0").lower()
    if value not in TRUE + FALSE:
        raise SettingsError(f"{name}: expected 1 or 0 (or true/false, yes/no, on/off), got {value!r}")
    return value in TRUE


def _redact_opt(url: str | None) -> str | None:
    return None if url is None else redact_url(url)


def _check_url(name: str, url: str, schemes: tuple[str, ...], *, needs_host: bool = False) -> None:
    expected = " or ".join(f"{s}://" for s in schemes)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise SettingsError(f"{name}: expected a {expected} URL, got {redact_url(url)!r}") from None
    if parts.scheme.lower() not in schemes or (needs_host and not parts.hostname):
        raise SettingsError(f"{name}: expected a {expected} URL, got {redact_url(url)!r}")
