"""The API's errors: one tree rooted in `ApiError`; each knows its HTTP status and a safe message."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An answer other than success; `detail` is safe to send (never a secret)."""

    status = 400

    def __init__(self, detail: Any, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class SignatureError(ApiError):
    """Missing, malformed, stale or wrong signature, or an unknown seller: all answer alike."""

    status = 401


class Unauthorized(ApiError):
    """No valid API key in `Authorization: Bearer ...`."""

    status = 401

    def __init__(self, detail: Any = "a valid API key is required as a bearer token") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class NotFound(ApiError):
    status = 404


class BodyTooLarge(ApiError):
    status = 413


class MalformedBody(ApiError):
    """The body is not JSON at all."""

    status = 400


class InvalidPayload(ApiError):
    """JSON, but not the payload the event needs."""

    status = 422


class Unavailable(ApiError):
    """A service the answer needs (Redis, the database) is down; worth retrying."""

    status = 503
