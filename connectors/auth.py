"""Auth objects for `requests`: Login with Amazon, eBay OAuth (both refresh-token grants) and TOP signing.

Token auths cache the access token, refresh it shortly before it expires, and drop it when the marketplace
answers 401/403 so that the next request refreshes once. All are safe to share between threads.
"""

from __future__ import annotations

import abc
import base64
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes
from email.policy import HTTP
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase

from connectors.errors import AuthError, TransientError
from connectors.http import DEFAULT_TIMEOUT, check, decode, send, shared_session
from connectors.top_signing import sign

EBAY_INVENTORY_SCOPE = "https://api.ebay.com/oauth/api_scope/sell.inventory"


class TokenAuth(AuthBase, abc.ABC):
    """A refresh-token grant with a cached access token; subclasses say how to ask and where to put it."""

    skew_seconds = 120.0  # refresh this long before the token would expire

    def __init__(
        self,
        token_url: str,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self.session = session or shared_session()
        self.timeout = timeout
        self.clock = clock
        self.refreshes = 0
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.token_url!r})"

    @abc.abstractmethod
    def grant(self) -> tuple[dict[str, str], dict[str, str]]:
        """The token request's form fields and headers."""

    @abc.abstractmethod
    def apply(self, r: requests.PreparedRequest, token: str) -> None:
        """Put the access token on a request."""

    def token(self) -> str:
        """A valid access token, refreshed when missing or about to expire."""
        with self._lock:
            if self._token is None or self.clock() >= self._expires - self.skew_seconds:
                self._refresh()
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """Forget the token (the marketplace refused it); the next request fetches a new one."""
        with self._lock:
            self._token = None

    def _refresh(self) -> None:
        data, headers = self.grant()
        started = self.clock()
        response = send(
            self.session, "POST", self.token_url, data=data, headers=headers, timeout=self.timeout
        )
        if response.status_code in (400, 401, 403):
            try:
                reason = str(response.json().get("error", response.status_code))
            except (ValueError, AttributeError):
                reason = str(response.status_code)
            raise AuthError(
                f"{type(self).__name__}: token refresh refused ({reason}); reconnect the account",
                status=response.status_code,
            )
        body = decode(check(response))
        try:
            token, expires_in = str(body["access_token"]), float(body.get("expires_in", 3600))
        except (KeyError, TypeError, ValueError):
            raise TransientError(f"{type(self).__name__}: token answer without access_token") from None
        self._token, self._expires = token, started + expires_in
        self.refreshes += 1

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        self.apply(r, self.token())
        return r


class LwaAuth(TokenAuth):
    """Login with Amazon: `x-amz-access-token` from a refresh-token grant with client id and secret."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, refresh_token: str, **kw: object):
        super().__init__(token_url, **kw)  # type: ignore[arg-type]
        self.client_id = client_id
        self._secret = client_secret
        self._refresh_token = refresh_token

    def grant(self) -> tuple[dict[str, str], dict[str, str]]:
        return {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token,
            "client_id": self.client_id,
            "client_secret": self._secret,
        }, {}

    def apply(self, r: requests.PreparedRequest, token: str) -> None:
        r.headers["x-amz-access-token"] = token


class EbayAuth(TokenAuth):
    """eBay OAuth: Basic client credentials, refresh-token grant with scopes, Bearer token on calls."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        scopes: tuple[str, ...] = (EBAY_INVENTORY_SCOPE,),
        **kw: object,
    ):
        super().__init__(token_url, **kw)  # type: ignore[arg-type]
        self.client_id = client_id
        self._secret = client_secret
        self._refresh_token = refresh_token
        self.scopes = scopes

    def grant(self) -> tuple[dict[str, str], dict[str, str]]:
        basic = base64.b64encode(f"{self.client_id}:{self._secret}".encode()).decode()
        return (
            {
                "grant_type": "refresh_token",
                "refresh_token": self._refresh_token,
                "scope": " ".join(self.scopes),
            },
            {"Authorization": f"Basic {basic}"},
        )

    def apply(self, r: requests.PreparedRequest, token: str) -> None:
        r.headers["Authorization"] = f"Bearer {token}"


_CHINA = timezone(timedelta(hours=8))


class TopAuth(AuthBase):
    """TOP request signing: adds app_key, session, timestamp, v, format, sign_method and sign.

    System parameters go in the query string, as the official SDKs send them, except the session key, which
    joins the business parameters in the body (form or multipart) so that no URL in a log line carries it.
    The signature covers both, leaving out files.
    """

    def __init__(
        self,
        app_key: str,
        app_secret: str,
        session_key: str,
        *,
        sign_method: str = "hmac-sha256",
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app_key = app_key
        self._secret = app_secret
        self._session_key = session_key
        self.sign_method = sign_method
        self.now = now

    def __repr__(self) -> str:
        return f"TopAuth(app_key={self.app_key!r}, sign_method={self.sign_method!r})"

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        parts = urlsplit(r.url or "")
        query = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "sign"}
        query.update(
            app_key=self.app_key,
            timestamp=self.now().astimezone(_CHINA).strftime("%Y-%m-%d %H:%M:%S"),
            v="2.0",
            format="json",
            sign_method=self.sign_method,
        )
        params, files = _body_parts(r)
        params["session"] = self._session_key
        query["sign"] = sign({**params, **query}, self._secret, self.sign_method)
        r.headers.pop(
            "Content-Type", None
        )  # the body is encoded afresh (a multipart one gets a new boundary)
        r.prepare_body(data=params, files=files or None)
        r.url = urlunsplit(parts._replace(query=urlencode(query)))
        return r


FileParts = dict[str, tuple[str, bytes, str]]


def _body_parts(r: requests.PreparedRequest) -> tuple[dict[str, str], FileParts]:
    """The text parameters and the files of a form or multipart body (files are not signed)."""
    body = r.body or b""
    if isinstance(body, str):
        body = body.encode()
    if not isinstance(body, bytes | bytearray):
        raise TypeError("TOP requests need an in-memory body to sign")
    raw_type = r.headers.get("Content-Type", "")
    ctype = raw_type.decode("latin-1") if isinstance(raw_type, bytes) else str(raw_type)
    params: dict[str, str] = {}
    files: FileParts = {}
    if ctype.startswith("application/x-www-form-urlencoded"):
        params = dict(parse_qsl(body.decode(), keep_blank_values=True))
    elif ctype.startswith("multipart/form-data"):
        head = f"Content-Type: {ctype}\r\n\r\n".encode("latin-1")
        msg = message_from_bytes(head + bytes(body), policy=HTTP)
        for part in msg.iter_parts():  # type: ignore[attr-defined]
            name = str(part.get_param("name", header="content-disposition"))
            data = bytes(part.get_payload(decode=True))
            if part.get_filename() is None:
                params[name] = data.decode()
            else:
                files[name] = (str(part.get_filename()), data, part.get_content_type())
    return params, files
