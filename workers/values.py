"""Values the store keeps that the command line offers as choices and defaults.

Apart from the store's models so that they import without SQLAlchemy: the CLI builds its options from them.
"""

from __future__ import annotations

import enum

#: A seller's time zone when none is given.
DEFAULT_TIMEZONE = "UTC"


class BrandPolicy(enum.StrEnum):
    HOLD = "hold"  # our own seller's matching listing is held back from the marketplace
    FLAG = "flag"  # it goes out, and the brand owner is told


class FindingState(enum.StrEnum):
    NEW = "new"
    ALERTED = "alerted"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
