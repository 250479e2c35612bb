"""eBay's published Sell Inventory model, shipped as package data (see README.md)."""
