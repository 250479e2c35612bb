"""Enumerations the model only names (`slr:ConditionEnum` ...): their values, from eBay's type reference."""

from __future__ import annotations

CONDITIONS = frozenset(
    {
        "NEW",
        "LIKE_NEW",
        "NEW_OTHER",
        "NEW_WITH_DEFECTS",
        "MANUFACTURER_REFURBISHED",  # still accepted, stored as CERTIFIED_REFURBISHED (see the model)
        "CERTIFIED_REFURBISHED",
        "EXCELLENT_REFURBISHED",
        "VERY_GOOD_REFURBISHED",
        "GOOD_REFURBISHED",
        "SELLER_REFURBISHED",
        "USED_EXCELLENT",
        "USED_VERY_GOOD",
        "USED_GOOD",
        "USED_ACCEPTABLE",
        "FOR_PARTS_OR_NOT_WORKING",
        "PRE_OWNED_EXCELLENT",
        "PRE_OWNED_FAIR",
    }
)

FORMATS = frozenset({"FIXED_PRICE", "AUCTION"})

# Marketplace -> the currency its prices are in (the ones a listing can be published to).
MARKETPLACE_CURRENCY = {
    "EBAY_US": "USD",
    "EBAY_MOTORS": "USD",
    "EBAY_CA": "CAD",
    "EBAY_GB": "GBP",
    "EBAY_AU": "AUD",
    "EBAY_AT": "EUR",
    "EBAY_BE": "EUR",
    "EBAY_FR": "EUR",
    "EBAY_DE": "EUR",
    "EBAY_IT": "EUR",
    "EBAY_NL": "EUR",
    "EBAY_ES": "EUR",
    "EBAY_IE": "EUR",
    "EBAY_CH": "CHF",
    "EBAY_HK": "HKD",
    "EBAY_IN": "INR",
    "EBAY_MY": "MYR",
    "EBAY_PH": "PHP",
    "EBAY_PL": "PLN",
    "EBAY_SG": "SGD",
}

MARKETPLACES = frozenset(
    {
        *MARKETPLACE_CURRENCY,
        *(
            f"EBAY_{code}"
            for code in (
                [
                    "TW",
                    "CZ",
                    "DK",
                    "FI",
                    "GR",
                    "HU",
                    "ID",
                    "IL",
                    "NZ",
                    "NO",
                    "PT",
                    "PR",
                    "RU",
                    "ZA",
                    "SE",
                    "TH",
                    "VN",
                    "CN",
                    "PE",
                    "JP",
                ]
            )
        ),
    }
)

LOCALES = frozenset(
    [
        "en_US",
        "en_CA",
        "fr_CA",
        "en_GB",
        "en_AU",
        "en_IN",
        "de_AT",
        "fr_BE",
        "fr_FR",
        "de_DE",
        "it_IT",
        "nl_BE",
        "nl_NL",
        "es_ES",
        "de_CH",
        "fi_FI",
        "zh_HK",
        "hu_HU",
        "en_PH",
        "pl_PL",
        "pt_PT",
        "ru_RU",
        "en_SG",
        "en_IE",
        "en_MY",
    ]
)

# Content-Language takes the same locales written with a hyphen, plus two that only appear there.
CONTENT_LANGUAGES = frozenset({locale.replace("_", "-") for locale in LOCALES} | {"th-TH", "zh-TW"})

LISTING_DURATIONS = frozenset(
    ["DAYS_1", "DAYS_3", "DAYS_5", "DAYS_7", "DAYS_10", "DAYS_21", "DAYS_30", "GTC"]
)

# The enumerations the model refers to by name, as JSON Schema enums.
BY_NAME: dict[str, frozenset[str]] = {
    "ConditionEnum": CONDITIONS,
    "FormatTypeEnum": FORMATS,
    "MarketplaceEnum": MARKETPLACES,
    "LocaleEnum": LOCALES,
    "ListingDurationEnum": LISTING_DURATIONS,
    "OfferStatusEnum": frozenset({"PUBLISHED", "UNPUBLISHED"}),
    "ListingStatusEnum": frozenset(
        {"ACTIVE", "OUT_OF_STOCK", "INACTIVE", "ENDED", "EBAY_ENDED", "NOT_LISTED"}
    ),
    "LengthUnitOfMeasureEnum": frozenset({"INCH", "FEET", "CENTIMETER", "METER"}),
    "WeightUnitOfMeasureEnum": frozenset({"POUND", "KILOGRAM", "OUNCE", "GRAM"}),
    "TimeDurationUnitEnum": frozenset(
        {"YEAR", "MONTH", "DAY", "HOUR", "CALENDAR_DAY", "BUSINESS_DAY", "MINUTE", "SECOND", "MILLISECOND"}
    ),
}
