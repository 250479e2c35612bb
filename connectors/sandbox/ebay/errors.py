"""eBay's error answers, as exceptions the handlers raise and the app renders in eBay's own shape.

REST calls answer `{"errors": [{errorId, domain, subdomain, category, message, longMessage, parameters}]}`;
the OAuth token endpoint answers `{"error", "error_description"}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

INVENTORY = "API_INVENTORY"


def error(
    error_id: int,
    message: str,
    *,
    domain: str = INVENTORY,
    category: str = "REQUEST",
    long_message: str | None = None,
    parameters: Mapping[str, object] | None = None,
) -> dict[str, Any]:
    """One entry of an eBay `errors` (or `warnings`) array."""
    entry: dict[str, Any] = {"errorId": error_id, "domain": domain}
    if domain == INVENTORY:
        entry["subdomain"] = "Inventory"
    entry["category"] = category
    entry["message"] = message
    if long_message:
        entry["longMessage"] = long_message
    if parameters:
        entry["parameters"] = [{"name": name, "value": str(value)} for name, value in parameters.items()]
    return entry


class EbaySandboxError(Exception):
    """Root of the eBay sandbox's errors: an answer other than success."""

    status: int = 500

    def body(self) -> dict[str, Any]:
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        return {}


class ApiError(EbaySandboxError):
    """A REST answer carrying one or more eBay errors."""

    def __init__(self, status: int, errors: Iterable[dict[str, Any]]) -> None:
        self.status = status
        self.errors = list(errors)
        super().__init__(f"{status}: " + "; ".join(e["message"] for e in self.errors))

    def body(self) -> dict[str, Any]:
        return {"errors": self.errors}


class OAuthError(EbaySandboxError):
    """An answer of the OAuth token endpoint."""

    def __init__(self, status: int, code: str, description: str) -> None:
        self.status = status
        self.code = code
        self.description = description
        super().__init__(f"{status}: {code}")

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "error_description": self.description}


def missing_token() -> ApiError:
    return ApiError(
        401,
        [
            error(
                1002,
                "Missing access token",
                domain="OAuth",
                long_message="Access token is missing in the Authorization HTTP request header.",
            )
        ],
    )


def invalid_token() -> ApiError:
    return ApiError(
        401,
        [
            error(
                1001,
                "Invalid access token",
                domain="OAuth",
                long_message=(
                    "Invalid access token. Check the value of the Authorization HTTP request header."
                ),
            )
        ],
    )


def access_denied() -> ApiError:
    return ApiError(
        403,
        [
            error(
                1100,
                "Access denied",
                domain="ACCESS",
                long_message="Insufficient permissions to fulfill the request.",
            )
        ],
    )


def too_many_requests() -> ApiError:
    return ApiError(
        429,
        [
            error(
                2001,
                "Too many requests.",
                domain="ACCESS",
                long_message="The request limit has been reached for the resource.",
            )
        ],
    )


def not_found(path: str) -> ApiError:
    return ApiError(
        404,
        [
            error(
                2002,
                "Resource not found",
                domain="ACCESS",
                long_message=f"A resource (URI) associated with the request could not be found: {path}",
            )
        ],
    )


def system_error(detail: str = "", status: int = 500) -> ApiError:
    message = "A system error has occurred." + (f" {detail}" if detail else "")
    return ApiError(status, [error(25001, message, category="APPLICATION")])
