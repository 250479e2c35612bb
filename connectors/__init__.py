"""Marketplace connectors: project the shared catalogue into Amazon, eBay and Tmall listings."""
