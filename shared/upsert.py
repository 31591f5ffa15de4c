"""Bulk statements for PostgreSQL and SQLite alike: upsert, insert-new-only, membership.

On PostgreSQL rows travel as one array per column through ``unnest``: one statement, one round trip,
planned once. On SQLite a single-row statement runs as executemany (compiled once, cached).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import ColumnElement, Table, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import ARRAY


def _is_pg(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


def _unnest_insert(table: Table, columns: list[str]):
    source = select(*[func.unnest(bindparam(f"a_{c}", type_=ARRAY(table.c[c].type))) for c in columns])
    return postgresql.insert(table).from_select(columns, source)


def _arrays(rows: Sequence[dict], columns: list[str]) -> dict[str, list]:
    return {f"a_{c}": [r[c] for r in rows] for c in columns}


async def upsert(session: AsyncSession, table: Table, rows: Sequence[dict], *, key: Sequence[str],
                 update: Callable[[Table, object], dict]) -> None:
    """Insert ``rows``; on a conflict on ``key``, set the columns that ``update(table, excluded)`` returns.

    ``key`` must be unique within ``rows``.
    """
    if not rows:
        return
    if _is_pg(session):
        columns = list(rows[0])
        stmt = _unnest_insert(table, columns)
        stmt = stmt.on_conflict_do_update(index_elements=list(key), set_=update(table, stmt.excluded))
        await session.execute(stmt, _arrays(rows, columns))
        return
    stmt = sqlite.insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=list(key), set_=update(table, stmt.excluded))
    await session.execute(stmt, list(rows))


async def insert_new(session: AsyncSession, table: Table, rows: Sequence[dict], *, returning: str) -> set:
    """Insert the rows whose unique key is not there yet; return their ``returning`` values."""
    if not rows:
        return set()
    if _is_pg(session):
        columns = list(rows[0])
        stmt = _unnest_insert(table, columns).on_conflict_do_nothing().returning(table.c[returning])
        return set((await session.execute(stmt, _arrays(rows, columns))).scalars())
    stmt = sqlite.insert(table).on_conflict_do_nothing().returning(table.c[returning])
    return set((await session.execute(stmt, list(rows))).scalars())  # "insertmanyvalues": batched, cached


def one_of(session: AsyncSession, column, values: Sequence) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``= ANY($1)`` with one array parameter (prepared once)."""
    if _is_pg(session):
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))
