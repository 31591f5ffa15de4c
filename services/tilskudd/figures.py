"""Spend and forecast per post and binding, as of a date — what the half-year report asks for: "forbruk per dato og
planlagt forbruk resten av året".

- Decisions (every post): committed = decisions dated by then, less cancellations and repayments by then;
  disbursed = disbursements less repayments by then; the rest of the year = what is committed and not yet paid.
- Posts 60 and 61 add the entitlements from settlements: committed = the year's entitlements known by then
  (the settlement happened), disbursed = those whose payment date has come; the rest of the year adds the
  settlements still expected this year (``rules.expected_settlements``: kommunevedtak less settled, no more than
  the queue holds) at the rates file's forecast rates.
- Published as ``prognose-oppdatert`` events per line and month end, from the month a change is dated in to
  December: a report counted at a month's end (30.06, 31.12, a monthly report) reads the figures as of its
  date, and a back-dated change republishes every later month end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import tilskudd as tev
from tilskudd import frame, rules
from tilskudd.models import bosatt, ko, kommunevedtak, rettighet, tilsagn, utbetaling


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
    waiting, waiting_em = (await session.execute(select(func.count(), _sum(literal(1), ko.c.enslig_mindrearig)).where(
        ko.c.vedtaksdato <= as_of, or_(ko.c.lukket.is_(None), ko.c.lukket > as_of)))).one()
    return rules.expected_settlements(decided, settled, (int(waiting), int(waiting_em)))


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
        rest += _expected_amount(line, await expected(session, line.ar, as_of))
        if line.post != rules.POST_IT:
            special = 0
    return Figures(line, as_of, paid, committed, rest, special)


def event(f: Figures) -> tev.ForbrukOppdatertV1:
    line = f.line
    return tev.ForbrukOppdatertV1(
        ar=line.ar, kapittel=line.kapittel, post=line.post, binding=line.binding, per_dato=f.per_dato,
        ramme_ore=line.belop_ore, utbetalt_ore=f.utbetalt, forpliktet_ore=f.forpliktet,
        prognose_rest_ore=f.prognose_rest, prognose_ar_ore=f.prognose_ar, saerskilt_kriterium=f.saerskilt_kriterium)


def _upto(amounts: list[tuple[date, int]], day: date) -> int:
    return sum(a for d, a in amounts if d is not None and d <= day)


async def _grouped(session: AsyncSession, query) -> list[tuple[date, int]]:
    return [(d, int(a)) for d, a in (await session.execute(query)).all()]


async def series(session: AsyncSession, line: frame.Line, days: list[date]) -> list[Figures]:
    """The same figures as :func:`compute` for each of ``days``, from a few grouped queries instead of a round
    of queries per day (what ``publish`` sends; the API's ``compute`` answers independently)."""
    where = [tilsagn.c.ar == line.ar, tilsagn.c.kapittel == line.kapittel, tilsagn.c.post == line.post]
    if line.binding is not None:
        where.append(tilsagn.c.binding == line.binding)
    granted = await _grouped(session, select(tilsagn.c.dato, func.sum(tilsagn.c.belop_ore)).where(*where)
                             .group_by(tilsagn.c.dato))
    cancelled = await _grouped(session, select(tilsagn.c.annullert_dato, func.sum(tilsagn.c.annullert_ore))
                               .where(*where, tilsagn.c.annullert_dato.is_not(None)).group_by(tilsagn.c.annullert_dato))
    joined = utbetaling.join(tilsagn, utbetaling.c.tilsagn_id == tilsagn.c.id)
    moved = {kind: await _grouped(session, select(utbetaling.c.dato, func.sum(utbetaling.c.belop_ore))
                                  .select_from(joined).where(*where, utbetaling.c.type == kind)
                                  .group_by(utbetaling.c.dato))
             for kind in ("utbetaling", "tilbakebetaling")}
    entitled = await _entitlement_series(session, line) if is_entitlement_post(line) else None
    out = []
    for day in days:
        repaid = _upto(moved["tilbakebetaling"], day)
        committed = _upto(granted, day) - _upto(cancelled, day) - repaid
        paid = _upto(moved["utbetaling"], day) - repaid
        rest, special = committed - paid, 0
        if entitled is not None:
            known, paid_e, flagged = (_upto(entitled[0], day), _upto(entitled[1], day), _upto(entitled[2], day))
            committed, paid, rest = committed + known, paid + paid_e, rest + known - paid_e
            rest += _expected_amount(line, _expected_from(entitled[3], entitled[4], line.ar, day))
            special = flagged if line.post == rules.POST_IT else 0
        out.append(Figures(line, day, paid, committed, rest, special))
    return out


async def _entitlement_series(session: AsyncSession, line: frame.Line):
    where = [rettighet.c.ar == line.ar, rettighet.c.post == line.post, rettighet.c.kapittel == line.kapittel]
    known = await _grouped(session, select(rettighet.c.kjent_fra, func.sum(rettighet.c.belop_ore)).where(*where)
                           .group_by(rettighet.c.kjent_fra))
    paid = await _grouped(session, select(rettighet.c.utbetalingsdato, func.sum(rettighet.c.belop_ore))
                          .where(*where).group_by(rettighet.c.utbetalingsdato))
    flagged = await _grouped(session, select(rettighet.c.utbetalingsdato, func.count()).where(
        *where, rettighet.c.saerskilt_kriterium).group_by(rettighet.c.utbetalingsdato))
    decided = {r.kommunenummer: (r.antall, r.herav_em) for r in (await session.execute(
        select(kommunevedtak.c.kommunenummer, kommunevedtak.c.antall, kommunevedtak.c.herav_em)
        .where(kommunevedtak.c.ar == line.ar))).all()}
    settled = (await session.execute(
        select(bosatt.c.kommunenummer, bosatt.c.bosettingsdato, func.count().label("n"),
               _sum(literal(1), bosatt.c.enslig_mindrearig).label("em"))
        .where(bosatt.c.bosettingsdato >= date(line.ar, 1, 1), bosatt.c.bosettingsdato <= date(line.ar, 12, 31))
        .group_by(bosatt.c.kommunenummer, bosatt.c.bosettingsdato))).all()
    queue = (await session.execute(
        select(ko.c.vedtaksdato, ko.c.lukket, ko.c.enslig_mindrearig, func.count().label("n"))
        .where(ko.c.vedtaksdato <= date(line.ar, 12, 31),
               or_(ko.c.lukket.is_(None), ko.c.lukket >= date(line.ar, 1, 1)))
        .group_by(ko.c.vedtaksdato, ko.c.lukket, ko.c.enslig_mindrearig))).all()
    return known, paid, flagged, decided, (settled, queue)


def _expected_from(decided: dict, settled_and_queue: tuple, year: int, day: date) -> rules.Expected:
    if day >= date(year, 12, 31):
        return rules.Expected(0, 0)
    settled, queue = settled_and_queue
    by_kommune: dict[str, tuple[int, int]] = {}
    for r in settled:
        if r.bosettingsdato <= day:
            n, em = by_kommune.get(r.kommunenummer, (0, 0))
            by_kommune[r.kommunenummer] = (n + int(r.n), em + int(r.em))
    open_ = [q for q in queue if q.vedtaksdato <= day and (q.lukket is None or q.lukket > day)]
    waiting = (sum(int(q.n) for q in open_), sum(int(q.n) for q in open_ if q.enslig_mindrearig))
    return rules.expected_settlements(decided, by_kommune, waiting)


def _expected_amount(line: frame.Line, more: rules.Expected) -> int:
    r = frame.rates(line.ar)
    if line.post == rules.POST_IT:
        return more.others * r.prognose_ar1 + more.em * r.ar1["enslig_mindrearig"]
    return more.em * r.prognose_em


async def publish(session: AsyncSession, publish_fn: Callable, year: int, line_ids: Iterable[str],
                  since: date) -> int:
    """Publish the figures of ``line_ids`` as of every month end of ``year`` from ``since``'s month on.
    Nothing for a year without a budget frame."""
    try:
        lines = frame.lines(year)
    except KeyError:
        return 0
    count = 0
    days = rules.month_ends(since, year)
    if not days:
        return 0
    for line_id in sorted(set(line_ids)):
        for figures in await series(session, lines[line_id], days):
            publish_fn(event(figures))
            count += 1
    return count
