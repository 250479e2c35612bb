"""The mail package's errors: one tree rooted in `MailError`. The type decides whether to retry."""

from __future__ import annotations


class MailError(Exception):
    """Something went wrong composing or sending an alert; messages never carry passwords."""


class MailConfigError(MailError):
    """A mail setting cannot be used (the message names the variable)."""


class TransientMailError(MailError):
    """The mail server is down, slow or said "try later" (4xx): retry later, nothing is lost."""


class PermanentMailError(MailError):
    """The server refused for good (5xx), e.g. an unknown recipient: record it, do not retry."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TokenError(MailError):
    """A confirm or dismiss link's token is malformed, forged, for another finding or expired."""
