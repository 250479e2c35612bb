"""The HTTP boundary: one pooled session, and the one place where `requests` failures and HTTP answers
become connector errors."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase

from connectors.errors import AuthError, ConnectorError, PermanentError, TransientError

DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 30.0)
"""(connect, read) seconds: connecting is quick or it is down; marketplaces can take a while to answer."""

_BAN = re.compile(r"(?:ban will last for|retry after|try again in)\s+(\d+(?:\.\d+)?)\s*(?:more\s+)?s", re.I)

_session: requests.Session | None = None
_session_lock = threading.Lock()


def make_session(pool_size: int = 32) -> requests.Session:
    """A session pooling `pool_size` keep-alive connections per host, with no hidden retries."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=16, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "listing-sync/0.1"
    return session


def shared_session() -> requests.Session:
    """The process-wide session every connector uses unless given another."""
    global _session
    with _session_lock:
        if _session is None:
            _session = make_session()
        return _session


@dataclass(frozen=True)
class ErrorInfo:
    """What a marketplace's error body says: its code, plain message, the field at fault, a wait."""

    code: str
    message: str
    field: str | None = None
    retry_after: float | None = None


ErrorReader = Callable[[requests.Response], ErrorInfo]


@runtime_checkable
class Refreshable(Protocol):
    """An auth object holding a token it can drop, so the next request fetches a fresh one."""

    def invalidate(self) -> None: ...


def where(method: str, url: str) -> str:
    """`METHOD host/path` without the query string (which may carry a session key) for messages."""
    parts = urlsplit(url)
    return f"{method} {parts.netloc}{parts.path}"


def ban_seconds(text: str) -> float | None:
    """The wait a throttling message asks for ("This ban will last for 12 more seconds")."""
    m = _BAN.search(text or "")
    return float(m.group(1)) if m else None


def retry_after(response: requests.Response) -> float | None:
    """Seconds from a Retry-After header (delta or HTTP date), the body's words, or Amazon's rate header."""
    value = response.headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
            except (TypeError, ValueError):
                pass
    try:
        words = ban_seconds(response.text[:2000])
    except (UnicodeDecodeError, LookupError):
        words = None
    if words is not None:
        return words
    try:  # Amazon's usage plan: requests per second for this operation
        rate = float(response.headers.get("x-amzn-RateLimit-Limit", ""))
    except ValueError:
        return None
    return 1.0 / rate if rate > 0 else None


FIELD_PARAMETERS = ("fieldName", "field", "attributeName", "attributeNames")
DETAIL_PARAMETERS = ("reason", "additionalInfo")


def error_entry(entry: Mapping[str, Any], fallback: str = "refused") -> ErrorInfo:
    """One `errors[]` entry (Amazon's `code`, eBay's `errorId` and `parameters`) as code, words and field."""
    params = {
        str(p.get("name")): str(p.get("value"))
        for p in entry.get("parameters") or []
        if isinstance(p, Mapping) and p.get("value") not in (None, "")
    }
    code = entry.get("code", entry.get("errorId", ""))
    message = str(entry.get("message") or fallback)
    long = str(entry.get("longMessage") or "")
    if long and long != message and "see the documentation" not in long:  # eBay's 2004 text says nothing
        message = long
    details = [params[k] for k in DETAIL_PARAMETERS if k in params and params[k] not in message]
    if details:
        message = f"{message.rstrip('.')}: {'; '.join(details)}"
    field = next((params[k] for k in FIELD_PARAMETERS if k in params), None)
    return ErrorInfo(str(code), message, field)


def read_errors_body(response: requests.Response) -> ErrorInfo:
    """Amazon's and eBay's shape: `{"errors": [{"code"|"errorId", "message", ...}]}`."""
    try:
        first = (response.json().get("errors") or [{}])[0]
    except (ValueError, AttributeError, IndexError, TypeError):
        return ErrorInfo(str(response.status_code), response.reason or "HTTP error")
    info = error_entry(first, response.reason or "HTTP error")
    return info if info.code else ErrorInfo(str(response.status_code), info.message, info.field)


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    **kwargs: Any,
) -> requests.Response:
    """Send one request; transport failures become `TransientError` (the only place that catches them)."""
    try:
        return session.request(method, url, timeout=timeout, **kwargs)
    except requests.exceptions.Timeout as exc:
        raise TransientError(f"{where(method, url)}: no answer in time ({type(exc).__name__})") from None
    except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        raise TransientError(f"{where(method, url)}: connection failed ({type(exc).__name__})") from None
    except requests.exceptions.RequestException as exc:
        raise ConnectorError(f"{where(method, url)}: request failed ({type(exc).__name__})") from None


def decode(response: requests.Response) -> Any:
    """The JSON body; an unreadable one is transient (the answer was garbled, not refused)."""
    if not response.content:
        return {}
    try:
        return response.json()
    except (requests.exceptions.JSONDecodeError, ValueError):
        raise TransientError(
            f"{where(response.request.method or '', response.url)}: answer is not valid JSON",
            status=response.status_code,
        ) from None


def check(response: requests.Response, read_error: ErrorReader = read_errors_body) -> requests.Response:
    """Return a 2xx answer; turn anything else into the matching error."""
    status = response.status_code
    if status < 300:
        return response
    request_id = response.headers.get("x-amzn-RequestId") or response.headers.get("X-EBAY-C-REQUEST-ID")
    info = read_error(response)
    place = where(response.request.method or "", response.url)
    if status == 429 or status >= 500 or status == 408:
        wait = retry_after(response)
        raise TransientError(
            f"{place}: {status} {info.message} (code {info.code})",
            retry_after=info.retry_after if wait is None else wait,
            status=status,
            request_id=request_id,
        )
    if status in (401, 403):
        raise AuthError(
            f"{place}: {status} {info.message} (code {info.code})", status=status, request_id=request_id
        )
    raise PermanentError(info.code, info.message, info.field, status=status, request_id=request_id)


class HttpClient:
    """A marketplace endpoint: base URL, auth, session and timeouts, with one refresh on 401/403."""

    def __init__(
        self,
        base_url: str,
        auth: AuthBase | None = None,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        read_error: ErrorReader = read_errors_body,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.session = session or shared_session()
        self.timeout = timeout
        self.read_error = read_error
        self.headers = headers or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    def url(self, path: str) -> str:
        return path if "://" in path else f"{self.base_url}{path}"

    def request(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> requests.Response:
        """Send and check one request; on 401/403 drop the token and try once more before `AuthError`."""
        url = self.url(path)
        headers = {**self.headers, **kwargs.pop("headers", {})}
        use = self.auth if auth else None
        response = send(self.session, method, url, timeout=self.timeout, auth=use, headers=headers, **kwargs)
        if response.status_code in (401, 403) and isinstance(use, Refreshable):
            use.invalidate()
            response = send(
                self.session, method, url, timeout=self.timeout, auth=use, headers=headers, **kwargs
            )
        return check(response, self.read_error)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """`request` and decode the JSON answer."""
        return decode(self.request(method, path, **kwargs))


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON for request bodies."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
