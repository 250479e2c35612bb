"""The shared catalogue schema: products, import and content hashes."""
