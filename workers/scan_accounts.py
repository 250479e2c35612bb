"""The marketplace accounts scans search with: the connected accounts of one seller of ours.

Searching needs credentials, but no seller's consent: eBay Browse takes an application token (the account's
client id and secret, client-credentials grant), Amazon's Catalog Items and Product Pricing take any selling
partner's Login with Amazon token, TOP's item search an app key. A deployment therefore connects its own
accounts under one seller id, `LISTING_SYNC_SCAN_SELLER` (default `scanner`), with `listing-sync sellers add`
and `sellers connect` like any seller's: stored encrypted, shown without secrets, reconnected the same way.
The demo and the tests connect that seller to the sandboxes (`workers.sandboxes.connect_scanner`).

An account's settings may say `"rate_limits": false` (a sandbox run without limits); otherwise every search
call waits for its slot in the shared Redis limiter at the marketplace's documented rate.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import requests
import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from connectors.http import DEFAULT_TIMEOUT, make_session
from connectors.registry import DEFAULT_ENDPOINTS, MARKETPLACES
from connectors.search import RateGate, Search, build_search
from connectors.search.amazon import RATES as AMAZON_RATES
from connectors.search.tmall import METHOD as TOP_SEARCH
from workers.accounts import ACCOUNTS, AccountError, read_credentials
from workers.ratelimit import Limit, SharedRateLimiter

SCAN_SELLER_VARIABLE = "LISTING_SYNC_SCAN_SELLER"
DEFAULT_SCAN_SELLER = "scanner"

#: The documented rates of the search calls (requests a second, burst); eBay publishes only daily quotas.
SEARCH_RATES: dict[str, dict[str, tuple[float, int]]] = {
    "amazon": AMAZON_RATES,
    "ebay": {},
    "tmall": {TOP_SEARCH: (5.0, 1)},
}


class ScanAccountError(AccountError):
    """No account to scan a marketplace with, or an unknown marketplace."""


def scan_seller(environ: Mapping[str, str] | None = None) -> str:
    """The seller whose accounts scans use: `LISTING_SYNC_SCAN_SELLER`, else `scanner`."""
    env = os.environ if environ is None else environ
    return (env.get(SCAN_SELLER_VARIABLE) or "").strip() or DEFAULT_SCAN_SELLER


def check_marketplaces(names: list[str] | tuple[str, ...]) -> list[str]:
    """The marketplaces asked for, each known; raises naming the first unknown one."""
    for name in names:
        if name not in MARKETPLACES:
            raise ScanAccountError(f"marketplace: expected one of {', '.join(MARKETPLACES)}, got {name!r}")
    return list(dict.fromkeys(names))


def scan_marketplaces(conn: Connection, seller: str, wanted: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The marketplaces a scan searches: those asked for (each must have an account), else every one the
    scan seller has connected; raises when there is none."""
    connected = {
        str(m)
        for (m,) in conn.execute(sa.select(ACCOUNTS.c.marketplace).where(ACCOUNTS.c.seller_id == seller))
    }
    chosen = check_marketplaces(wanted) if wanted else sorted(connected)
    missing = [m for m in chosen if m not in connected]
    if missing or not chosen:
        named = missing[0] if missing else "any marketplace"
        raise ScanAccountError(
            f"no scan account for {named}: scans search with the accounts of seller {seller!r} "
            f"({SCAN_SELLER_VARIABLE}); connect one with `listing-sync sellers add {seller}` and "
            f"`listing-sync sellers connect {seller} {missing[0] if missing else 'MARKETPLACE'} ...`"
        )
    return chosen


def shared_gate(limiter: SharedRateLimiter, marketplace: str, seller: str) -> RateGate:
    """Waits for each search call's slot in Redis, so every worker together keeps the documented rate."""
    limits = {op: Limit(rate, burst) for op, (rate, burst) in SEARCH_RATES[marketplace].items()}

    def wait(operation: str) -> None:
        limit = limits.get(operation)
        if limit is not None:
            limiter.wait(f"search:{marketplace}:{seller}", operation, limit, max_wait=300.0)

    return wait


def open_search(
    engine: Engine,
    secret_key: str | None,
    seller: str,
    marketplace: str,
    *,
    limiter: SharedRateLimiter | None = None,
    session: requests.Session | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> Search:
    """A ready search on `marketplace` with the scan seller's stored account."""
    check_marketplaces([marketplace])
    with engine.connect() as conn:
        account = conn.execute(
            sa.select(ACCOUNTS).where(ACCOUNTS.c.seller_id == seller, ACCOUNTS.c.marketplace == marketplace)
        ).one_or_none()
        if account is None:
            scan_marketplaces(conn, seller, [marketplace])  # raises the explanation
    assert account is not None
    settings = dict(account.settings or {})
    gate: RateGate | None = None
    if settings.get("rate_limits") is False:
        gate = lambda operation: None  # noqa: E731 - a sandbox without limits
    elif limiter is not None:
        gate = shared_gate(limiter, marketplace, seller)
    # The stored default endpoint is the marketplace's own: its tokens and pages are on other hosts.
    endpoint = None if account.endpoint == DEFAULT_ENDPOINTS[marketplace] else account.endpoint
    return build_search(
        marketplace,
        credentials=read_credentials(account, secret_key),
        endpoint=endpoint,
        marketplace_ids=list(account.marketplace_ids or []),
        settings=settings,
        session=session or make_session(),
        timeout=timeout,
        rate_gate=gate,
    )
