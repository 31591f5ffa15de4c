"""INSERT … ON CONFLICT for PostgreSQL and SQLite alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def upsert(session: AsyncSession, table: Table, rows: Sequence[dict], *, key: Sequence[str],
                 update: Callable[[Table, object], dict]) -> None:
    """Insert ``rows``; on a conflict on ``key``, set the columns that ``update(table, excluded)`` returns."""
    if not rows:
        return
    dialect = session.bind.dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    for i in range(0, len(rows), 1000):
        stmt = module.insert(table).values(list(rows[i:i + 1000]))
        stmt = stmt.on_conflict_do_update(index_elements=list(key), set_=update(table, stmt.excluded))
        await session.execute(stmt)
