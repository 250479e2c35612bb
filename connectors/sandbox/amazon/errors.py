"""The sandbox's error tree and the answers Amazon gives for each: SP-API error lists, LWA errors, S3 XML."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

UNAUTHORIZED_MESSAGE = "Access to requested resource is denied."
QUOTA_MESSAGE = "You exceeded your quota for the requested resource."


class AmazonSandboxError(Exception):
    """Root of every error the Amazon sandbox raises; each knows the HTTP answer it becomes."""

    status = 500

    def response(self, request_id: str) -> Response:
        raise NotImplementedError


class ApiError(AmazonSandboxError):
    """An SP-API refusal: `{"errors": [{code, message, details}]}` with the model's status."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.errors: list[dict[str, str]] = [{"code": code, "message": message, "details": details}]

    @classmethod
    def many(cls, status: int, errors: list[dict[str, str]]) -> ApiError:
        error = cls(status, errors[0]["code"], errors[0]["message"], errors[0].get("details", ""))
        error.errors = errors
        return error

    def response(self, request_id: str) -> Response:
        return json_response({"errors": self.errors}, self.status, {"x-amzn-RequestId": request_id})


class Unauthorized(ApiError):
    """SP-API's answer to a missing, unknown, expired or misused access token."""

    def __init__(self, details: str) -> None:
        super().__init__(403, "Unauthorized", UNAUTHORIZED_MESSAGE, details)


class QuotaExceeded(ApiError):
    """SP-API's throttling answer, exactly as documented."""

    def __init__(self) -> None:
        super().__init__(429, "QuotaExceeded", QUOTA_MESSAGE, "")


class InternalFailure(ApiError):
    def __init__(self) -> None:
        super().__init__(500, "InternalFailure", "We encountered an internal error. Please try again.", "")


class InvalidInput(ApiError):
    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(400, "InvalidInput", message, details)


class NotFound(ApiError):
    def __init__(self, message: str, code: str = "NOT_FOUND") -> None:
        super().__init__(404, code, message, "")


class LwaError(AmazonSandboxError):
    """Login with Amazon's own error shape: `{"error": ..., "error_description": ...}`."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description

    def response(self, request_id: str) -> Response:
        body = {"error": self.error, "error_description": self.description}
        return json_response(body, self.status, {"x-amzn-RequestId": request_id, "Cache-Control": "no-store"})


class StorageError(AmazonSandboxError):
    """What the document store (S3 behind a pre-signed URL) answers: an XML `<Error>`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def response(self, request_id: str) -> Response:
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{self.code}</Code><Message>{self.message}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
        return Response(xml, self.status, media_type="application/xml")


def dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(body), status, headers, media_type="application/json")
