"""What a finding keeps as evidence, its score and reasons, and the material hash that decides re-alerts.

Pure functions over values: the repository stores what they return.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from connectors.search import FoundListing

if TYPE_CHECKING:
    from workers.brands import Verdict

#: A price at or below this share of the brand's floor counts as "far below" it.
FAR_BELOW_FLOOR = Decimal("0.5")
#: How the score is made: the image match carries most of it; each of the others adds a little.
IMAGE_WEIGHT = 0.7
TITLE_BONUS = 0.15
PRICE_BONUS = 0.15

# Letters and digits of alphabetic scripts: a Latin brand word must not touch one of these on either side.
# CJK text has no spaces between words, so a CJK brand word is looked for anywhere.
_WORD_CHAR = r"0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class ImageMatch:
    """Which brand image a listing image matched, how closely, and what was fetched."""

    brand_image_id: int
    brand_image_source: str
    score: float
    reasons: dict[str, Any]
    listing_image_url: str
    listing_image_sha256: str
    fetched_at: dt.datetime


@dataclass(frozen=True)
class Assessment:
    """A finding's evidence (JSON-ready), its score in [0, 1] and the material hash."""

    evidence: dict[str, Any]
    score: float
    material_hash: str
    reasons: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    """Case- and width-insensitive form: NFKC (full-width letters become ASCII) then casefold."""
    return unicodedata.normalize("NFKC", text).casefold()


def brand_words_in(title: str, names: Iterable[str]) -> list[str]:
    """The brand names and aliases found in `title`, as registered, in the order given."""
    folded = fold(title)
    found = []
    for name in names:
        word = fold(name).strip()
        if not word:
            continue
        if _CJK.search(word):
            hit = word in folded
        else:
            pattern = rf"(?<![{_WORD_CHAR}]){re.escape(word)}(?![{_WORD_CHAR}])"
            hit = re.search(pattern, folded) is not None
        if hit and name not in found:
            found.append(name)
    return found


def price_against_floor(
    price: Decimal, currency: str, floor: Decimal | None, floor_currency: str | None
) -> dict[str, Any] | None:
    """The price as a share of the brand's floor, or None when no floor is set."""
    if floor is None or floor_currency is None:
        return None
    if currency.upper() != floor_currency.upper():
        return {"floor": str(floor), "currency": floor_currency, "comparable": False}
    ratio = price / floor if floor > 0 else Decimal(0)
    return {
        "floor": str(floor),
        "currency": floor_currency,
        "comparable": True,
        "ratio": float(round(ratio, 4)),
        "far_below": ratio <= FAR_BELOW_FLOOR,
    }


def material_hash(image_sha256: str, title: str, price: Decimal, currency: str, seller: str) -> str:
    """A hash of what makes a listing the same listing for an alert: image, title, price and seller.

    Titles are compared after NFKC and whitespace folding, prices as numbers, so cosmetic changes
    (a trailing space, 10.0 against 10.00) do not re-alert.
    """
    parts = {
        "image": image_sha256,
        "title": " ".join(unicodedata.normalize("NFKC", title).split()),
        "price": str(price.normalize()),
        "currency": currency.upper(),
        "seller": seller.strip(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def assess(
    listing: FoundListing,
    match: ImageMatch,
    *,
    brand_names: Iterable[str],
    floor: Decimal | None = None,
    floor_currency: str | None = None,
) -> Assessment:
    """Evidence, score and reasons for one listing against one brand."""
    words = brand_words_in(listing.title, brand_names)
    price = price_against_floor(listing.price, listing.currency, floor, floor_currency)
    reasons = [f"image matches brand image {match.brand_image_id} (score {match.score:.2f})"]
    score = IMAGE_WEIGHT * max(0.0, min(1.0, match.score))
    if words:
        reasons.append("title names the brand: " + ", ".join(words))
        score += TITLE_BONUS
    if price and price.get("far_below"):
        reasons.append(
            f"price {listing.price} {listing.currency} is {price['ratio']:.0%} of the brand's floor "
            f"{price['floor']} {price['currency']}"
        )
        score += PRICE_BONUS
    mhash = material_hash(
        match.listing_image_sha256, listing.title, listing.price, listing.currency, listing.seller
    )
    evidence = {
        "brand_image": {"id": match.brand_image_id, "source": match.brand_image_source},
        "match": {"score": round(match.score, 4), "reasons": match.reasons},
        "listing_image": {
            "url": match.listing_image_url,
            "sha256": match.listing_image_sha256,
            "fetched_at": match.fetched_at.astimezone(dt.UTC).isoformat(),
        },
        "title": listing.title,
        "seller": listing.seller,
        "seller_id": listing.ids.get("seller_id"),
        "price": str(listing.price),
        "currency": listing.currency,
        "url": listing.url,
        "brand_words": words,
        "price_floor": price,
        "reasons": reasons,
        "material_hash": mhash,
    }
    return Assessment(evidence, round(min(1.0, score), 4), mhash, reasons)


def match_from_verdict(
    verdict: Verdict, *, image_url: str, image_sha256: str, fetched_at: dt.datetime
) -> ImageMatch:
    """The `ImageMatch` of a `counterfeit-suspect` verdict from the brand checker, for `record_finding`."""
    if verdict.reference is None or verdict.score is None:
        raise ValueError(f"verdict for {verdict.image} names no brand image: {verdict.verdict}")
    reasons = dataclasses.asdict(verdict.reason) if verdict.reason is not None else {}
    return ImageMatch(
        verdict.reference.id,
        verdict.reference.source,
        verdict.score,
        reasons,
        image_url,
        image_sha256,
        fetched_at,
    )
