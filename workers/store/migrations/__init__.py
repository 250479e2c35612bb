"""Alembic migrations, shipped in the package and run by `workers.store.migrate`."""
