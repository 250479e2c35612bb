"""Match a query image's fingerprints against every brand's reference images.

The index finds, by pHash, the reference views near any view of the query (the whole image, a collage panel,
the part above a banner); each candidate is then scored on all its hashes together, and the best candidate per
brand is returned with the evidence. Whether a seller may use the brand's images is the caller's decision.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from fingerprints.errors import FingerprintFormatError
from fingerprints.features import DETAIL_SIZE, ImageFingerprints
from fingerprints.hashes import COLOUR_BITS, Fingerprint
from fingerprints.index import Index

DEFAULT_THRESHOLD = 0.6
"""Score from which a candidate counts as a copy of a brand image (see `score`).

A score s means the hashes together have covered 1 - s of the way from an exact copy (1.0) to where
look-alike products of the same layout begin (0.0). At 0.6 a copy may differ from its reference by 40% of
that: enough for recompression, resizing, padding, mirroring, small crops and rotations, banners and
grey or toned copies, while look-alikes and recoloured products stay below it. On `benchmarks/detection.py`
it gives recall 0.945 at precision 0.994; 0.5 catches a little more at a few more false alarms, 0.7 the
reverse.
"""

SEARCH_RADIUS = 10
"""pHash distance within which the index proposes candidates; scoring decides among them. Variants (mirror,
crops, rotations) bring a copy's pHash near one reference view, so on `benchmarks/detection.py` radius 10
finds the same matches as 14 did. At 10 the index probes chunk values within 2 bits of the query (137 per
16-bit chunk), under a millisecond over a million references; 12 to 15 probe those within 3 bits (697), about
ten times the work (see `benchmarks/index.py`)."""

# Where a random pair of images lands on each hash (as a share of its bits) is about 0.5; these are the
# shares past which a pair is no more alike than products that merely share a layout.
PHASH_FAR = 0.28
DHASH_FAR = 0.30
DETAIL_FAR = 0.30
COLOUR_FAR = 12.0
DETAIL_BITS = DETAIL_SIZE**2


@dataclass(frozen=True)
class Reason:
    """Why a reference matched: which views were compared and how far apart each hash was."""

    query_view: str
    reference_view: str
    phash: int
    dhash: int
    detail: int
    colour: int | None


@dataclass(frozen=True)
class Match:
    """The best reference of one brand for a query, with a score in [0, 1] (1 is an exact copy)."""

    brand_id: int
    reference_id: int
    score: float
    reason: Reason


def score(phash: np.ndarray, dhash: np.ndarray, detail: np.ndarray, colour: np.ndarray | None) -> np.ndarray:
    """Combine per-hash distances into a score in [0, 1].

    Each distance is scaled by where look-alikes begin (1 at that point); the structure distance is a
    weighted mean favouring the 576-bit detail hash, and the colour distance (absent for grey queries) counts
    as much as the structure does when it is the worse of the two.
    """
    structure = (
        0.25 * phash / (64 * PHASH_FAR)
        + 0.25 * dhash / (64 * DHASH_FAR)
        + 0.5 * detail / (DETAIL_BITS * DETAIL_FAR)
    )
    worst = structure if colour is None else np.maximum(structure, colour / COLOUR_FAR)
    return np.clip(1.0 - worst, 0.0, 1.0)


def _words(prints: Iterable[Fingerprint], bits: int) -> np.ndarray:
    words = bits // 64
    shifts = [64 * (words - 1 - w) for w in range(words)]
    mask = (1 << 64) - 1
    return np.array([[(p.value >> s) & mask for s in shifts] for p in prints], dtype=np.uint64).reshape(
        -1, words
    )


def _distance(codes: np.ndarray, query: np.ndarray) -> np.ndarray:
    return np.bitwise_count(codes ^ query).sum(axis=1, dtype=np.int64)


class BrandMatcher:
    """Every brand reference view, indexed; build with `from_references`, persist with `to_bytes`."""

    def __init__(
        self,
        reference_ids: np.ndarray,
        brand_ids: np.ndarray,
        views: list[str],
        greyscale: np.ndarray,
        codes: dict[str, np.ndarray],
    ) -> None:
        self.reference_ids = reference_ids
        self.brand_ids = brand_ids
        self.views = views
        self.greyscale = greyscale
        self.codes = codes
        self.index = Index(64, "phash")
        self.index.add_many(np.arange(reference_ids.size), codes["phash"])

    def __len__(self) -> int:
        return int(self.reference_ids.size)

    @classmethod
    def from_references(cls, references: Iterable[tuple[int, int, ImageFingerprints]]) -> BrandMatcher:
        """Build from (reference_id, brand_id, fingerprints) triples, one per variant of each brand image."""
        rows = [(ref, brand, view) for ref, brand, prints in references for view in prints.views()]
        views = [view for _, _, view in rows]
        return cls(
            np.array([ref for ref, _, _ in rows], dtype=np.int64),
            np.array([brand for _, brand, _ in rows], dtype=np.int64),
            [view.view for view in views],
            np.array([view.greyscale for view in views], dtype=bool),
            {
                "phash": _words((v.phash for v in views), 64),
                "dhash": _words((v.dhash for v in views), 64),
                "detail": _words((v.detail for v in views), DETAIL_BITS),
                "colour": _words((v.colour for v in views), COLOUR_BITS),
            },
        )

    def match(self, query: ImageFingerprints, threshold: float = DEFAULT_THRESHOLD) -> list[Match]:
        """The best match per brand scoring at least `threshold`, best first."""
        best: dict[int, Match] = {}
        for view in query.views():
            rows, phash = self.index.search_arrays(view.phash, SEARCH_RADIUS)
            if not rows.size:
                continue
            dhash = _distance(self.codes["dhash"][rows], _words([view.dhash], 64)[0])
            detail = _distance(self.codes["detail"][rows], _words([view.detail], DETAIL_BITS)[0])
            colour = None
            if not view.greyscale:
                colour = _distance(self.codes["colour"][rows], _words([view.colour], COLOUR_BITS)[0])
            scores = score(phash, dhash, detail, colour)
            for i in np.flatnonzero(scores >= threshold):
                row = int(rows[i])
                brand = int(self.brand_ids[row])
                if brand in best and best[brand].score >= scores[i]:
                    continue
                reason = Reason(
                    view.view,
                    self.views[row],
                    int(phash[i]),
                    int(dhash[i]),
                    int(detail[i]),
                    None if colour is None else int(colour[i]),
                )
                best[brand] = Match(brand, int(self.reference_ids[row]), round(float(scores[i]), 4), reason)
        return sorted(best.values(), key=lambda m: (-m.score, m.brand_id))

    def to_bytes(self) -> bytes:
        """All references in one compressed numpy archive, for the store and for each worker to load."""
        arrays: dict[str, np.ndarray] = {
            "reference_ids": self.reference_ids,
            "brand_ids": self.brand_ids,
            "views": np.array(self.views, dtype=np.str_),
            "greyscale": self.greyscale,
        }
        arrays.update({f"code_{kind}": codes for kind, codes in self.codes.items()})
        out = io.BytesIO()
        np.savez_compressed(out, allow_pickle=False, **arrays)
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> BrandMatcher:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                codes = {kind: archive[f"code_{kind}"] for kind in ("phash", "dhash", "detail", "colour")}
                return cls(
                    archive["reference_ids"],
                    archive["brand_ids"],
                    [str(v) for v in archive["views"]],
                    archive["greyscale"],
                    codes,
                )
        except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise FingerprintFormatError(f"invalid brand matcher data: {exc}") from None
