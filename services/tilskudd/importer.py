"""Bulk import of existing grant decisions and disbursements, on :mod:`shared.bulk_import`.

Each row is checked and stored by the same code as the API (``service.decide`` / ``service.pay``): a decision
that would over-commit its binding or post, or a payment beyond what is unpaid, is a row error and stores
nothing; good rows are stored. A known ``ekstern_id`` with the same values is unchanged; with other values it is
a row error (a stored decision is changed through the API: payments, repayments, cancellation). The figures of
the lines a chunk touched are published once per chunk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from shared import errors
from shared.bulk_import import Importer, ImportRapport, ImportStopped, Report, UnreadableFile
from shared.db import Database
from tilskudd import figures, service
from tilskudd.money import NotMoney, parse_kroner
from tilskudd.schemas import TilsagnImportRad, UtbetalingImportRad

__all__ = ["ImportStopped", "UnreadableFile", "decisions", "payments"]


def _row_error(report: Report, number: int, ekstern_id: str, exc: errors.DomainError) -> None:
    feil = exc.extra.get("feil") if isinstance(exc, errors.Invalid) else None
    report.error(number, ekstern_id, feil or [{"felt": "(rad)", "melding": exc.detail}])


class _Touched:
    def __init__(self) -> None:
        self.lines: dict[int, tuple[set[str], date]] = {}

    def add(self, row: dict, day: date) -> None:
        ids, since = self.lines.get(row["ar"], (set(), day))
        self.lines[row["ar"]] = (ids | set(service.line_ids(row)), min(since, day))

    async def publish(self, uow) -> None:
        for year, (ids, since) in sorted(self.lines.items()):
            await figures.publish(uow.session, uow.publish, year, ids, since)


def _chunk(db: Database, on_commit, one_row):
    """A chunk applied in one unit of work under the money lock: each row by ``one_row`` (a row that breaks a
    rule is an error of its own), then the figures of every line the chunk touched published once."""

    async def apply(batch: list[tuple[int, Any]], report: Report) -> None:
        uow = db.unit_of_work(source_service="tilskudd")
        if on_commit:
            uow.on_commit(on_commit)
        touched = _Touched()
        async with service.Writer(uow):
            for number, row in batch:
                try:
                    await one_row(uow, row, report, touched)
                except (errors.DomainError, NotMoney) as exc:
                    _row_error(report, number, row.ekstern_id, exc if isinstance(exc, errors.DomainError) else
                               errors.Invalid.field("belop", "Beløpet må være kroner med høyst to desimaler."))
            await touched.publish(uow)

    return apply


async def decisions(*, db: Database, body: AsyncIterator[bytes], fmt: str, on_commit=None) -> ImportRapport:
    return await Importer(row_model=TilsagnImportRad, apply=_chunk(db, on_commit, _decision)).run(body, fmt)


async def _decision(uow, row: TilsagnImportRad, report: Report, touched: _Touched) -> None:
    amount = parse_kroner(row.belop)
    stored = await service.decision_by_source(uow.session, row.ekstern_id)
    if stored is not None:
        same = (stored["ordning_id"], stored["belop_ore"], stored["dato"], stored["kommunenummer"],
                stored["organisasjonsnummer"]) == (row.ordning, amount, row.dato, row.kommunenummer,
                                                   row.organisasjonsnummer)
        if not same:
            raise errors.Conflict("Tilsagnet er allerede importert med andre verdier; endre det i API-et.")
        report.uendret += 1
        return
    scheme = await service.get_scheme(session=uow.session, scheme_id=row.ordning)
    stored = await service.decide(uow, scheme=scheme, application_id=None, kommunenummer=row.kommunenummer,
                                  organisasjonsnummer=row.organisasjonsnummer, amount_ore=amount, data=row)
    touched.add(stored, row.dato)
    report.opprettet += 1


async def payments(*, db: Database, body: AsyncIterator[bytes], fmt: str, on_commit=None) -> ImportRapport:
    return await Importer(row_model=UtbetalingImportRad, apply=_chunk(db, on_commit, _payment)).run(body, fmt)


async def _payment(uow, row: UtbetalingImportRad, report: Report, touched: _Touched) -> None:
    amount = parse_kroner(row.belop)
    stored = await service.payment_by_source(uow.session, row.ekstern_id)
    decision = await service.decision_by_source(uow.session, row.tilsagn_ekstern_id)
    if decision is None:
        raise errors.Invalid.field("tilsagn_ekstern_id", "Tilsagnet finnes ikke (importer tilsagnene først).")
    if stored is not None:
        if (stored["tilsagn_id"], stored["type"], stored["belop_ore"], stored["dato"]) != (
                decision["id"], row.type, amount, row.dato):
            raise errors.Conflict("Utbetalingen er allerede importert med andre verdier.")
        report.uendret += 1
        return
    _, before = await service.pay(uow, decision_id=decision["id"], data=row, amount_ore=amount)
    touched.add(before, row.dato)
    report.opprettet += 1
