"""The matching decision: is a listing image a suspected counterfeit, an authorised use, or no match?

A match is a brand image scoring at least the matcher's default threshold. With several brands matching,
the best one whose brand has not authorised the seller decides (counterfeit-suspect); when every matching
brand authorised the seller, the best match is reported as authorized. Without a seller, nobody is authorised.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any

from fingerprints import (
    DEFAULT_THRESHOLD,
    DRAFT,
    ImageFingerprints,
    ImageLoader,
    Match,
    Reason,
    fingerprint_image,
)
from workers.brands.images import Source, source_label
from workers.brands.index import BrandIndex, Reference, Snapshot


class VerdictKind(enum.StrEnum):
    COUNTERFEIT_SUSPECT = "counterfeit-suspect"
    AUTHORIZED = "authorized"
    NO_MATCH = "no-match"


@dataclass(frozen=True)
class Verdict:
    """The decision for one image, with the deciding brand image, its score and the matcher's reason."""

    image: str
    verdict: VerdictKind
    brand: str | None = None
    brand_id: int | None = None
    reference: Reference | None = None
    score: float | None = None
    reason: Reason | None = None
    matches: tuple[Match, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The `check --json` line: image, verdict, brand, reference (id and source) and score."""
        reference = None
        if self.reference is not None:
            reference = {"id": self.reference.id, "source": self.reference.source}
        return {
            "image": self.image,
            "verdict": self.verdict.value,
            "brand": self.brand,
            "reference": reference,
            "score": self.score,
        }

    def evidence(self) -> dict[str, Any]:
        """The reason behind the score, JSON-able, for a finding's evidence."""
        return {} if self.reason is None else asdict(self.reason)


def decide(
    snapshot: Snapshot,
    prints: ImageFingerprints,
    image: str,
    seller: str | None = None,
    marketplace: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> Verdict:
    """The verdict for an image's fingerprints against one generation of the index."""
    matches = tuple(snapshot.matcher.match(prints, threshold))
    if not matches:
        return Verdict(image, VerdictKind.NO_MATCH)

    def authorised(match: Match) -> bool:
        brand = snapshot.brands.get(match.brand_id)
        return seller is not None and brand is not None and brand.authorizes(seller, marketplace)

    suspect = next((m for m in matches if not authorised(m)), None)
    best = suspect or matches[0]
    brand = snapshot.brands.get(best.brand_id)
    return Verdict(
        image,
        VerdictKind.COUNTERFEIT_SUSPECT if suspect is not None else VerdictKind.AUTHORIZED,
        brand=None if brand is None else brand.name,
        brand_id=best.brand_id,
        reference=snapshot.references.get(best.reference_id),
        score=best.score,
        reason=best.reason,
        matches=matches,
    )


class Checker:
    """Checks images against the brands: a worker keeps one, with its `BrandIndex` and its `ImageLoader`."""

    def __init__(self, index: BrandIndex, loader: ImageLoader | None = None) -> None:
        self.index = index
        self.loader = loader if loader is not None else ImageLoader(draft=DRAFT)

    def check_image(
        self, source: Source, seller: str | None = None, marketplace: str | None = None
    ) -> Verdict:
        """Load, fingerprint and judge one image; raises `fingerprints.ImageError` when it cannot be used."""
        image = self.loader.load(source)
        return decide(
            self.index.snapshot(), fingerprint_image(image), source_label(source), seller, marketplace
        )
