"""The findings' errors: one tree rooted in `FindingError`."""

from __future__ import annotations


class FindingError(Exception):
    """Something about a finding that was refused; the message is fit to show a user."""


class UnknownFindingError(FindingError):
    def __init__(self, finding_id: int) -> None:
        super().__init__(f"unknown finding {finding_id}")
        self.finding_id = finding_id


class UnknownBrandError(FindingError):
    def __init__(self, brand: str | int) -> None:
        super().__init__(f"unknown brand {brand!r}")
        self.brand = brand


class TransitionError(FindingError):
    """A state change the life cycle does not allow (e.g. confirming a dismissed finding)."""

    def __init__(self, finding_id: int, current: str, wanted: str) -> None:
        super().__init__(f"finding {finding_id}: cannot go from {current} to {wanted}")
        self.finding_id = finding_id
        self.current = current
        self.wanted = wanted


class EvidenceError(FindingError):
    """A listing or match is missing something a finding needs: names the listing and the field."""

    def __init__(self, listing: str, field: str, message: str) -> None:
        super().__init__(f"listing {listing}: {field}: {message}")
        self.listing = listing
        self.field = field
