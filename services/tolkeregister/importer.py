"""Bulk import of the existing register, on :mod:`shared.bulk_import`.

Each row is an interpreter's whole current state in the source register (``ekstern_id`` its id there). A new
``ekstern_id`` enters the interpreter (and, if the row says so, suspends or removes them); a known one brings
contact, residence, languages and status to the row; a row equal to what is stored changes nothing and
publishes nothing. A row is all or nothing: one that breaks a rule is listed with its line and changes nothing.
Each applied row is an audit-log entry (opprett, endre or sammenlign) in its chunk's transaction; a refused row is
none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import select, text

from shared import audit
from shared.bulk_import import Importer, ImportRapport, ImportStopped, Report, UnreadableFile
from shared.db import Database, UnitOfWork
from tolkeregister import rules, service
from tolkeregister.models import Tolk, TolkStatus
from tolkeregister.schemas import TolkImportRad

__all__ = ["ImportStopped", "UnreadableFile", "run"]
UPDATABLE = ("navn", "kommunenummer", "adresse", "telefon", "epost")


async def run(*, db: Database, body: AsyncIterator[bytes], fmt: str, ordning: rules.Ordning, pseudonym_key: str,
              actor: audit.Actor, on_commit=None) -> ImportRapport:
    """Import the stream; raises :class:`ImportStopped` (with the rows stored so far) if it cannot finish."""

    async def apply(batch: list[tuple[int, TolkImportRad]], report: Report) -> None:
        uow = db.unit_of_work(source_service="tolkeregister")
        if on_commit:
            uow.on_commit(on_commit)
        async with uow:
            await _apply(uow, batch, report, ordning, pseudonym_key, actor)

    report = await Importer(row_model=TolkImportRad, apply=apply).run(body, fmt)
    if report.opprettet and db.engine.dialect.name == "postgresql":
        # Fresh statistics for the search's plans: right after loading a register the planner would otherwise
        # believe the tables are nearly empty (measured: 550 ms instead of 80 ms by language at 20 000).
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE tolk, tolk_sprak"))
    return report


def _status_change(row: TolkImportRad, tolk: Tolk) -> rules.StatusChange | None:
    if row.status == tolk.status:
        return None
    change = rules.StatusChange(row.status, row.status_dato or tolk.status_dato, row.status_arsak or "Import")
    rules.check_status_change(tolk.status, tolk.status_dato, tolk.oppfort_dato, change)
    return change


async def _apply(uow: UnitOfWork, batch: list[tuple[int, TolkImportRad]], report: Report, ordning: rules.Ordning,
                 key: str, actor: audit.Actor) -> None:
    session = uow.session
    by_ekstern = {t.ekstern_id: t for t in (await session.execute(
        select(Tolk).where(Tolk.ekstern_id.in_(list({r.ekstern_id for _, r in batch}))))).scalars()}
    number_owner = dict((await session.execute(select(Tolk.fodselsnummer, Tolk.ekstern_id).where(
        Tolk.fodselsnummer.in_(list({r.fodselsnummer for _, r in batch}))))).all())
    audited: dict[audit.Handling, list[Tolk]] = {"opprett": [], "endre": [], "sammenlign": []}
    for line, row in batch:
        if number_owner.get(row.fodselsnummer, row.ekstern_id) != row.ekstern_id:
            report.error(line, row.ekstern_id, [{"felt": "fodselsnummer",
                                                 "melding": "Fødselsnummeret tilhører en annen tolk."}])
            continue
        try:
            existing = by_ekstern.get(row.ekstern_id)
            if existing is None:
                tolk = _enter(uow, row, ordning, key)
                by_ekstern[row.ekstern_id], number_owner[row.fodselsnummer] = tolk, row.ekstern_id
                report.opprettet += 1
                audited["opprett"].append(tolk)
            elif _update(uow, existing, row, ordning):
                report.endret += 1
                audited["endre"].append(existing)
            else:
                report.uendret += 1
                audited["sammenlign"].append(existing)
        except rules.RuleViolation as exc:
            report.error(line, row.ekstern_id, [{"felt": exc.field, "melding": str(exc)}])
    for handling, tolker in audited.items():
        await service.log_tolk(session, actor, handling, tolker)


def _enter(uow: UnitOfWork, row: TolkImportRad, ordning: rules.Ordning, key: str) -> Tolk:
    tolk = service.build(row, ordning=ordning, pseudonym_key=key)
    change = _status_change(row, tolk)  # raises before anything is added
    uow.session.add(tolk)
    uow.session.add(TolkStatus(tolk_id=tolk.id, status="aktiv", dato=tolk.oppfort_dato, arsak="Oppført"))
    if change is not None:
        uow.session.add(service.apply_status(tolk, change))
    uow.publish(service.register_event(tolk))
    return tolk


def _update(uow: UnitOfWork, tolk: Tolk, row: TolkImportRad, ordning: rules.Ordning) -> bool:
    """Bring ``tolk`` to ``row``, all or nothing. True if anything changed."""
    if row.fodselsnummer != tolk.fodselsnummer:
        raise rules.RuleViolation("Fødselsnummeret kan ikke endres ved import.", "fodselsnummer")
    if row.oppfort_dato != tolk.oppfort_dato:
        raise rules.RuleViolation("Oppføringsdatoen kan ikke endres ved import.", "oppfort_dato")
    before = service.register_event(tolk)
    change = _status_change(row, tolk)  # checked before anything changes
    changes = {f: getattr(row, f) for f in UPDATABLE} | {"sprak": [s.model_dump(mode="json") for s in row.sprak]}
    changed, _ = service.apply_changes(tolk, changes, ordning)  # raises before touching anything
    if change is not None:
        uow.session.add(service.apply_status(tolk, change))
        changed = True
    elif changed:
        tolk.versjon += 1
    if service.register_event(tolk) != before:
        uow.publish(service.register_event(tolk))
    return changed
