"""A local eBay: the OAuth token endpoint and the Sell Inventory API v1, held to eBay's published model, and
the Browse API's keyword search over our sellers' and seeded listings."""

from connectors.sandbox.ebay.contract import check_prepared, check_request
from connectors.sandbox.ebay.problems import Problem
from connectors.sandbox.ebay.sandbox import EbaySandbox

__all__ = ["EbaySandbox", "Problem", "check_prepared", "check_request"]
