"""Spend and forecast per post and binding, as of a date — what the half-year report asks for: "forbruk per dato og
planlagt forbruk resten av året".

- Decisions (every post): committed = decisions dated by then, less cancellations and repayments by then;
  disbursed = disbursements less repayments by then; the rest of the year = what is committed and not yet paid.
- Posts 60 and 61 add the entitlements from settlements: committed = the year's entitlements known by then
  (the settlement happened), disbursed = those whose payment date has come; the rest of the year adds the
  settlements still expected this year (``rules.expected_settlements``: kommunevedtak less settled) at the
  rates file's forecast rates.
- Published as ``prognose-oppdatert`` events per line and month end, from the month a change is dated in to
  December: a report counted at a month's end (30.06, 31.12, a monthly report) reads the figures as of its
  date, and a back-dated change republishes every later month end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import tilskudd as tev
from tilskudd import frame, rules
from tilskudd.models import bosatt, kommunevedtak, rettighet, tilsagn, utbetaling


@dataclass(frozen=True)
class Figures:
    line: frame.Line
    per_dato: date
    utbetalt: int
    forpliktet: int
    prognose_rest: int
    saerskilt_kriterium: int

    @property
    def prognose_ar(self) -> int:
        return self.utbetalt + self.prognose_rest


def _sum(column, where=None):
    """SUM that is 0 for no rows; with ``where``, of the rows that match (portable: no FILTER clause)."""
    return func.coalesce(func.sum(column if where is None else case((where, column), else_=0)), 0)


async def _decisions(session: AsyncSession, line: frame.Line, as_of: date) -> tuple[int, int]:
    """(committed, disbursed) from decisions on the line as of ``as_of``."""
    where = [tilsagn.c.ar == line.ar, tilsagn.c.kapittel == line.kapittel, tilsagn.c.post == line.post]
    if line.binding is not None:
        where.append(tilsagn.c.binding == line.binding)
    granted, cancelled = (await session.execute(select(
        _sum(tilsagn.c.belop_ore), _sum(tilsagn.c.annullert_ore, tilsagn.c.annullert_dato <= as_of))
        .where(*where, tilsagn.c.dato <= as_of))).one()
    paid, repaid = (await session.execute(select(
        _sum(utbetaling.c.belop_ore, utbetaling.c.type == "utbetaling"),
        _sum(utbetaling.c.belop_ore, utbetaling.c.type == "tilbakebetaling"))
        .select_from(utbetaling.join(tilsagn, utbetaling.c.tilsagn_id == tilsagn.c.id))
        .where(*where, utbetaling.c.dato <= as_of))).one()
    return int(granted) - int(cancelled) - int(repaid), int(paid) - int(repaid)


async def _entitlements(session: AsyncSession, line: frame.Line, as_of: date) -> tuple[int, int, int]:
    """(committed, disbursed, paid under the special criterion) from entitlements on post 60/61."""
    where = [rettighet.c.ar == line.ar, rettighet.c.post == line.post, rettighet.c.kapittel == line.kapittel]
    known, paid, special = (await session.execute(select(
        _sum(rettighet.c.belop_ore, rettighet.c.kjent_fra <= as_of),
        _sum(rettighet.c.belop_ore, rettighet.c.utbetalingsdato <= as_of),
        _sum(literal(1), and_(rettighet.c.utbetalingsdato <= as_of, rettighet.c.saerskilt_kriterium)))
        .where(*where))).one()
    return int(known), int(paid), int(special)


async def expected(session: AsyncSession, year: int, as_of: date) -> rules.Expected:
    """Settlements still expected in ``year`` after ``as_of``: none once the year is over."""
    if as_of >= date(year, 12, 31):
        return rules.Expected(0, 0)
    decided = {r.kommunenummer: (r.antall, r.herav_em) for r in (await session.execute(
        select(kommunevedtak.c.kommunenummer, kommunevedtak.c.antall, kommunevedtak.c.herav_em)
        .where(kommunevedtak.c.ar == year))).all()}
    settled = {r.kommunenummer: (int(r.n), int(r.em)) for r in (await session.execute(
        select(bosatt.c.kommunenummer, func.count().label("n"),
               _sum(literal(1), bosatt.c.enslig_mindrearig).label("em"))
        .where(bosatt.c.bosettingsdato >= date(year, 1, 1), bosatt.c.bosettingsdato <= as_of)
        .group_by(bosatt.c.kommunenummer))).all()}
    return rules.expected_settlements(decided, settled)


def is_entitlement_post(line: frame.Line) -> bool:
    return line.kapittel == rules.KAPITTEL and line.post in (rules.POST_IT, rules.POST_EM) and line.binding is None


async def compute(session: AsyncSession, line: frame.Line, as_of: date) -> Figures:
    committed, paid = await _decisions(session, line, as_of)
    rest = committed - paid
    special = 0
    if is_entitlement_post(line):
        known, paid_e, special = await _entitlements(session, line, as_of)
        committed, paid = committed + known, paid + paid_e
        rest += known - paid_e
        more = await expected(session, line.ar, as_of)
        r = frame.rates(line.ar)
        if line.post == rules.POST_IT:
            rest += more.others * r.prognose_ar1 + more.em * r.ar1["enslig_mindrearig"]
        else:
            rest += more.em * r.prognose_em
        if special and line.post != rules.POST_IT:
            special = 0
    return Figures(line, as_of, paid, committed, rest, special)


def event(f: Figures) -> tev.ForbrukOppdatertV1:
    line = f.line
    return tev.ForbrukOppdatertV1(
        ar=line.ar, kapittel=line.kapittel, post=line.post, binding=line.binding, per_dato=f.per_dato,
        ramme_ore=line.belop_ore, utbetalt_ore=f.utbetalt, forpliktet_ore=f.forpliktet,
        prognose_rest_ore=f.prognose_rest, prognose_ar_ore=f.prognose_ar, saerskilt_kriterium=f.saerskilt_kriterium)


async def publish(session: AsyncSession, publish_fn: Callable, year: int, line_ids: Iterable[str],
                  since: date) -> int:
    """Publish the figures of ``line_ids`` as of every month end of ``year`` from ``since``'s month on.
    Nothing for a year without a budget frame."""
    try:
        lines = frame.lines(year)
    except KeyError:
        return 0
    count = 0
    for line_id in sorted(set(line_ids)):
        for day in rules.month_ends(since, year):
            publish_fn(event(await compute(session, lines[line_id], day)))
            count += 1
    return count
