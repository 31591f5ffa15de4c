"""What bosetting itself can tell about the settlement work: SP1–SP3 (counted with the same definition as
rapportering), waiting times, the queue of persons ready but not settled, where time goes (O1's
bottleneck analysis), and requested against decided places."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bosetting import rules
from bosetting.models import Anmodning, Kommunevedtak, Sak
from bosetting.schemas import Avvik, AvvikRapport
from shared.dates import add_months, period_range
from shared.geo import fylke_for, fylker_2017, kommuner_2017
from shared.measure_schemas import MaalVerdi, from_cells
from shared.settlement_measures import BY_ID, SettledPerson, contributions

GROUPS: dict[str, Callable[[Sak], str]] = {
    "alle": lambda s: "alle",
    "kjonn": lambda s: s.kjonn,
    "kategori": lambda s: s.kategori,
    "em_aldersgruppe": lambda s: rules.em_aldersgruppe(s) or "ikke_em",
    "nedsatt_funksjonsevne": lambda s: "ja" if s.nedsatt_funksjonsevne else "nei",
    "fylke": lambda s: fylke_for(s.kommunenummer or s.utvalgt_kommune) if (s.kommunenummer or s.utvalgt_kommune)
    else "ukjent",
}


STREAM_ROWS = 500
"""Cases loaded at a time when a measure streams the period's settled cases: its memory then stays flat
however many cases there are (loading them all grew bosetting's RSS with its data in the soak)."""


def _settled_query(period: str):
    start, end = period_range(period)
    return select(Sak).where(Sak.status.in_(("bosatt", "avsluttet")), Sak.bosettingsdato >= start,
                             Sak.bosettingsdato <= end)


async def settled_in(session: AsyncSession, period: str) -> list[Sak]:
    return list((await session.execute(_settled_query(period))).scalars())


async def stream_settled(session: AsyncSession, period: str) -> AsyncIterator[Sak]:
    """The period's settled cases, :data:`STREAM_ROWS` at a time (a server-side cursor on PostgreSQL)."""
    result = await session.stream_scalars(_settled_query(period).execution_options(yield_per=STREAM_ROWS))
    async for sak in result:
        yield sak


def settled_person(sak: Sak) -> SettledPerson:
    return SettledPerson(vedtaksdato=sak.vedtaksdato, bosettingsdato=sak.bosettingsdato,
                         kommunenummer=sak.kommunenummer, fylkesnummer=fylke_for(sak.kommunenummer), kjonn=sak.kjonn,
                         kategori=sak.kategori, enslig_mindrearig=sak.enslig_mindrearig,
                         em_aldersgruppe=rules.em_aldersgruppe(sak))


async def measure(*, session: AsyncSession, measure_id: str, period: str) -> MaalVerdi:
    """SP1–SP3 for a period, by the shared definition (the same rapportering counts with)."""
    if measure_id not in BY_ID:
        raise KeyError(measure_id)
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    async for sak in stream_settled(session, period):
        for m, p, dimension, value, num, den in contributions(settled_person(sak)):
            if m == measure_id and p == period:
                cells[(dimension, value)][0] += num
                cells[(dimension, value)][1] += den
    return from_cells(measure_id, period, {k: (v[0], v[1]) for k, v in cells.items()})


class Fordeling(BaseModel):
    """A distribution of durations in days."""

    antall: int
    median: float | None
    p90: float | None
    gjennomsnitt: float | None
    maks: int | None


def distribution(days: Iterable[int]) -> Fordeling:
    values = sorted(days)
    if not values:
        return Fordeling(antall=0, median=None, p90=None, gjennomsnitt=None, maks=None)
    p90 = values[0] if len(values) == 1 else statistics.quantiles(values, n=10, method="inclusive")[8]
    return Fordeling(antall=len(values), median=float(statistics.median(values)), p90=round(float(p90), 1),
                     gjennomsnitt=round(statistics.fmean(values), 1), maks=values[-1])


class Ventetid(BaseModel):
    periode: str
    gruppe: str
    fordeling: dict[str, Fordeling] = Field(description="Days from decision to settlement, per group value.")


async def waiting(*, session: AsyncSession, period: str, group: str) -> Ventetid:
    by_value: dict[str, list[int]] = defaultdict(list)
    async for sak in stream_settled(session, period):
        by_value[GROUPS[group](sak)].append((sak.bosettingsdato - sak.vedtaksdato).days)
    return Ventetid(periode=period, gruppe=group, fordeling={k: distribution(v) for k, v in sorted(by_value.items())})


class KoElement(BaseModel):
    sak_id: str
    status: str
    klar_dato: date | None
    dager_siden_vedtak: int
    dager_siden_klar: int | None


class Ko(BaseModel):
    """Persons with a decision who are not settled and whose case is open, as of a date."""

    per_dato: date
    gruppe: str
    antall: int
    etter_status: dict[str, int]
    ventet_siden_vedtak: dict[str, Fordeling]
    intervaller: dict[str, int] = Field(description="Counts by time since decision: 0–3, 3–6, 6–12, >12 months.")
    lengst_ventende: list[KoElement]


async def queue(*, session: AsyncSession, as_of: date, group: str, kommunenummer: str | None = None) -> Ko:
    query = select(Sak).where(Sak.status.in_(("vedtak", "klar", "utvalgt", "akseptert")), Sak.vedtaksdato <= as_of)
    if kommunenummer:
        query = query.where(Sak.utvalgt_kommune == kommunenummer)
    cases = list((await session.execute(query)).scalars())
    by_status: dict[str, int] = defaultdict(int)
    by_value: dict[str, list[int]] = defaultdict(list)
    buckets = {"0-3 mnd": 0, "3-6 mnd": 0, "6-12 mnd": 0, "over 12 mnd": 0}
    for sak in cases:
        by_status[sak.status] += 1
        days = (as_of - sak.vedtaksdato).days
        by_value[GROUPS[group](sak)].append(days)
        if as_of <= add_months(sak.vedtaksdato, 3):
            buckets["0-3 mnd"] += 1
        elif as_of <= add_months(sak.vedtaksdato, 6):
            buckets["3-6 mnd"] += 1
        elif as_of <= add_months(sak.vedtaksdato, 12):
            buckets["6-12 mnd"] += 1
        else:
            buckets["over 12 mnd"] += 1
    oldest = sorted(cases, key=lambda s: (s.vedtaksdato, s.id))[:20]
    return Ko(per_dato=as_of, gruppe=group, antall=len(cases), etter_status=dict(sorted(by_status.items())),
              ventet_siden_vedtak={k: distribution(v) for k, v in sorted(by_value.items())}, intervaller=buckets,
              lengst_ventende=[KoElement(sak_id=s.id, status=s.status, klar_dato=s.klar_dato,
                                         dager_siden_vedtak=(as_of - s.vedtaksdato).days,
                                         dager_siden_klar=(as_of - s.klar_dato).days if s.klar_dato else None)
                               for s in oldest])


STAGES = (("vedtak_til_klar", "vedtaksdato", "klar_dato"), ("klar_til_utvalgt", "klar_dato", "utvalgt_dato"),
          ("utvalgt_til_akseptert", "utvalgt_dato", "akseptert_dato"),
          ("akseptert_til_bosatt", "akseptert_dato", "bosettingsdato"), ("totalt", "vedtaksdato", "bosettingsdato"))


class Stadietid(BaseModel):
    gruppeverdi: str
    antall_bosatt: int
    stadier: dict[str, Fordeling]
    flaskehals: str | None = Field(description="The stage with the longest median time.")


class Flaskehalser(BaseModel):
    """Time spent in each stage by the persons settled in the period (assignment O1, milestone 1)."""

    periode: str
    gruppe: str
    grupper: list[Stadietid]


async def bottlenecks(*, session: AsyncSession, period: str, group: str) -> Flaskehalser:
    by_value: dict[str, list[Sak]] = defaultdict(list)
    for sak in await settled_in(session, period):
        by_value[GROUPS[group](sak)].append(sak)
    out = []
    for value, cases in sorted(by_value.items()):
        stages = {}
        for name, start, end in STAGES:
            stages[name] = distribution((getattr(s, end) - getattr(s, start)).days for s in cases
                                        if getattr(s, start) is not None and getattr(s, end) is not None)
        medians = {k: v.median for k, v in stages.items() if k != "totalt" and v.median is not None}
        out.append(Stadietid(gruppeverdi=value, antall_bosatt=len(cases), stadier=stages,
                             flaskehals=max(medians, key=medians.get) if medians else None))
    return Flaskehalser(periode=period, gruppe=group, grupper=out)


async def gap(*, session: AsyncSession, ar: int, level: str, kommunenummer: str | None = None) -> AvvikRapport:
    requests = {r.kommunenummer: r for r in (await session.execute(
        select(Anmodning).where(Anmodning.ar == ar))).scalars()}
    decisions = {r.kommunenummer: r for r in (await session.execute(
        select(Kommunevedtak).where(Kommunevedtak.ar == ar))).scalars()}
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for k in set(requests) | set(decisions):
        if kommunenummer and k != kommunenummer:
            continue
        key = {"kommune": k, "fylke": fylke_for(k), "land": "alle"}[level]
        a, v = requests.get(k), decisions.get(k)
        t = totals[key]
        t[0] += a.antall if a else 0
        t[1] += a.herav_em if a else 0
        t[2] += v.antall if v else 0
        t[3] += v.herav_em if v else 0
        t[4] += 1 if a and not v else 0
    names = {"kommune": lambda k: kommuner_2017()[k].visningsnavn, "fylke": lambda f: fylker_2017()[f],
             "land": lambda _: "Hele landet"}[level]
    rows = [Avvik(omrade=key, navn=names(key), anmodet=t[0], anmodet_em=t[1], vedtatt=t[2], vedtatt_em=t[3],
                  differanse=t[2] - t[0], differanse_em=t[3] - t[1], mangler_vedtak=t[4] > 0)
            for key, t in sorted(totals.items())]
    return AvvikRapport(ar=ar, niva=level, rader=rows)
