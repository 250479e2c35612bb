"""Download an image over http(s) without letting a URL reach into our own network.

A listing image URL comes from a stranger, so a fetch must not become a request to a private service
(server-side request forgery). Every host is resolved and each of its addresses checked before we connect;
the socket's actual peer is checked again after connecting (so DNS that changes its answer between the check
and the connection gains nothing); redirects are followed by hand, each hop checked the same way.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from fingerprints.errors import FetchError, ForbiddenSourceError, ImageTooLargeError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024


def redact(url: str) -> str:
    """The URL without credentials, query or fragment, safe to show in errors and logs."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid url>"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}{parts.path}"


@dataclass(frozen=True)
class AddressPolicy:
    """Which peer addresses a fetch may connect to.

    By default only globally routable unicast addresses; `allow_private` lifts that (the sandboxes and tests
    serve on loopback), and `allowed_networks` lets a deployment open a few private networks (an internal CDN)
    without opening all of them.
    """

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def build(cls, allow_private: bool = False, allowed_networks: Iterable[str] = ()) -> AddressPolicy:
        return cls(allow_private, tuple(ipaddress.ip_network(n, strict=False) for n in allowed_networks))

    def allows(self, address: IPAddress) -> bool:
        if self.allow_private:
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if any(address in network for network in self.allowed_networks):
            return True
        return address.is_global and not address.is_multicast

    def check_host(self, host: str, port: int, label: str) -> None:
        """Resolve `host` and refuse it unless every address it resolves to is allowed."""
        if self.allow_private:
            return
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"cannot resolve host {host!r}: {exc}", source=label) from exc
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if not self.allows(address):
                raise ForbiddenSourceError(
                    f"host {host!r} resolves to {address}, a private, loopback or reserved address",
                    source=label,
                )


class _ForbiddenPeer(Exception):
    """Raised inside urllib3 when the connected socket's peer is not allowed; translated at our boundary."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


def _checked(sock: socket.socket, policy: AddressPolicy) -> socket.socket:
    peer = str(sock.getpeername()[0]).split("%", 1)[0]
    if not policy.allows(ipaddress.ip_address(peer)):
        sock.close()
        raise _ForbiddenPeer(peer)
    return sock


def _guarded_adapter(policy: AddressPolicy) -> HTTPAdapter:
    """An adapter whose connections check their peer address right after connecting."""

    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _checked(super()._new_conn(), policy)

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return _checked(super()._new_conn(), policy)

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}

    return GuardedAdapter()


def new_session(policy: AddressPolicy) -> requests.Session:
    """A session that ignores proxy settings from the environment (the peer must be the image host)."""
    session = requests.Session()
    session.trust_env = False
    session.headers["User-Agent"] = "listing-sync-fingerprints/1"
    session.headers["Accept"] = "image/*"
    if not policy.allow_private:
        adapter = _guarded_adapter(policy)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return session


def fetch(
    url: str,
    *,
    session: requests.Session,
    policy: AddressPolicy,
    max_bytes: int,
    timeout: float,
) -> bytes:
    """The body at `url`: at most `max_bytes`, `timeout` seconds per connect or read, 4x that overall."""
    deadline = time.monotonic() + 4 * timeout
    for _ in range(MAX_REDIRECTS + 1):
        label = redact(url)
        _check_url(url, policy, label)
        try:
            response = session.get(url, stream=True, timeout=(timeout, timeout), allow_redirects=False)
        except _ForbiddenPeer as exc:
            raise ForbiddenSourceError(
                f"connected to forbidden address {exc.address}", source=label
            ) from None
        except requests.RequestException as exc:
            raise FetchError(f"download failed ({type(exc).__name__})", source=label) from None
        with response:
            if response.is_redirect:
                location = response.headers.get("Location", "")
                url = urljoin(url, location)
                continue
            if response.status_code >= 400:
                raise FetchError(f"HTTP status {response.status_code}", source=label)
            return _read_capped(response, max_bytes, deadline, label)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects", source=redact(url))


def _check_url(url: str, policy: AddressPolicy, label: str) -> None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ForbiddenSourceError(f"invalid URL ({exc})", source=label) from None
    if parts.scheme not in ("http", "https"):
        raise ForbiddenSourceError(
            f"scheme {parts.scheme!r} is not allowed, only http and https", source=label
        )
    if not parts.hostname:
        raise ForbiddenSourceError("URL has no host", source=label)
    policy.check_host(parts.hostname, port or (443 if parts.scheme == "https" else 80), label)


def _read_capped(response: requests.Response, max_bytes: int, deadline: float, label: str) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ImageTooLargeError(
            f"declared size {declared} bytes exceeds the cap of {max_bytes}", source=label
        )
    chunks: list[bytes] = []
    received = 0
    try:
        for chunk in response.iter_content(CHUNK_BYTES):
            received += len(chunk)
            if received > max_bytes:
                raise ImageTooLargeError(f"body exceeds the cap of {max_bytes} bytes", source=label)
            if time.monotonic() > deadline:
                raise FetchError("download took too long", source=label)
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise FetchError(f"download failed ({type(exc).__name__})", source=label) from None
    return b"".join(chunks)
