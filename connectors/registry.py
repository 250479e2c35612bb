"""Build a ready connector from an account's plain description (endpoint, ids, settings, credentials).

The store keeps accounts in this shape; tests, the demo and benchmarks build sandbox accounts the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import requests

from catalog.hashing import plain
from connectors.amazon import AmazonConnector
from connectors.auth import EBAY_INVENTORY_SCOPE, EbayAuth, LwaAuth, TopAuth
from connectors.base import Connector
from connectors.ebay import EbayConnector
from connectors.errors import ConnectorError
from connectors.http import DEFAULT_TIMEOUT, shared_session
from connectors.mapping.ebay import OfferSettings
from connectors.mapping.money import RateTable, Rounding
from connectors.mapping.tmall import ItemSettings
from connectors.tmall import TmallConnector

MARKETPLACES = ("amazon", "ebay", "tmall")

# What each marketplace's credentials hold; every one of them is secret except the ids.
CREDENTIAL_FIELDS: dict[str, tuple[str, ...]] = {
    "amazon": ("client_id", "client_secret", "refresh_token"),
    "ebay": ("client_id", "client_secret", "refresh_token"),
    "tmall": ("app_key", "app_secret", "session"),
}
DEFAULT_ENDPOINTS = {
    "amazon": "https://sellingpartnerapi-na.amazon.com",
    "ebay": "https://api.ebay.com",
    "tmall": "https://gw.api.taobao.com",
}
DEFAULT_TOKEN_URLS = {
    "amazon": "https://api.amazon.com/auth/o2/token",
    "ebay": "https://api.ebay.com/identity/v1/oauth2/token",
}
DEFAULT_MARKETPLACE_IDS = {"amazon": ["ATVPDKIKX0DER"], "ebay": ["EBAY_US"], "tmall": []}
AMAZON_PRODUCT_TYPE, AMAZON_LANGUAGE_TAG = "PRODUCT", "en_US"
TMALL_STATE, TMALL_CITY = "浙江", "杭州"
#: The eBay account settings that go into every offer (none is set by default).
EBAY_OFFER_SETTINGS = (
    "fulfillment_policy_id",
    "payment_policy_id",
    "return_policy_id",
    "merchant_location_key",
    "default_category_id",
)


class AccountError(ConnectorError):
    """An account description that cannot make a connector (a missing credential, a bad setting)."""


def _need(creds: Mapping[str, str], marketplace: str) -> None:
    missing = [k for k in CREDENTIAL_FIELDS[marketplace] if not creds.get(k)]
    if missing:
        raise AccountError(f"{marketplace} account is missing credentials: {', '.join(missing)}")


TOKEN_PATHS = {"amazon": "/auth/o2/token", "ebay": "/identity/v1/oauth2/token"}


def token_url(marketplace: str, base: str, endpoint: str | None, settings: Mapping[str, Any]) -> str:
    """Where the account's tokens come from: `settings["token_url"]`, else the endpoint's own host (a
    sandbox serves both), else the marketplace's token endpoint."""
    url = settings.get("token_url") or (
        f"{base}{TOKEN_PATHS[marketplace]}" if endpoint else DEFAULT_TOKEN_URLS[marketplace]
    )
    return str(url)


def lwa_auth(
    credentials: Mapping[str, str], url: str, session: requests.Session, timeout: tuple[float, float]
) -> LwaAuth:
    """Login with Amazon for an account's refresh token."""
    return LwaAuth(
        url,
        credentials["client_id"],
        credentials["client_secret"],
        credentials["refresh_token"],
        session=session,
        timeout=timeout,
    )


def top_auth(credentials: Mapping[str, str], settings: Mapping[str, Any]) -> TopAuth:
    """TOP signing for an account's app key, secret and seller session."""
    return TopAuth(
        credentials["app_key"],
        credentials["app_secret"],
        credentials["session"],
        sign_method=str(settings.get("sign_method", "hmac-sha256")),
    )


def rate_table(settings: Mapping[str, Any]) -> RateTable:
    """The CNY rate table from settings: {"rates": {"USD": "7.10"}, "rounding": "cent"}."""
    try:
        rates = {str(k).upper(): Decimal(str(v)) for k, v in (settings.get("rates") or {}).items()}
        rounding = Rounding(settings.get("rounding", Rounding.CENT))
    except (InvalidOperation, ValueError) as exc:
        raise AccountError(f"tmall settings: bad rates or rounding ({exc})") from None
    if any(v <= 0 for v in rates.values()):
        raise AccountError("tmall settings: every rate must be above 0")
    return RateTable(rates=rates, rounding=rounding)


def _plain_rate(value: Any) -> str:
    try:
        return plain(Decimal(str(value)))
    except InvalidOperation:
        return str(value)  # refused by `rate_table` when the connector is built; still a distinct value


