"""The connectors' error tree: the type alone tells a caller whether to retry, wait, or ask the seller."""

from __future__ import annotations


class ConnectorError(Exception):
    """Root of every error a connector raises. Messages never carry tokens or secrets."""

    def __init__(self, message: str, *, status: int | None = None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status})"


class TransientError(ConnectorError):
    """Try again later: throttling, 5xx, timeouts, lost connections, garbled answers.

    `retry_after` is the wait in seconds the marketplace asked for (Retry-After, TOP's ban), or None.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, request_id=request_id)
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"TransientError({self.message!r}, retry_after={self.retry_after}, status={self.status})"


class PermanentError(ConnectorError):
    """The marketplace refused the request as it is: retrying unchanged cannot help; the seller must act.

    `code` is the marketplace's own code, `field` the attribute or catalogue field to fix (when known).
    """

    def __init__(
        self,
        code: str,
        message: str,
        field: str | None = None,
        *,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        text = f"{message} (code {code}" + (f", field {field})" if field else ")")
        super().__init__(text, status=status, request_id=request_id)
        self.code = code
        self.plain = message
        self.field = field

    def __repr__(self) -> str:
        return f"PermanentError(code={self.code!r}, message={self.plain!r}, field={self.field!r})"


class AuthError(ConnectorError):
    """The credentials were refused, even after one token refresh: the seller must reconnect the account."""
