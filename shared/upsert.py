"""Bulk statements for PostgreSQL and SQLite alike: insert, upsert, insert-new-only, membership.

On PostgreSQL rows travel as one array per column through ``unnest``: one statement, one round trip,
planned once. On SQLite a single-row statement runs as executemany (compiled once, cached).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from sqlalchemy import ColumnElement, Table, any_, bindparam, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import ARRAY


def _is_pg(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


@functools.lru_cache(maxsize=128)
def _unnest_insert(table: Table, columns: tuple[str, ...]):
    """``INSERT … SELECT unnest(:a_col), …``, built once per table and columns (building it and its cache key
    cost more than a one-row insert itself)."""
    source = select(*[func.unnest(bindparam(f"a_{c}", type_=ARRAY(table.c[c].type))) for c in columns])
    return postgresql.insert(table).from_select(list(columns), source)


def _arrays(rows: Sequence[dict], columns: Sequence[str]) -> dict[str, list]:
    return {f"a_{c}": [r[c] for r in rows] for c in columns}


async def insert_rows(session: AsyncSession, table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) in one statement: on PostgreSQL one array per column through
    ``unnest`` (one round trip, whatever the number of rows); on SQLite an executemany, compiled once. A
    unique-constraint violation fails the whole statement (the unit of work makes it a conflict)."""
    if not rows:
        return
    if not _is_pg(session):
        await session.execute(insert(table), rows)
        return
    columns = tuple(rows[0])
    await session.execute(_unnest_insert(table, columns), _arrays(rows, columns))


async def upsert(session: AsyncSession, table: Table, rows: Sequence[dict], *, key: Sequence[str],
                 update: Callable[[Table, object], dict]) -> None:
    """Insert ``rows``; on a conflict on ``key``, set the columns that ``update(table, excluded)`` returns.

    ``key`` must be unique within ``rows``.
    """
    if not rows:
        return
    if _is_pg(session):
        columns = tuple(rows[0])
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
        columns = tuple(rows[0])
        stmt = _unnest_insert(table, columns).on_conflict_do_nothing().returning(table.c[returning])
        return set((await session.execute(stmt, _arrays(rows, columns))).scalars())
    stmt = sqlite.insert(table).on_conflict_do_nothing().returning(table.c[returning])
    return set((await session.execute(stmt, list(rows))).scalars())  # "insertmanyvalues": batched, cached


def one_of(session: AsyncSession, column, values: Sequence) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``= ANY($1)`` with one array parameter (prepared once)."""
    if _is_pg(session):
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))
