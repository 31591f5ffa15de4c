"""Bulk import of settlement cases from case-handling systems, on :mod:`shared.bulk_import`.

Each row is the whole current state of a case in the source system. A new ``ekstern_id`` creates the case;
a known one brings the case forward to the row's stages and corrects its person data; a row equal to what
is stored changes nothing and publishes nothing. Reading, validation per row, chunking and retries are the
shared machinery's; this module applies a chunk of valid rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import select

from bosetting import rules, service
from bosetting.models import Sak
from bosetting.schemas import SakImportRad
from shared import audit
from shared.bulk_import import Importer, ImportRapport, ImportStopped, Report, UnreadableFile
from shared.db import Database

__all__ = ["ImportStopped", "UnreadableFile", "run"]
BOOL_FIELDS = {"enslig_mindrearig", "nedsatt_funksjonsevne"}


async def run(*, db: Database, body: AsyncIterator[bytes], fmt: str, pseudonym_key: str, actor: audit.Actor,
              on_commit=None) -> ImportRapport:
    """Import the stream; raises :class:`ImportStopped` (with the rows stored so far) if it cannot finish.
    Each applied row is an audit-log entry (opprett, endre or sammenlign) in its chunk's transaction."""

    async def apply(batch: list[tuple[int, SakImportRad]], report: Report) -> None:
        await _apply_once(db, batch, report, pseudonym_key, on_commit, actor)

    return await Importer(row_model=SakImportRad, apply=apply, bool_fields=BOOL_FIELDS).run(body, fmt)


async def _apply_once(db: Database, batch: list[tuple[int, SakImportRad]], report: Report, pseudonym_key: str,
                      on_commit, actor: audit.Actor) -> None:
    uow = db.unit_of_work(source_service="bosetting")
    if on_commit:
        uow.on_commit(on_commit)
    async with uow:
        ids = list({row.ekstern_id for _, row in batch})
        dufs = list({row.duf_nummer for _, row in batch})
        by_ekstern = {s.ekstern_id: s for s in (await uow.session.execute(
            select(Sak).where(Sak.ekstern_id.in_(ids)))).scalars()}
        duf_owner = {duf: ext for duf, ext in (await uow.session.execute(
            select(Sak.duf_nummer, Sak.ekstern_id).where(Sak.duf_nummer.in_(dufs)))).all()}
        audited: dict[str, list[Sak]] = {"opprett": [], "endre": [], "sammenlign": []}
        for number, row in batch:
            owner = duf_owner.get(row.duf_nummer, row.ekstern_id)
            if owner != row.ekstern_id:
                report.error(number, row.ekstern_id, [{"felt": "duf_nummer",
                                                       "melding": "DUF-nummeret tilhører en annen sak."}])
                continue
            existing = by_ekstern.get(row.ekstern_id)
            try:
                if existing is None:
                    sak, events = service.build(row, pseudonym_key)
                    await service.check_family_together(uow.session, sak)
                    uow.session.add(sak)
                    by_ekstern[row.ekstern_id] = sak
                    duf_owner[row.duf_nummer] = row.ekstern_id
                    for event in events:
                        uow.publish(event)
                    report.opprettet += 1
                    audited["opprett"].append(sak)
                elif await _update(uow, existing, row, pseudonym_key):
                    report.endret += 1
                    audited["endre"].append(existing)
                else:
                    report.uendret += 1
                    audited["sammenlign"].append(existing)
            except rules.RuleViolation as exc:
                report.error(number, row.ekstern_id, [{"felt": exc.field, "melding": str(exc)}])
        await uow.session.flush()  # new cases get their ids
        for handling, saker in audited.items():
            await service.log_access(uow.session, actor, handling, saker)


async def _update(uow, sak: Sak, row: SakImportRad, pseudonym_key: str) -> bool:
    """Bring ``sak`` to ``row``; all or nothing for the row. True if anything changed."""
    if row.duf_nummer != sak.duf_nummer:
        raise rules.RuleViolation("DUF-nummeret kan ikke endres for en sak.", "duf_nummer")
    if row.vedtaksdato != sak.vedtaksdato:
        raise rules.RuleViolation("Vedtaksdato kan ikke endres ved import.", "vedtaksdato")
    # Try the stage changes on a copy first, so a row that fails halfway leaves the case untouched.
    scratch = Sak(**{c: getattr(sak, c) for c in service.COLUMNS})
    events = [rules.apply(scratch, change, pseudonym_key)
              for change in rules.changes_to(row.model_dump(), scratch)]
    scratch.familie_id = row.familie_id
    await service.check_family_together(uow.session, scratch)
    person_changed = service.publish_person_changes(uow, sak, row, pseudonym_key)
    if not events:
        return person_changed
    for column in service.COLUMNS:
        if column not in ("versjon", "opprettet", "endret") and column not in service.PERSON_FIELDS:
            setattr(sak, column, getattr(scratch, column))
    sak.versjon += 1
    # Stage events carry the group as it is now (after any person correction above).
    for event in events:
        uow.publish(type(event).model_validate({**event.model_dump(), **rules.group(sak, pseudonym_key)}))
    return True
