"""A local Amazon Selling Partner API (Login with Amazon, Listings Items, JSON_LISTINGS_FEED feeds).

Credentials: `LISTING_SYNC_SANDBOX_AMAZON_CLIENT_ID`, `LISTING_SYNC_SANDBOX_AMAZON_CLIENT_SECRET` and
`LISTING_SYNC_SANDBOX_AMAZON_SECRET` (the key seller refresh tokens derive from) override the built-in
defaults; constructor options override both. `sandbox.credentials_for(seller_id)` gives a seller's.
"""

from __future__ import annotations

from connectors.sandbox.amazon.app import AmazonOptions, AmazonSandbox
from connectors.sandbox.amazon.contract import CapturedRequest, Problem, check_request

__all__ = ["AmazonOptions", "AmazonSandbox", "CapturedRequest", "Problem", "check_request"]
