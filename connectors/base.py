"""The Connector contract: what the sync engine hands a marketplace connector, and what it gets back."""

from __future__ import annotations

import abc
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from connectors.errors import AuthError, ConnectorError, PermanentError, TransientError

if TYPE_CHECKING:
    from catalog.product import Product

__all__ = [
    "Action",
    "AuthError",
    "Change",
    "Connector",
    "ConnectorError",
    "LiveListing",
    "PermanentError",
    "SkuResult",
    "TransientError",
]


class Action(enum.StrEnum):
    """What one change does to one SKU's listing."""

    CREATE = "create"
    UPDATE_CONTENT = "update_content"
    UPDATE_OFFER = "update_offer"  # price and quantity only
    REVISE_OFFER = "revise_offer"  # the offer's own fields: eBay's category, business policies, location
    END = "end"


@dataclass(frozen=True)
class Change:
    """One planned change for one SKU.

    `product` is the catalogue record (None only for END); `ids` are the marketplace ids recorded at the
    last push (offer id, listing id, num_iid...), which spare a lookup when known.
    """

    action: Action
    sku: str
    product: Product | None = None
    ids: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.action is not Action.END and self.product is None:
            raise ValueError(f"change {self.action} for SKU {self.sku!r} needs the product")
        if self.product is not None and self.product.sku != self.sku:
            raise ValueError(f"change for SKU {self.sku!r} carries product {self.product.sku!r}")

    @property
    def item(self) -> Product:
        """The product, which every action but END carries."""
        if self.product is None:
            raise ValueError(f"change {self.action} for SKU {self.sku!r} carries no product")
        return self.product


@dataclass(frozen=True)
class SkuResult:
    """The outcome of one SKU's change: live (or ended) with the marketplace's ids, or an error.

    A `TransientError` here means this SKU was not attempted or not settled and may be retried; a
    `PermanentError` means the seller must fix something first.
    """

    sku: str
    action: Action
    ids: Mapping[str, str] = field(default_factory=dict)
    status: str = ""
    error: ConnectorError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def retryable(self) -> bool:
        return isinstance(self.error, TransientError)


@dataclass(frozen=True)
class LiveListing:
    """What a marketplace shows for a SKU right now (for drift checks)."""

    sku: str
    status: str
    ids: Mapping[str, str] = field(default_factory=dict)
    title: str | None = None
    price: Decimal | None = None
    quantity: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


class Connector(abc.ABC):
    """One marketplace account: project products into its payloads, push changes, read back what is live."""

    marketplace: str = ""

    @abc.abstractmethod
    def project(self, product: Product) -> Any:
        """The marketplace payload for `product` (pure; raises `PermanentError` naming a field to fix)."""

    @abc.abstractmethod
    def push(self, changes: Sequence[Change]) -> list[SkuResult]:
        """Apply `changes` by the marketplace's best path; one result per change, in the given order.

        Raises `TransientError` when nothing could be done (retry the whole batch), `AuthError` when the
        credentials are refused. Per-SKU problems are results, not exceptions.
        """

    @abc.abstractmethod
    def fetch(self, sku: str) -> LiveListing | None:
        """What is live for `sku`, or None when the marketplace has no such listing."""


def failed(change: Change, error: ConnectorError) -> SkuResult:
    """The result for a change that ended in `error`."""
    return SkuResult(change.sku, change.action, error=error)


def settle(
    changes: Sequence[Change], done: Mapping[int, SkuResult], pending: TransientError
) -> list[SkuResult]:
    """Results in the order of `changes` after a transient failure stopped the batch part-way.

    Changes without a result are marked with `pending` (retry them); if none had a result yet, `pending` is
    raised instead, so the caller retries the whole batch.
    """
    if not done:
        raise pending
    return [done.get(i) or failed(c, pending) for i, c in enumerate(changes)]
