"""The audit log (revisjonslogg) of reads and changes of personal data: who, what, when and why.

One row per person record read or changed: when (``tidspunkt``), who (``hvem``: the token's ``sub``; ``rolle``:
its scopes and, for a municipality, its kommune), what (``handling``: les, opprett, endre or sammenlign, through
which route; ``objekt`` and ``objekt_id``: the record's kind and id, and its pseudonymous ``person_ref``) and why
(``formal``). The log holds no personal data in the clear: never a name, DUF-nummer or fødselsnummer, only the
record's own id and the keyed reference events already carry.

**Why.** A caller says why with the header ``X-Formaal``: a purpose code or a reference, not free text (lowercase
letters, digits and ``-_.:/``, at most 64; e.g. ``klage``, ``tilsyn``, ``journal:2017/1234``), so no name ends up
in the log. Without it the entry says :data:`NOT_GIVEN`; a bulk import from a case-handling system (a system
action) defaults to :data:`SYSTEM_IMPORT`. The header is optional: a read is never refused for want of a reason,
and the log shows who gave none.

**Cannot be changed.** The API offers only :func:`router`'s GET, with its own scope (:data:`SCOPE`); the table is
append-only in the database too: :func:`append_only_ddl` makes UPDATE and DELETE (and on PostgreSQL TRUNCATE)
fail with an error, for every client of the database.

**In the same transaction.** :func:`record` inserts into the caller's session: a change and its entry commit or
roll back together; a read commits its entries before the data is answered (a read that cannot be logged fails).

**Adopting it in a service** (bosetting, kvalifisering, tolkeregister and tilskudd do all of this):

1. ``revisjonslogg = audit_table(Base.metadata)`` in the service's ``models.py``;
2. a migration whose ``upgrade`` calls :func:`create_audit_table` (table, indexes and the append-only
   triggers) and whose ``downgrade`` calls :func:`drop_audit_table` (bosetting's ``0003_revisjonslogg.py``);
3. in each route that reads or changes personal data, take ``formal: audit.Formal`` and build
   ``audit.Actor.of(principal, formal, request)``; the service function calls
   ``await audit.record(session, revisjonslogg, actor, "les", [(id, person_ref), …], objekt="deltaker")``
   in its transaction (and ``await session.commit()`` after a read);
4. ``router.include_router(audit.router(revisjonslogg))`` in the service's ``/api/v1`` router, and an entry
   ``"<service> GET /api/v1/revisjonslogg": "revisjon.read"`` in the access matrix's ``ACCESS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, PrimaryKeyConstraint, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.app import SessionDep
from shared.auth import Principal, require_scope
from shared.problems import PROBLEM_RESPONSES, Problem
from shared.types import UtcDateTime
from shared.upsert import insert_rows

TABLE = "revisjonslogg"
SCOPE = "imdi:revisjon.read"
NOT_GIVEN = "ikke-oppgitt"
SYSTEM_IMPORT = "import-fra-fagsystem"
PURPOSE_PATTERN = r"^[a-z0-9][a-z0-9_.:/-]{0,63}$"
Handling = Literal["les", "opprett", "endre", "sammenlign"]
"""les: the record was answered to the caller; opprett/endre: created or changed; sammenlign: a bulk import
compared a row with the stored record and found nothing to change."""

Seq = BigInteger().with_variant(Integer(), "sqlite")


def _columns() -> list:
    return [
        Column("id", Seq, autoincrement=True, nullable=False),
        Column("tidspunkt", UtcDateTime, nullable=False),
        Column("hvem", String(200), nullable=False),
        Column("rolle", String(500), nullable=False),
        Column("handling", String(16), nullable=False),
        Column("rute", String(200), nullable=False),
        Column("objekt", String(32), nullable=False),
        Column("objekt_id", String(64), nullable=False),
        Column("person_ref", String(64), nullable=True),
        Column("formal", String(64), nullable=False),
        PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
    ]


def audit_table(metadata: MetaData) -> Table:
    """The audit-log table in a service's own metadata (its models' ``Base.metadata``)."""
    return Table(TABLE, metadata, *_columns(), Index(f"ix_{TABLE}_objekt_id", "objekt_id"),
                 Index(f"ix_{TABLE}_person_ref", "person_ref"))


def create_audit_table(op) -> None:
    """Create the table inside an Alembic migration, as defined now. If the definition ever changes, freeze
    this one as explicit DDL in the migrations that used it and add the change as a migration of its own."""
    op.create_table(TABLE, *_columns())
    op.create_index(f"ix_{TABLE}_objekt_id", TABLE, ["objekt_id"])
    op.create_index(f"ix_{TABLE}_person_ref", TABLE, ["person_ref"])
    for statement in append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def drop_audit_table(op) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TABLE {TABLE}")
        op.execute(f"DROP FUNCTION {TABLE}_append_only()")
    else:
        op.drop_table(TABLE)


def append_only_ddl(dialect: str) -> list[str]:
    """Triggers that refuse UPDATE and DELETE on the audit log (PostgreSQL: TRUNCATE as well)."""
    message = "revisjonsloggen kan ikke endres eller slettes"
    if dialect == "postgresql":
        return [
            f"CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$",
            f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()",
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()",
        ]
    return [f"CREATE TRIGGER {TABLE}_no_{what.lower()} BEFORE {what} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END" for what in ("UPDATE", "DELETE")]


# --- recording ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    """Who acts, in which role, through which route, and why."""

    hvem: str
    rolle: str
    rute: str
    formal: str

    @classmethod
    def of(cls, principal: Principal, formal: str | None, request: Request | None = None, *,
           default_purpose: str = NOT_GIVEN) -> Actor:
        role = " ".join(sorted(principal.scopes))
        if principal.kommunenummer is not None:
            role = f"{role} kommune:{principal.kommunenummer}".strip()
        route = "(ukjent)" if request is None else f"{request.method} {_route_template(request)}"
        return cls(hvem=principal.subject[:200], rolle=role[:500], rute=route[:200],
                   formal=formal or default_purpose)


def _route_template(request: Request) -> str:
    """The route's full path template (``/api/v1/saker/{sak_id}``), never the ids in the URL. The matched route
    may know only its path below the routers that include it: the URL's leading segments give the prefix."""
    template = getattr(request.scope.get("route"), "path", None)
    if not template:
        return "(ukjent)"
    depth = template.count("/")
    segments = request.url.path.split("/")
    return "/".join(segments[:len(segments) - depth]) + template


