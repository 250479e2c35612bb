"""Findings: suspected counterfeit listings with their evidence, their life cycle and their export."""

from __future__ import annotations

from workers.findings.errors import (
    EvidenceError,
    FindingError,
    TransitionError,
    UnknownBrandError,
    UnknownFindingError,
)
from workers.findings.evidence import (
    Assessment,
    ImageMatch,
    assess,
    brand_words_in,
    match_from_verdict,
    material_hash,
)
from workers.findings.export import export_csv
from workers.findings.repository import (
    FindingRow,
    Recorded,
    confirm,
    dismiss,
    get_finding,
    list_findings,
    mark_alerted,
    record_finding,
    seller_is_allowed,
    transition,
)

__all__ = [
    "Assessment",
    "EvidenceError",
    "FindingError",
    "FindingRow",
    "ImageMatch",
    "Recorded",
    "TransitionError",
    "UnknownBrandError",
    "UnknownFindingError",
    "assess",
    "brand_words_in",
    "confirm",
    "dismiss",
    "export_csv",
    "get_finding",
    "list_findings",
    "mark_alerted",
    "match_from_verdict",
    "material_hash",
    "record_finding",
    "seller_is_allowed",
    "transition",
]
