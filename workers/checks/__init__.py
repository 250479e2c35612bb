"""Counterfeit checks on our own sellers' listings, in the sync pipeline between plan and push.

- `Screener` (one per worker process, `screener_of(context)`): matches listing images against the brands,
  fetching and fingerprinting each image URL once (the `image_checks` table remembers them for every worker).
- `check_batch(ctx, screener, batch_id)`: checks a planned batch, records findings, holds SKUs under a
  brand's `hold` policy, and says which findings to alert; the `check_batch` actor then forwards the batch.
- `due_rechecks`, `recheck_listings`, `mark_rechecked`: a nightly run's recheck of the live listings when
  the brands changed since the last one (see `workers.checks.recheck`).

Every error raised here is a `CheckError`.
"""

from __future__ import annotations

from workers.checks.errors import CheckError, ImagesUnavailable
from workers.checks.recheck import DueRecheck, Rechecked, due_rechecks, mark_rechecked, recheck_listings
from workers.checks.screen import Screener, Unchecked, screener_of
from workers.checks.stage import HOLD_CODE, Checked, check_batch, hold_message

__all__ = [
    "HOLD_CODE",
    "CheckError",
    "Checked",
    "DueRecheck",
    "ImagesUnavailable",
    "Rechecked",
    "Screener",
    "Unchecked",
    "check_batch",
    "due_rechecks",
    "hold_message",
    "mark_rechecked",
    "recheck_listings",
    "screener_of",
]
