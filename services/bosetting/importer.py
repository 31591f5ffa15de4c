"""Bulk import from case-handling systems: NDJSON or CSV, streamed, idempotent by ``ekstern_id``.

Each row is the whole current state of a case in the source system. A new ``ekstern_id`` creates the case;
a known one brings the case forward to the row's stages and corrects its person data; a row equal to what
is stored changes nothing and publishes nothing. Rows are validated one by one: a bad row is reported with
its line number and reasons and the good rows are imported. Rows are applied in transactions of
``CHUNK`` rows, so memory stays flat whatever the file's size. A chunk that loses a race with a concurrent
import of the same cases (a unique constraint refuses it) is applied again, and then finds them stored. If
the file cannot be read on, :class:`ImportStopped` says how many rows were stored before it stopped.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import select

from bosetting import rules, service
from bosetting.models import Sak
from bosetting.schemas import ImportFeil, ImportRapport, SakImportRad
from shared.db import Conflict, Database
from shared.problems import validation_errors

CHUNK = 500
MAX_LISTED_ERRORS = 1000
MAX_LINE_BYTES = 64 * 1024
ATTEMPTS = 3
TRUE = {"true", "ja", "1", "j", "yes"}
FALSE = {"false", "nei", "0", "n", "no", ""}
BOOL_FIELDS = {"enslig_mindrearig", "nedsatt_funksjonsevne"}


@dataclass
class Report:
    rader: int = 0
    opprettet: int = 0
    endret: int = 0
    uendret: int = 0
    avvist: int = 0
    feil: list[ImportFeil] = field(default_factory=list)
    feil_utelatt: int = 0

    def error(self, line: int, ekstern_id: str | None, errors: list[dict[str, str]]) -> None:
        self.avvist += 1
        if len(self.feil) < MAX_LISTED_ERRORS:
            self.feil.append(ImportFeil(linje=line, ekstern_id=ekstern_id, feil=errors))
        else:
            self.feil_utelatt += 1

    def add(self, other: Report) -> None:
        """Count ``other``'s outcome (a committed chunk) into this report."""
        self.opprettet += other.opprettet
        self.endret += other.endret
        self.uendret += other.uendret
        for e in other.feil:
            self.error(e.linje, e.ekstern_id, e.feil)

    @property
    def stored(self) -> int:
        """Rows whose state is in the database (created, changed or already equal)."""
        return self.opprettet + self.endret + self.uendret

    def result(self) -> ImportRapport:
        return ImportRapport(**{**vars(self), "feil": sorted(self.feil, key=lambda f: f.linje)})


class UnreadableFile(ValueError):
    """The stream cannot be read on as NDJSON or CSV (the message says why, in Norwegian)."""


class ImportStopped(Exception):
    """The import could not read on; ``report`` holds what was stored before. ``__cause__`` says why."""

    def __init__(self, report: Report) -> None:
        super().__init__("import stopped")
        self.report = report


async def lines(body: AsyncIterator[bytes]) -> AsyncIterator[tuple[int, str]]:
    """Decode a byte stream as UTF-8 and yield (line number, line) without holding more than one line."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    pending = ""
    number = 0
    async for chunk in body:
        pending += decoder.decode(chunk)
        *complete, pending = pending.split("\n")
        for line in complete:
            number += 1
            yield number, line.rstrip("\r")
        if len(pending.encode()) > MAX_LINE_BYTES:
            raise UnreadableFile(f"linje {number + 1} er lengre enn {MAX_LINE_BYTES} byte")
    pending += decoder.decode(b"", final=True)
    if pending:
        yield number + 1, pending.rstrip("\r")


async def records(body: AsyncIterator[bytes], fmt: str) -> AsyncIterator[tuple[int, dict | None, str | None]]:
    """(line, record, parse error) for each data line of an NDJSON or CSV stream."""
    header: list[str] | None = None
    async for number, line in lines(body):
        if not line.strip():
            continue
        if fmt == "ndjson":
            try:
                value = json.loads(line)
            except (json.JSONDecodeError, RecursionError):  # RecursionError: nested deeper than Python allows
                yield number, None, "Linjen er ikke gyldig JSON."
                continue
            if not isinstance(value, dict):
                yield number, None, "Linjen må være et JSON-objekt."
                continue
            yield number, value, None
            continue
        try:
            cells = next(csv.reader([line]))
        except csv.Error:  # e.g. a bare CR inside an unquoted field
            if header is None:
                raise UnreadableFile("overskriftslinjen kan ikke leses som CSV") from None
            yield number, None, "Linjen kan ikke leses som CSV (linjeskift eller tegn som ikke hører hjemme)."
            continue
        if header is None:
            header = [c.strip() for c in cells]
            continue
        if len(cells) != len(header):
            yield number, None, f"Linjen har {len(cells)} felt; overskriften har {len(header)}."
            continue
        record: dict = {}
        bad = None
        for name, raw in zip(header, cells, strict=True):
            raw = raw.strip()
            if name in BOOL_FIELDS:
                if raw.lower() in TRUE:
                    record[name] = True
                elif raw.lower() in FALSE:
                    record[name] = False
                else:
                    bad = f"{name}: må være ja/nei eller true/false."
            elif raw != "":
                record[name] = raw
        yield number, record, bad


async def run(*, db: Database, body: AsyncIterator[bytes], fmt: str, pseudonym_key: str,
              on_commit=None) -> ImportRapport:
    """Import the stream; raises :class:`ImportStopped` (with the rows stored so far) if it cannot finish."""
    report = Report()
    try:
        await _run(db, body, fmt, pseudonym_key, on_commit, report)
    except Exception as exc:
        raise ImportStopped(report) from exc
    return report.result()


async def _run(db: Database, body: AsyncIterator[bytes], fmt: str, pseudonym_key: str, on_commit,
               report: Report) -> None:
    batch: list[tuple[int, SakImportRad]] = []
    async for number, record, parse_error in records(body, fmt):
        report.rader += 1
        ekstern_id = str(record.get("ekstern_id")) if record and record.get("ekstern_id") else None
        if parse_error:
            report.error(number, ekstern_id, [{"felt": "(linje)", "melding": parse_error}])
            continue
        try:
            batch.append((number, SakImportRad.model_validate(record)))
        except ValidationError as exc:
            report.error(number, ekstern_id, validation_errors(list(exc.errors())))
            continue
        if len(batch) >= CHUNK:
            await _apply(db, batch, report, pseudonym_key, on_commit)
            batch = []
    if batch:
        await _apply(db, batch, report, pseudonym_key, on_commit)


async def _apply(db: Database, batch: list[tuple[int, SakImportRad]], report: Report, pseudonym_key: str,
                 on_commit) -> None:
    """Apply a chunk in one transaction; count it into ``report`` once committed. A chunk that lost a race
    with a concurrent import is applied again: the cases the other import stored are then updates."""
    for attempt in range(1, ATTEMPTS + 1):
        outcome = Report()
        try:
            await _apply_once(db, batch, outcome, pseudonym_key, on_commit)
        except Conflict:
            if attempt == ATTEMPTS:
                raise
            continue
        report.add(outcome)
        return


async def _apply_once(db: Database, batch: list[tuple[int, SakImportRad]], report: Report, pseudonym_key: str,
                      on_commit) -> None:
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
                elif await _update(uow, existing, row, pseudonym_key):
                    report.endret += 1
                else:
                    report.uendret += 1
            except rules.RuleViolation as exc:
                report.error(number, row.ekstern_id, [{"felt": exc.field, "melding": str(exc)}])


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
