"""Amazon's marketplace ids, with the currency and default language each one sells in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Marketplace:
    marketplace_id: str
    country: str
    currency: str
    language: str


MARKETPLACES: dict[str, Marketplace] = {
    m.marketplace_id: m
    for m in (
        Marketplace("ATVPDKIKX0DER", "US", "USD", "en_US"),
        Marketplace("A2EUQ1WTGCTBG2", "CA", "CAD", "en_CA"),
        Marketplace("A1AM78C64UM0Y8", "MX", "MXN", "es_MX"),
        Marketplace("A2Q3Y263D00KWC", "BR", "BRL", "pt_BR"),
        Marketplace("A1F83G8C2ARO7P", "UK", "GBP", "en_GB"),
        Marketplace("A1PA6795UKMFR9", "DE", "EUR", "de_DE"),
        Marketplace("A13V1IB3VIYZZH", "FR", "EUR", "fr_FR"),
        Marketplace("APJ6JRA9NG5V4", "IT", "EUR", "it_IT"),
        Marketplace("A1RKKUPIHCS9HS", "ES", "EUR", "es_ES"),
        Marketplace("A1805IZSGTT6HS", "NL", "EUR", "nl_NL"),
        Marketplace("AMEN7PMS3EDWL", "BE", "EUR", "fr_BE"),
        Marketplace("A2NODRKZP88ZB9", "SE", "SEK", "sv_SE"),
        Marketplace("A1C3SOZRARQ6R3", "PL", "PLN", "pl_PL"),
        Marketplace("A33AVAJ2PDY3EV", "TR", "TRY", "tr_TR"),
        Marketplace("A2VIGQ35RCS4UG", "AE", "AED", "en_AE"),
        Marketplace("A17E79C6D8DWNP", "SA", "SAR", "ar_SA"),
        Marketplace("ARBP9OOSHTCHU", "EG", "EGP", "ar_EG"),
        Marketplace("A21TJRUUN4KGV", "IN", "INR", "en_IN"),
        Marketplace("A1VC38T7YXB528", "JP", "JPY", "ja_JP"),
        Marketplace("A39IBJ37TRP1C6", "AU", "AUD", "en_AU"),
        Marketplace("A19VAU5U5O7RUS", "SG", "SGD", "en_SG"),
        Marketplace("AAHKV2X7AFYLW", "CN", "CNY", "zh_CN"),
    )
}

US = "ATVPDKIKX0DER"
