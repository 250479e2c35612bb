"""Currency conversion for marketplaces that price in another currency (Tmall prices in CNY)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal


class Rounding(enum.StrEnum):
    """How a converted price is rounded: to the fen (0.01), to the yuan, or up to the next yuan."""

    CENT = "cent"
    YUAN = "yuan"
    CEIL_YUAN = "ceil_yuan"


@dataclass(frozen=True)
class RateTable:
    """Target-currency units per one unit of each source currency (Decimal, e.g. {"USD": Decimal("7.10")})."""

    target: str = "CNY"
    rates: Mapping[str, Decimal] = field(default_factory=dict)
    rounding: Rounding = Rounding.CENT

    def convert(self, amount: Decimal, currency: str) -> Decimal | None:
        """`amount` in the target currency with two decimals, or None when no rate is configured."""
        if currency == self.target:
            rate = Decimal(1)
        elif currency in self.rates:
            rate = Decimal(self.rates[currency])
        else:
            return None
        value = Decimal(amount) * rate
        if self.rounding is Rounding.YUAN:
            value = value.quantize(Decimal(1), ROUND_HALF_UP)
        elif self.rounding is Rounding.CEIL_YUAN:
            value = value.quantize(Decimal(1), ROUND_CEILING)
        return value.quantize(Decimal("0.01"), ROUND_HALF_UP)
