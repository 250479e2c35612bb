"""The store's errors: one tree rooted in `StoreError`."""

from __future__ import annotations


class StoreError(Exception):
    """Something the store refused or could not do; the message is fit to show a user."""


class UnknownSellerError(StoreError):
    """No seller has this id."""

    def __init__(self, seller_id: str) -> None:
        super().__init__(f"unknown seller {seller_id!r}: add it first with `listing-sync sellers add`")
        self.seller_id = seller_id


class SellerExistsError(StoreError):
    """A seller with this id is already registered."""

    def __init__(self, seller_id: str) -> None:
        super().__init__(f"seller {seller_id!r} already exists")
        self.seller_id = seller_id


class InvalidValueError(StoreError):
    """A value does not fit its column: names the field and what was expected."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DatabaseURLError(StoreError):
    """The database URL names a backend the store does not support."""
