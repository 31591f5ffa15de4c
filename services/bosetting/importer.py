"""Bulk import of settlement cases from case-handling systems, on :mod:`shared.bulk_import`.

Each row is the whole current state of a case in the source system. A new ``ekstern_id`` creates the case;
a known one brings the case forward to the row's stages and corrects its person data; a row equal to what
is stored changes nothing and publishes nothing. Reading, validation per row, chunking and retries are the
shared machinery's; this module applies a chunk of valid rows.

A chunk costs a fixed number of statements whatever its size and however large the table is: one query for
the chunk's known cases (by ``ekstern_id`` or DUF-nummer), one for its families' proposed and settled members,
then one insert each for the new cases, their events (outbox) and the audit-log entries; changed cases are
updated by the session at commit. The rules run on the chunk in memory, row by row in file order, so a row
sees the rows before it (a family whose members arrive in one file is checked as a whole).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

from sqlalchemy import or_, select, text

from bosetting import rules, service
from bosetting.models import Sak
from bosetting.schemas import SakImportRad
from shared import audit, outbox
from shared.bulk_import import Importer, ImportRapport, ImportStopped, Report, UnreadableFile
from shared.db import Database
from shared.upsert import insert_rows

__all__ = ["ImportStopped", "UnreadableFile", "run"]
BOOL_FIELDS = {"enslig_mindrearig", "nedsatt_funksjonsevne"}
COUNTS = {"opprett": "opprettet", "endre": "endret", "sammenlign": "uendret"}
# A chunk's lookups are a few hundred keys against unique or selective indexes, on a table of any size. Left to
# itself PostgreSQL (with no statistics yet, as after a large import) chose a whole-table scan, 13 ms a chunk at
# 80 000 rows and growing with the table; and after five runs a prepared statement switched to a generic plan
# made while the table was small and kept it (8.6x the time per row at 120 000 rows). So, in the chunk's
# transaction only: plan each lookup for its values, by index.
LOOKUP_BY_INDEX = text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
                       "set_config('enable_seqscan', 'off', true)")


async def run(*, db: Database, body: AsyncIterator[bytes], fmt: str, pseudonym_key: str, actor: audit.Actor,
              on_commit=None) -> ImportRapport:
    """Import the stream; raises :class:`ImportStopped` (with the rows stored so far) if it cannot finish.
    Each applied row is an audit-log entry (opprett, endre or sammenlign) in its chunk's transaction."""

    async def apply(batch: list[tuple[int, SakImportRad]], report: Report) -> None:
        uow = db.unit_of_work(source_service="bosetting")
        if on_commit:
            uow.on_commit(on_commit)
        async with uow:
            chunk = await Chunk.load(uow.session, [row for _, row in batch], pseudonym_key)
            for number, row in batch:
                try:
                    handling = chunk.apply(row)
                except rules.RuleViolation as exc:
                    report.error(number, row.ekstern_id, [{"felt": exc.field, "melding": str(exc)}])
                    continue
                setattr(report, COUNTS[handling], getattr(report, COUNTS[handling]) + 1)
            await chunk.store(uow.session, actor)

    return await Importer(row_model=SakImportRad, apply=apply, bool_fields=BOOL_FIELDS).run(body, fmt)


