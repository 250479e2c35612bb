"""The SQL store: models, migrations and the small repository modules the CLI and the workers call."""

from __future__ import annotations

from workers.store.db import open_engine
from workers.store.errors import StoreError
from workers.store.migrate import migrate

__all__ = ["StoreError", "migrate", "open_engine"]
