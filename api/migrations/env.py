"""Alembic environment: runs on the connection handed in by ``api.db.migrate``.

``api.db.migrate(url)`` opens an async engine and passes its synchronous connection in
``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from api.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through api.db.migrate(url), which supplies a connection")

context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