class Chunk:
    """A chunk's known cases and families in memory; :meth:`apply` takes its rows one by one, :meth:`store`
    writes the outcome."""

    def __init__(self, known: list[Sak], members: list, pseudonym_key: str) -> None:
        self.key = pseudonym_key
        self.by_ekstern = {s.ekstern_id: s for s in known if s.ekstern_id is not None}
        self.duf_owner = {s.duf_nummer: s.ekstern_id for s in known}
        self.families: dict[str, dict[str, SimpleNamespace]] = {}
        self.family_of: dict[str, str] = {}
        for member in members:
            self._remember(member)
        self.new: list[SimpleNamespace] = []
        self.events: list = []
        self.audited: dict[audit.Handling, list] = {"opprett": [], "endre": [], "sammenlign": []}

    @classmethod
    async def load(cls, session, rows: list[SakImportRad], pseudonym_key: str) -> Chunk:
        if session.bind.dialect.name == "postgresql":
            await session.execute(LOOKUP_BY_INDEX)
        ids, dufs = {r.ekstern_id for r in rows}, {r.duf_nummer for r in rows}
        known = list((await session.execute(select(Sak).where(
            or_(Sak.ekstern_id.in_(ids), Sak.duf_nummer.in_(dufs))))).scalars())
        families = {r.familie_id for r in rows if r.familie_id is not None}
        members = [] if not families else list((await session.execute(
            select(Sak.id, Sak.familie_id, Sak.status, Sak.kommunenummer, Sak.utvalgt_kommune).where(
                Sak.familie_id.in_(families), Sak.status.in_(rules.FAMILY_STAGES)))).all())
        return cls(known, members, pseudonym_key)

    def apply(self, row: SakImportRad) -> audit.Handling:
        """Create or bring forward the row's case; raises :class:`rules.RuleViolation` (nothing changed)."""
        if self.duf_owner.get(row.duf_nummer, row.ekstern_id) != row.ekstern_id:
            raise rules.RuleViolation("DUF-nummeret tilhører en annen sak.", "duf_nummer")
        sak = self.by_ekstern.get(row.ekstern_id)
        if sak is None:
            sak, events = service.build(row, self.key, make=SimpleNamespace)
            self._check_family(sak)
            self.new.append(sak)
            self.by_ekstern[row.ekstern_id] = sak
            self.duf_owner[row.duf_nummer] = row.ekstern_id
            self.events += events
            handling = "opprett"
        else:
            handling = "endre" if self._update(sak, row) else "sammenlign"
        self._remember(sak)
        self.audited[handling].append(sak)
        return handling

    def _update(self, sak, row: SakImportRad) -> bool:
        """Bring ``sak`` to ``row``; all or nothing for the row. True if anything changed."""
        if row.duf_nummer != sak.duf_nummer:
            raise rules.RuleViolation("DUF-nummeret kan ikke endres for en sak.", "duf_nummer")
        if row.vedtaksdato != sak.vedtaksdato:
            raise rules.RuleViolation("Vedtaksdato kan ikke endres ved import.", "vedtaksdato")
        # Try the stage changes on a copy first, so a row that fails halfway leaves the case untouched.
        scratch = SimpleNamespace(**{c: getattr(sak, c) for c in service.COLUMNS})
        events = [rules.apply(scratch, change, self.key) for change in rules.changes_to(row.model_dump(), scratch)]
        scratch.familie_id = row.familie_id
        self._check_family(scratch)
        person_changed = service.publish_person_changes(self.events.append, sak, row, self.key)
        if not events:
            return person_changed
        for column in service.COLUMNS:
            if column not in ("versjon", "opprettet", "endret") and column not in service.PERSON_FIELDS:
                setattr(sak, column, getattr(scratch, column))
        sak.versjon += 1
        # Stage events carry the group as it is now (after any person correction above).
        self.events += [type(event).model_validate({**event.model_dump(), **rules.group(sak, self.key)})
                        for event in events]
        return True

    def _check_family(self, sak) -> None:
        others = self.families.get(sak.familie_id, {})
        rules.check_family_together(sak, (m for case_id, m in others.items() if case_id != sak.id))

    def _remember(self, sak) -> None:
        """Keep the case's family stage as it is now, for the rows after it."""
        before = self.family_of.pop(sak.id, None)
        if before is not None:
            self.families[before].pop(sak.id, None)
        if sak.familie_id is not None and sak.status in rules.FAMILY_STAGES:
            self.families.setdefault(sak.familie_id, {})[sak.id] = SimpleNamespace(
                status=sak.status, kommunenummer=sak.kommunenummer, utvalgt_kommune=sak.utvalgt_kommune)
            self.family_of[sak.id] = sak.familie_id

    async def store(self, session, actor: audit.Actor) -> None:
        """The new cases, the events (outbox) and the audit-log entries, one insert each; the changed cases
        are the session's and are updated at commit."""
        await insert_rows(session, Sak.__table__, [vars(s) for s in self.new])  # built with exactly the columns
        await outbox.write(session, outbox.event_rows("bosetting", self.events))
        for handling, saker in self.audited.items():
            await service.log_access(session, actor, handling, saker)
