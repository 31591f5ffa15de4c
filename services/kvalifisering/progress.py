"""Assignment follow-up: O5/O6 (competence self-registration and career guidance), O7 (integration reception
centres) and O8 (Jobbsjansen part B).

* O5/O6, monthly: persons registered by the month's end (O5; also as a share of the month's target group, O6's
  first criterion, when IMDi has registered its size), and residents offered and having completed career guidance
  (O6), as ``nokkeltall`` events.

* O7, monthly: of the residents whose two-week window (arrival + 14 days) closes in the month, how many were
  offered a full-time individually adapted programme within it; overall and by reception centre, published as
  ``nokkeltall`` events (counts of persons: rapportering's reports apply disclosure control). Deviations (no
  offer in time) are listed by :func:`deviations`.
* O8: the implementation of part B in a year, as progress on the assignment's milestone (``milepael-oppdatert``):
  the share of the year's part B projects that have participants; done when every project has. The number of
  participants is a ``nokkeltall``.

A figure is published only when it changed since it was last published (kept in ``publisert_fremdrift``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from pydantic import BaseModel
from sqlalchemy import func, select

from kvalifisering import rules
from kvalifisering.models import (
    JobbsjansenDeltaker,
    JobbsjansenProsjekt,
    Kompetanseregistrering,
    Malgruppe,
    Mottaksbeboer,
    Publisert,
)
from shared.dates import period_range, today_oslo
from shared.db import UnitOfWork
from shared.events import schemas as ev

SERVICE = "kvalifisering"
O7_TEXT = "Beboere i integreringsmottak tilbudt individuelt tilpasset fulltidsprogram innen to uker etter ankomst"


async def _publish_if_changed(uow: UnitOfWork, key: str, event) -> None:
    value = event.model_dump(mode="json", exclude={"dato"})
    stored = await uow.session.get(Publisert, key)
    if stored is not None and stored.verdi == value:
        return
    if stored is None:
        uow.session.add(Publisert(nokkel=key, verdi=value))
    else:
        stored.verdi = value
    uow.publish(event)


# --- O7 ---------------------------------------------------------------------------------------------------
async def _residents_due_in(session, month: str) -> list[Mottaksbeboer]:
    start, end = period_range(month)
    back = timedelta(days=rules.OFFER_DAYS)
    return list((await session.execute(select(Mottaksbeboer).where(
        Mottaksbeboer.ankomst_dato >= start - back, Mottaksbeboer.ankomst_dato <= end - back))).scalars())


def _in_time(r: Mottaksbeboer) -> bool:
    return r.tilbud_dato is not None and r.tilbud_dato <= rules.offer_deadline(r.ankomst_dato)


async def refresh_o7(uow: UnitOfWork, months: set[str]) -> None:
    """Publish the O7 figures of ``months`` that changed (overall and per centre; a centre that no longer has
    anyone due in the month gets 0 of 0)."""
    await uow.session.flush()
    for month in sorted(months):
        cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for r in await _residents_due_in(uow.session, month):
            for cell in (("alle", "alle"), ("mottak", r.mottak)):
                cells[cell][0] += _in_time(r)
                cells[cell][1] += 1
        prefix = f"O7:{month}:"
        earlier = (await uow.session.execute(select(Publisert.nokkel).where(
            Publisert.nokkel.like(prefix + "%")))).scalars()
        for key in earlier:
            dimension, value = key[len(prefix):].split(":", 1)
            cells.setdefault((dimension, value), [0, 0])
        for (dimension, value), (hits, due) in sorted(cells.items()):
            await _publish_if_changed(uow, f"{prefix}{dimension}:{value}", ev.NokkeltallV1(
                ar=int(month[:4]), objekt="O7", periode=month, navn="tilbud_innen_to_uker", tekst=O7_TEXT,
                dimensjon=dimension, kategori=value, antall=hits, nevner=due))


async def apply_resident(uow: UnitOfWork, *, ref: str, ekstern_id: str | None, mottak: str, ankomst: date,
                         tilbud: date | None, months: set[str]) -> str:
    rules.check_resident(ankomst, tilbud)
    row = await uow.session.get(Mottaksbeboer, ref)
    if row is None:
        uow.session.add(Mottaksbeboer(person_ref=ref, ekstern_id=ekstern_id, mottak=mottak, ankomst_dato=ankomst,
                                      tilbud_dato=tilbud, versjon=1))
        months.add(rules.month_of(rules.offer_deadline(ankomst)))
        return "opprettet"
    if (row.mottak, row.ankomst_dato, row.tilbud_dato) == (mottak, ankomst, tilbud):
        return "uendret"
    months.add(rules.month_of(rules.offer_deadline(row.ankomst_dato)))
    row.mottak, row.ankomst_dato, row.tilbud_dato = mottak, ankomst, tilbud
    row.ekstern_id = ekstern_id or row.ekstern_id
    row.versjon += 1
    months.add(rules.month_of(rules.offer_deadline(ankomst)))
    return "endret"


class Avvik(BaseModel):
    person_ref: str
    mottak: str
    ankomst_dato: date
    frist: date
    tilbud_dato: date | None
    dager_over_frist: int


class O7Status(BaseModel):
    periode: str
    forfalt: int
    tilbudt_innen_to_uker: int
    avvik: list[Avvik]


async def deviations(*, session, period: str, as_of: date | None = None) -> O7Status:
    """The residents whose window closed in ``period`` (up to ``as_of``) without an offer in time."""
    as_of = as_of or today_oslo()
    start, end = period_range(period)
    back = timedelta(days=rules.OFFER_DAYS)
    due = [r for r in (await session.execute(select(Mottaksbeboer).where(
        Mottaksbeboer.ankomst_dato >= start - back, Mottaksbeboer.ankomst_dato <= end - back))).scalars()
        if rules.offer_deadline(r.ankomst_dato) <= as_of]
    late = []
    for r in sorted(due, key=lambda r: (r.ankomst_dato, r.person_ref)):
        if _in_time(r):
            continue
        deadline = rules.offer_deadline(r.ankomst_dato)
        late.append(Avvik(person_ref=r.person_ref, mottak=r.mottak, ankomst_dato=r.ankomst_dato, frist=deadline,
                          tilbud_dato=r.tilbud_dato, dager_over_frist=((r.tilbud_dato or as_of) - deadline).days))
    return O7Status(periode=period, forfalt=len(due), tilbudt_innen_to_uker=len(due) - len(late), avvik=late)


# --- O8 ---------------------------------------------------------------------------------------------------
async def refresh_o8(uow: UnitOfWork, years: set[int]) -> None:
    """Publish part B's progress for ``years`` (by the year its projects start) if it changed."""
    await uow.session.flush()
    for year in sorted(years):
        projects = list((await uow.session.execute(select(JobbsjansenProsjekt.prosjekt_id).where(
            JobbsjansenProsjekt.del_ == "B", JobbsjansenProsjekt.periode_fra >= date(year, 1, 1),
            JobbsjansenProsjekt.periode_fra <= date(year, 12, 31)))).scalars())
        if not projects:
            continue
        counts = dict((await uow.session.execute(select(
            JobbsjansenDeltaker.prosjekt_id, func.count()).where(
            JobbsjansenDeltaker.prosjekt_id.in_(projects)).group_by(JobbsjansenDeltaker.prosjekt_id))).all())
        started = sum(1 for p in projects if counts.get(p))
        await _publish_if_changed(uow, f"O8:{year}:M1", ev.MilepaelOppdatertV1(
            ar=year, oppdrag="O8", milepael="M1", ferdig=started == len(projects),
            fremdrift=round(100 * started / len(projects)), dato=today_oslo(),
            kommentar=f"Jobbsjansen del B: {started} av {len(projects)} prosjekter har deltakere."))
        await _publish_if_changed(uow, f"O8:{year}:deltakere", ev.NokkeltallV1(
            ar=year, objekt="O8", periode=str(year), navn="deltakere_del_b",
            tekst="Deltakere i Jobbsjansen del B", antall=sum(counts.values())))


