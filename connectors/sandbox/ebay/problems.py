"""A problem with a call, as eBay reports it: errorId, message from the model's texts, field, status."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.sandbox.ebay import errors
from connectors.sandbox.ebay.model import Operation, load


@dataclass(frozen=True)
class Problem:
    """One way a call breaks the contract, as eBay would report it."""

    error_id: int
    message: str
    field: str = ""
    status: int = 400
    item: int | None = None
    domain: str = errors.INVENTORY
    category: str = "REQUEST"
    parameters: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def as_error(self) -> dict[str, Any]:
        params = dict(self.parameters) or ({"fieldName": self.field} if self.field else {})
        long_message = None
        if self.error_id == 2004:
            long_message = "The request has errors. For help, see the documentation for this API."
        return errors.error(
            self.error_id,
            self.message,
            domain=self.domain,
            category=self.category,
            long_message=long_message,
            parameters=params,
        )


def problem(
    op: Operation | None, error_id: int, field: str = "", *, item: int | None = None, **fill: object
) -> Problem:
    """A problem worded as the model words `error_id` (placeholders filled from `field` and `fill`)."""
    text = load().error_text(op, error_id)
    values: dict[str, object] = {"fieldName": field, **fill}
    info = fill.get("additionalInfo")
    if text is None:
        message = str(info or "")
    else:
        message = text.render(**values)
        if info and "{additionalInfo}" not in text.template:
            message = f"{message.rstrip('.')}. {info}"
    message = message.replace("..", ".")
    category = text.category if text else "REQUEST"
    return Problem(error_id, message, field, 400, item, category=category)


def unreadable(field: str, reason: str) -> Problem:
    """The body could not be read as the model's type (eBay's gateway answers these itself)."""
    return Problem(2004, "Invalid request", field, domain="ACCESS", parameters={"reason": reason})
