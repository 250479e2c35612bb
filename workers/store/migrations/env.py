"""Alembic environment: runs on the connection `workers.store.migrate` hands over, inside its transaction."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext

import workers.store.brand_models  # noqa: F401 - registers the brand tables on the metadata
from workers.store.db import UTCDateTime
from workers.store.models import Base


def render_item(kind: str, obj: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Write the store's own column types as plain SQLAlchemy, so a migration never imports the models."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and isinstance(obj, sa.JSON):
        autogen.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    return False


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with workers.store.migrate(engine), not the alembic command")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
