"""Bulk import from case-handling systems, for every service: NDJSON or CSV, streamed, idempotent by the
row's source id (``ekstern_id``), errors per row with line numbers.

A service gives the row model (pydantic) and a function that applies a chunk of valid rows in one
transaction, counting each row as created, changed or unchanged (or as an error) into a :class:`Report`.
This module reads the stream one line at a time, validates rows one by one, applies them in chunks of
:data:`CHUNK` rows (memory stays flat whatever the file's size) and applies a chunk again if it lost a race
with a concurrent import of the same rows (a unique constraint refused it: :class:`shared.db.Conflict`).
If the file cannot be read on, :class:`ImportStopped` says how many rows were stored before it stopped;
:func:`stopped_problem` turns that into the problem+json every service answers with.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.db import Conflict
from shared.gate import BodyTooLarge
from shared.problems import Problem, validation_errors

CHUNK = 500
MAX_LISTED_ERRORS = 1000
MAX_LINE_BYTES = 64 * 1024
ATTEMPTS = 3
TRUE = {"true", "ja", "1", "j", "yes"}
FALSE = {"false", "nei", "0", "n", "no", ""}
CONTENT_TYPES = {"application/x-ndjson": "ndjson", "application/jsonl": "ndjson", "application/json-seq": "ndjson",
                 "text/csv": "csv"}

log = logging.getLogger(__name__)
Row = TypeVar("Row", bound=BaseModel)


class ImportFeil(BaseModel):
    linje: int
    ekstern_id: str | None
    feil: list[dict[str, str]]


class ImportRapport(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "rader": 3, "opprettet": 1, "endret": 1, "uendret": 0, "avvist": 1,
        "feil": [{"linje": 3, "ekstern_id": "NIR-9", "feil": [
            {"felt": "kommunenummer", "melding": "Kommunenummeret finnes ikke i 2017-inndelingen."}]}],
        "feil_utelatt": 0}]})

    rader: int
    opprettet: int
    endret: int
    uendret: int
    avvist: int
    feil: list[ImportFeil]
    feil_utelatt: int = Field(default=0, description="Errors beyond the first 1 000, counted but not listed.")


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


def format_of(content_type: str) -> str:
    """``ndjson`` or ``csv`` from a Content-Type header; 415 problem+json for anything else."""
    fmt = CONTENT_TYPES.get(content_type.split(";")[0].strip().lower())
    if fmt is None:
        raise Problem(415, "Importen tar application/x-ndjson eller text/csv.")
    return fmt


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


async def records(body: AsyncIterator[bytes], fmt: str, bool_fields: Collection[str] = (),
                  ) -> AsyncIterator[tuple[int, dict | None, str | None]]:
    """(line, record, parse error) for each data line of an NDJSON or CSV stream. In CSV an empty cell is
    absent, and the columns in ``bool_fields`` take ja/nei, true/false, 1/0."""
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
            if name in bool_fields:
                if raw.lower() in TRUE:
                    record[name] = True
                elif raw.lower() in FALSE:
                    record[name] = False
                else:
                    bad = f"{name}: må være ja/nei eller true/false."
            elif raw != "":
                record[name] = raw
        yield number, record, bad


ApplyChunk = Callable[[list[tuple[int, Row]], Report], Awaitable[None]]


@dataclass(frozen=True)
class Importer(Generic[Row]):
    """One kind of import: ``row_model`` validates a record; ``apply`` stores a chunk of valid rows (line
    number, row) in one transaction and counts each into the report it is given (raise
    :class:`shared.db.Conflict` to have the chunk applied again)."""

    row_model: type[Row]
    apply: ApplyChunk
    bool_fields: Collection[str] = ()
    id_field: str = "ekstern_id"

    async def run(self, body: AsyncIterator[bytes], fmt: str) -> ImportRapport:
        """Import the stream; raises :class:`ImportStopped` (with the rows stored so far) if it cannot finish."""
        report = Report()
        try:
            await self._run(body, fmt, report)
        except Exception as exc:
            raise ImportStopped(report) from exc
        return report.result()

    async def _run(self, body: AsyncIterator[bytes], fmt: str, report: Report) -> None:
        batch: list[tuple[int, Row]] = []
        async for number, record, parse_error in records(body, fmt, self.bool_fields):
            report.rader += 1
            source_id = str(record.get(self.id_field)) if record and record.get(self.id_field) else None
            if parse_error:
                report.error(number, source_id, [{"felt": "(linje)", "melding": parse_error}])
                continue
            try:
                batch.append((number, self.row_model.model_validate(record)))
            except ValidationError as exc:
                report.error(number, source_id, validation_errors(list(exc.errors())))
                continue
            if len(batch) >= CHUNK:
                await self._apply(batch, report)
                batch = []
        if batch:
            await self._apply(batch, report)

    async def _apply(self, batch: list[tuple[int, Row]], report: Report) -> None:
        """Apply a chunk in one transaction; count it into ``report`` once committed. A chunk that lost a race
        with a concurrent import is applied again: the rows the other import stored are then updates."""
        for attempt in range(1, ATTEMPTS + 1):
            outcome = Report()
            try:
                await self.apply(batch, outcome)
            except Conflict:
                if attempt == ATTEMPTS:
                    raise
                continue
            report.add(outcome)
            return


def stopped_problem(stopped: ImportStopped) -> Problem:
    """Why the import stopped, how many rows were stored before, and that sending the file again is safe."""
    cause, report = stopped.__cause__, stopped.report
    if isinstance(cause, BodyTooLarge):
        status, why = 413, cause.detail
    elif isinstance(cause, UnicodeDecodeError):
        status, why = 400, "Filen er ikke gyldig UTF-8"
    elif isinstance(cause, UnreadableFile):
        status, why = 400, f"Filen kan ikke leses: {cause}"
    else:
        log.error("import stopped", exc_info=cause, extra={"lagret": report.stored})
        status, why = 500, "Importen stoppet på grunn av en uventet feil"
    return Problem(status, f"{why.rstrip('.')}. {report.stored} rader ble lagret før importen stoppet; send hele "
                   "filen på nytt: importen er idempotent, så ingenting telles dobbelt.", slug="import-stoppet",
                   lagret=report.stored, rader_lest=report.rader, avvist=report.avvist)