def payload_settings(
    marketplace: str, marketplace_ids: Sequence[str], settings: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """Per field group, the account settings that the group's writes send, where they differ from their
    defaults (an account at its defaults answers {}).

    Read from the mapping code: Amazon names its site (`marketplace_ids[0]`) in every attribute and offer
    patch, and the product type and language tag in the full put; Tmall converts every price with the rate
    table and its rounding, and sends the shipping origin with every content update. eBay's business
    policies, inventory location and fallback category are the offer's own fields, which updateOffer
    revises: they form eBay's `offer` group (see `workers.account_hashes`). eBay's site is not listed: an
    offer belongs to one site, and no update can move it to another. Credentials, endpoints, token URLs,
    scopes, polling and feed thresholds change no payload.
    """
    settings = settings or {}
    found: dict[str, dict[str, Any]] = {}

    def note(groups: Sequence[str], name: str, value: Any, default: str) -> None:
        if value is not None and str(value) != default:
            for group in groups:
                found.setdefault(group, {})[name] = str(value)

    if marketplace == "amazon":
        default_site = DEFAULT_MARKETPLACE_IDS["amazon"][0]
        site = (list(marketplace_ids) or [default_site])[0]
        note(("content", "price", "quantity", "images"), "marketplace_id", site, default_site)
        note(("content",), "default_product_type", settings.get("default_product_type"), AMAZON_PRODUCT_TYPE)
        note(("content",), "language_tag", settings.get("language_tag"), AMAZON_LANGUAGE_TAG)
    elif marketplace == "tmall":
        note(("content",), "state", settings.get("state"), TMALL_STATE)
        note(("content",), "city", settings.get("city"), TMALL_CITY)
        rates = {str(k).upper(): _plain_rate(v) for k, v in (settings.get("rates") or {}).items()}
        if rates:
            found.setdefault("price", {})["rates"] = dict(sorted(rates.items()))
        note(("price",), "rounding", settings.get("rounding"), Rounding.CENT.value)
    elif marketplace == "ebay":
        for name in EBAY_OFFER_SETTINGS:
            note(("offer",), name, settings.get(name) or None, "")
    return found


def build_connector(
    marketplace: str,
    *,
    endpoint: str | None = None,
    marketplace_ids: Sequence[str] = (),
    settings: Mapping[str, Any] | None = None,
    credentials: Mapping[str, str],
    seller_id: str = "",
    session: requests.Session | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> Connector:
    """A connector for one account. A sandbox account sets `endpoint` (its token endpoint is on the same
    host unless `settings["token_url"]` says otherwise)."""
    if marketplace not in MARKETPLACES:
        raise AccountError(f"unknown marketplace {marketplace!r}: expected one of {', '.join(MARKETPLACES)}")
    _need(credentials, marketplace)
    settings = dict(settings or {})
    session = session or shared_session()
    base = (endpoint or DEFAULT_ENDPOINTS[marketplace]).rstrip("/")
    ids = list(marketplace_ids) or DEFAULT_MARKETPLACE_IDS[marketplace]
    http: dict[str, Any] = {"session": session, "timeout": timeout}
    if marketplace == "amazon":
        auth = lwa_auth(credentials, token_url("amazon", base, endpoint, settings), session, timeout)
        amazon_seller = credentials.get("seller_id") or settings.get("seller_id") or seller_id
        if not amazon_seller:
            raise AccountError("amazon account needs its selling partner id (seller_id)")
        return AmazonConnector(
            base,
            auth,
            amazon_seller,
            ids[0],
            feed_threshold=int(settings.get("feed_threshold", 50)),
            default_product_type=str(settings.get("default_product_type", AMAZON_PRODUCT_TYPE)),
            language_tag=str(settings.get("language_tag", AMAZON_LANGUAGE_TAG)),
            poll_interval=float(settings.get("poll_interval", 5.0)),
            **http,
        )
    if marketplace == "ebay":
        ebay_auth = EbayAuth(
            token_url("ebay", base, endpoint, settings),
            credentials["client_id"],
            credentials["client_secret"],
            credentials["refresh_token"],
            scopes=tuple(settings.get("scopes") or (EBAY_INVENTORY_SCOPE,)),
            session=session,
            timeout=timeout,
        )
        offer = OfferSettings(
            marketplace_id=ids[0],
            fulfillment_policy_id=settings.get("fulfillment_policy_id"),
            payment_policy_id=settings.get("payment_policy_id"),
            return_policy_id=settings.get("return_policy_id"),
            merchant_location_key=settings.get("merchant_location_key"),
            default_category_id=settings.get("default_category_id"),
        )
        return EbayConnector(base, ebay_auth, offer, **http)
    auth_top = top_auth(credentials, settings)
    item = ItemSettings(
        rates=rate_table(settings),
        state=str(settings.get("state", TMALL_STATE)),
        city=str(settings.get("city", TMALL_CITY)),
    )
    return TmallConnector(base, auth_top, item, **http)