async def record(session: AsyncSession, table: Table, actor: Actor, handling: Handling,
                 records: Iterable[tuple[str, str | None]], *, objekt: str) -> None:
    """One entry per (record id, person_ref) in ``records``, in ``session``'s transaction (one statement)."""
    now = datetime.now(UTC)
    rows = [{"tidspunkt": now, "hvem": actor.hvem, "rolle": actor.rolle, "handling": handling, "rute": actor.rute,
             "objekt": objekt, "objekt_id": str(record_id), "person_ref": ref, "formal": actor.formal}
            for record_id, ref in records]
    await insert_rows(session, table, rows)


# --- the read-only API -------------------------------------------------------------------------------
Formal = Annotated[str | None, Header(alias="X-Formaal", pattern=PURPOSE_PATTERN, max_length=64,
                                      description="Hvorfor personopplysningene leses eller endres: en formålskode "
                                      "eller referanse (ikke fritekst), f.eks. `klage` eller `journal:2017/1234`. "
                                      "Uten den står det `ikke-oppgitt` i revisjonsloggen.")]


class Revisjonspost(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    tidspunkt: datetime
    hvem: str
    rolle: str
    handling: str
    rute: str
    objekt: str
    objekt_id: str
    person_ref: str | None
    formal: str


class Revisjonslogg(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "poster": [{"id": 41, "tidspunkt": "2017-03-02T09:14:07Z", "hvem": "saksbehandler-17",
                    "rolle": "imdi:bosetting.write", "handling": "les", "rute": "GET /api/v1/saker/{sak_id}",
                    "objekt": "sak", "objekt_id": "5b0c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d",
                    "person_ref": "p-3f2a9c1e0b7d4a6f8e5c2b1a0d9e8f7c", "formal": "klage"}],
        "antall": 1, "neste": None}]})

    poster: list[Revisjonspost]
    antall: int
    neste: int | None = None


async def entries(session: AsyncSession, table: Table, *, objekt_id: str | None = None,
                  person_ref: str | None = None, hvem: str | None = None, after: int | None = None,
                  limit: int = 100) -> list:
    query = select(table).order_by(table.c.id).limit(limit)
    for column, value in (("objekt_id", objekt_id), ("person_ref", person_ref), ("hvem", hvem)):
        if value is not None:
            query = query.where(table.c[column] == value)
    if after is not None:
        query = query.where(table.c.id > after)
    return list((await session.execute(query)).all())


def router(table: Table) -> APIRouter:
    """``GET …/revisjonslogg`` (include it in the service's ``/api/v1`` router): the audit log, oldest first,
    for scope :data:`SCOPE` only (never a municipality). There is no route that writes, changes or deletes an
    entry."""
    api = APIRouter(tags=["revisjonslogg"], responses=PROBLEM_RESPONSES)
    @api.get("/revisjonslogg", response_model=Revisjonslogg, summary="Revisjonslogg: hvem leste eller endret "
             "personopplysninger, når og hvorfor (kan bare leses)")
    async def read_log(session: SessionDep, principal: Annotated[Principal, Depends(require_scope(SCOPE))],
                       objekt_id: Annotated[str | None, Query(
                           max_length=64, examples=["5b0c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d"])] = None,
                       person_ref: Annotated[str | None, Query(
                           max_length=64, examples=["p-3f2a9c1e0b7d4a6f8e5c2b1a0d9e8f7c"])] = None,
                       hvem: Annotated[str | None, Query(max_length=200, examples=["saksbehandler-17"])] = None,
                       etter: Annotated[int | None, Query(ge=0, le=2**62, examples=[40],
                                                          description="Poster etter denne id-en (neste side).")]
                       = None,
                       limit: Annotated[int, Query(ge=1, le=1000, examples=[100])] = 100) -> Revisjonslogg:
        if principal.kommunenummer is not None:
            raise Problem(403, "Revisjonsloggen er bare for IMDi.")
        rows = await entries(session, table, objekt_id=objekt_id, person_ref=person_ref, hvem=hvem, after=etter,
                             limit=limit)
        posts = [Revisjonspost.model_validate(dict(r._mapping)) for r in rows]
        return Revisjonslogg(poster=posts, antall=len(posts), neste=posts[-1].id if len(posts) == limit else None)

    return api
