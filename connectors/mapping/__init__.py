"""Pure projections of catalogue products into each marketplace's payloads (golden-tested)."""
