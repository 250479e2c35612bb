"""Counterfeit checks on our own sellers' listings, in the sync pipeline between plan and push.

- `Screener` (one per worker process, `screener_of(context)`): matches listing images against the brands,
  fetching and fingerprinting each image URL once (the `image_checks` table remembers them for every worker).
- `check_batch(ctx, screener, batch_id)`: checks a planned batch, records findings, holds SKUs under a
  brand's `hold` policy, and says which findings to alert; the `check_batch` actor then forwards the batch.

Every error raised here is a `CheckError`.
"""

from __future__ import annotations

from workers.checks.errors import CheckError, ImagesUnavailable
from workers.checks.screen import Screener, Unchecked, screener_of
from workers.checks.stage import HOLD_CODE, Checked, check_batch, hold_message

__all__ = [
    "HOLD_CODE",
    "CheckError",
    "Checked",
    "ImagesUnavailable",
    "Screener",
    "Unchecked",
    "check_batch",
    "hold_message",
    "screener_of",
]
