"""The brand registry's errors: one tree rooted in `BrandError`, each message fit to show a user."""

from __future__ import annotations


class BrandError(Exception):
    """Something the brand registry refused or could not do."""


class UnknownBrandError(BrandError):
    """No brand has this name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown brand {name!r}: register it first with `listing-sync brands add`")
        self.name = name


class BrandExistsError(BrandError):
    """A brand with this name (ignoring case) is already registered."""

    def __init__(self, name: str) -> None:
        super().__init__(f"brand {name!r} already exists")
        self.name = name


class InvalidBrandError(BrandError):
    """A value given for a brand is unusable: names the brand, the field and what was expected."""

    def __init__(self, brand: str, field: str, message: str) -> None:
        super().__init__(f"brand {brand!r}: {field}: {message}")
        self.brand = brand
        self.field = field
        self.message = message
