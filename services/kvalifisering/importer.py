"""Bulk import of training records and introduction-programme participants from case-handling systems (NIR
exports), on :mod:`shared.bulk_import` (the same machinery bosetting's import uses).

Each row is the whole current state of a record in the source system, idempotent by ``ekstern_id``: a new id
creates the record, a known one updates it, an unchanged row changes nothing and publishes nothing. The same
``service.apply_*`` functions as the API apply a row, so the rules and events are the same; a chunk loads its
records and external ids in two queries. Each applied row is an audit-log entry (opprett, endre or sammenlign)
in its chunk's transaction; a refused row is none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import or_, select

from kvalifisering import rules, service
from kvalifisering.models import Introdeltaker, Opplaering
from kvalifisering.schemas import IntrodeltakerImportRad, OpplaeringImportRad
from shared import audit
from shared.bulk_import import Importer, ImportRapport, ImportStopped, Report, UnreadableFile
from shared.db import Database

__all__ = ["ImportStopped", "UnreadableFile", "run"]
KINDS = {"opplaering": (OpplaeringImportRad, Opplaering), "introduksjonsprogram": (IntrodeltakerImportRad,
                                                                                    Introdeltaker)}


async def run(*, kind: str, db: Database, body: AsyncIterator[bytes], fmt: str, pseudonym_key: str,
              actor: audit.Actor, on_commit=None) -> ImportRapport:
    """Import the stream; raises :class:`ImportStopped` (with the rows stored so far) if it cannot finish."""
    row_model, model = KINDS[kind]

    async def apply(batch: list, report: Report) -> None:
        uow = db.unit_of_work(source_service="kvalifisering")
        if on_commit:
            uow.on_commit(on_commit)
        async with uow:
            await _apply_chunk(uow, model, batch, report, pseudonym_key, actor)

    return await Importer(row_model=row_model, apply=apply).run(body, fmt)


async def _apply_chunk(uow, model, batch: list, report: Report, pseudonym_key: str, actor: audit.Actor) -> None:
    refs = {service.ref_of(row, pseudonym_key) for _, row in batch}
    ids = {row.ekstern_id for _, row in batch}
    loaded = list((await uow.session.execute(select(model).where(or_(model.person_ref.in_(refs),
                                                                      model.ekstern_id.in_(ids))))).scalars())
    owners = {r.ekstern_id: r.person_ref for r in loaded if r.ekstern_id is not None}
    known = {r.person_ref: r for r in loaded}  # new records join it as they are added
    counts: dict[tuple[str, int], list[int]] = {}
    audited: dict[service.Outcome, list] = {"opprettet": [], "endret": [], "uendret": []}
    for number, row in batch:
        try:
            if model is Opplaering:
                record, outcome = await service.apply_training(uow, row, pseudonym_key, owners=owners, known=known)
            else:
                record, outcome = await service.apply_participant(uow, row, pseudonym_key, counts, owners=owners,
                                                                  known=known)
        except rules.RuleViolation as exc:
            report.error(number, row.ekstern_id, [{"felt": exc.field, "melding": str(exc)}])
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
        audited[outcome].append(record)
    await service.refresh_programme_years(uow, counts)
    for outcome, records in audited.items():
        await service.log_access(uow.session, actor, service.HANDLING[outcome], records)