# --- O5/O6 --------------------------------------------------------------------------------------------------
O5_O6 = (("O5", "registrerte", "Personer som har registrert kompetansen sin", "registrert_dato", True),
         ("O6", "karriereveiledning_tilbudt", "Beboere i mottak tilbudt karriereveiledning",
          "karriereveiledning_tilbudt", False),
         ("O6", "karriereveiledning_gjennomfort", "Beboere i mottak som har gjennomført karriereveiledning",
          "karriereveiledning_gjennomfort", False))


def months_from(day: date) -> set[str]:
    """The months of ``day``'s year from its month on: cumulative figures as of each month end move."""
    return {f"{day.year}-{m:02d}" for m in range(day.month, 13)}


async def refresh_o5_o6(uow: UnitOfWork, months: set[str]) -> None:
    """Publish, for each month, the cumulative counts as of its last day that changed: registered (as a share
    of the month's target group when it is known: O5 and O6's first criterion), offered and completed career
    guidance (O6)."""
    await uow.session.flush()
    for month in sorted(months):
        _, end = period_range(month)
        target = await uow.session.get(Malgruppe, month)
        for objekt, navn, tekst, column, of_target in O5_O6:
            field = getattr(Kompetanseregistrering, column)
            count = (await uow.session.execute(select(func.count()).where(field.is_not(None), field <= end))).scalar()
            await _publish_if_changed(uow, f"{objekt}:{month}:{navn}", ev.NokkeltallV1(
                ar=int(month[:4]), objekt=objekt, periode=month, navn=navn, tekst=tekst, antall=count,
                nevner=target.antall if of_target and target is not None else None))
