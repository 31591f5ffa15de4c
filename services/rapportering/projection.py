"""Applies events to the read model, a fetched batch at a time.

Handlers are wired in one dict. A batch loads the facts it touches in one query, applies every event in
delivery order in memory, and writes the changed facts and the summed cell deltas once. A fact carries the
time of the event that made it, so an older version of the same aggregate never replaces a newer one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from rapportering.models import assessment, measure_cell, milestone_update, places, report_text, settlement
from shared.consumer import Received, Rejected
from shared.events import schemas as ev
from shared.events.registry import topic_for
from shared.geo import Kommune, kommuner_2017
from shared.settlement_measures import SettledPerson, contributions
from shared.upsert import one_of, upsert


@dataclass
class BatchState:
    settlements: dict[str, tuple[SettledPerson, datetime, str]] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    cells: dict[tuple[str, str, str, str], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    places: dict[tuple[int, str], dict] = field(default_factory=dict)
    appended: dict[object, list[dict]] = field(default_factory=lambda: defaultdict(list))

    def add(self, cells, sign: int) -> None:
        totals = self.cells
        for measure, period, dimension, value, num, den in cells:
            cell = totals[(measure, period, dimension, value)]
            cell[0] += sign * num
            cell[1] += sign * den


def _newer(item: Received, stored_time: datetime | None, stored_id: str | None) -> bool:
    return stored_time is None or (item.envelope.time, item.envelope.id) > (stored_time, stored_id or "")


def _kommune(nummer: str) -> Kommune:
    """The 2017 kommune, or a rejection whose reason does not echo the number (dead-letter reasons never echo
    event content)."""
    kommune = kommuner_2017().get(nummer)
    if kommune is None:
        raise Rejected("kommunenummer is not in the 2017 division")
    return kommune


def on_person_bosatt(state: BatchState, item: Received) -> None:
    data: ev.PersonBosattV1 = item.data  # type: ignore[assignment]
    kommune = _kommune(data.kommunenummer)
    if data.bosettingsdato < data.vedtaksdato:
        raise Rejected("settlement date before decision date")
    previous = state.settlements.get(data.person_ref)
    if previous is not None:
        old_fact, old_time, old_id = previous
        if not _newer(item, old_time, old_id):
            return  # an older version of this person's settlement: the newer one stands
        state.add(contributions(old_fact), -1)
    fact = SettledPerson(vedtaksdato=data.vedtaksdato, bosettingsdato=data.bosettingsdato,
                         kommunenummer=data.kommunenummer, fylkesnummer=kommune.fylkesnummer, kjonn=data.kjonn,
                         kategori=data.kategori, enslig_mindrearig=data.enslig_mindrearig,
                         em_aldersgruppe=data.em_aldersgruppe)
    state.add(contributions(fact), +1)
    state.settlements[data.person_ref] = (fact, item.envelope.time, item.envelope.id)
    state.changed.add(data.person_ref)


def _on_places(kind: str) -> Callable[[BatchState, Received], None]:
    def handle(state: BatchState, item: Received) -> None:
        data = item.data
        _kommune(data.kommunenummer)
        if data.herav_em > data.antall:
            raise Rejected("more EM places than places")
        row = state.places.setdefault((data.ar, data.kommunenummer), {"ar": data.ar,
                                                                      "kommunenummer": data.kommunenummer})
        if not _newer(item, row.get(f"{kind}_event_time"), row.get(f"{kind}_event_id")):
            return
        prefix = "anmodet" if kind == "anmodning" else "vedtatt"
        row.update({prefix: data.antall, f"{prefix}_em": data.herav_em, f"{kind}_event_time": item.envelope.time,
                    f"{kind}_event_id": item.envelope.id})
        row["changed"] = True

    return handle


def _append(table, **extra) -> Callable[[BatchState, Received], None]:
    """History rows keyed by event id: the current value is read as the latest (event time, id)."""

    def handle(state: BatchState, item: Received) -> None:
        row = {**item.data.model_dump(), **extra, "event_id": item.envelope.id, "event_time": item.envelope.time}
        if table is milestone_update:
            row["source"] = item.envelope.source
        state.appended[table].append(row)

    return handle


HANDLERS: dict[str, Callable[[BatchState, Received], None]] = {
    ev.PERSON_BOSATT_V1.type: on_person_bosatt,
    ev.ANMODNING_SENDT_V1.type: _on_places("anmodning"),
    ev.KOMMUNEVEDTAK_FATTET_V1.type: _on_places("vedtak"),
    **{spec.type: _append(milestone_update) for spec in ev.MILEPAEL_OPPDATERT_V1.values()},
    ev.RISIKOVURDERING_V1.type: _append(assessment),
    ev.RAPPORTTEKST_V1.type: _append(report_text),
}

FACT_FIELDS = tuple(SettledPerson.__dataclass_fields__)


class MeasureProjection:
    """rapportering's read model. ``only`` restricts it to a set of event ids: a rebuild to the data position a
    published report recorded."""

    topics = tuple(topic_for(s) for s in ("bosetting", "kvalifisering", "tolkeregister", "tilskudd", "rapportering"))
    handles = frozenset(HANDLERS)

    def __init__(self, only: frozenset[str] | None = None) -> None:
        self.only = only

    async def apply(self, session: AsyncSession, events: Sequence[Received]) -> None:
        if self.only is not None:
            events = [e for e in events if e.envelope.id in self.only]
        state = BatchState()
        await self._load(session, events, state)
        for item in events:
            HANDLERS[item.envelope.type](state, item)
        await self._write(session, state)

    async def _load(self, session: AsyncSession, events: Sequence[Received], state: BatchState) -> None:
        refs = list({e.data.person_ref for e in events if e.envelope.type == ev.PERSON_BOSATT_V1.type})
        for i in range(0, len(refs), 500):
            chunk = refs[i:i + 500]
            rows = await session.execute(select(settlement).where(one_of(session, settlement.c.person_ref, chunk)))
            for row in rows.mappings():
                fact = SettledPerson(**{k: row[k] for k in FACT_FIELDS})
                state.settlements[row["person_ref"]] = (fact, row["event_time"], row["event_id"])
        place_types = (ev.ANMODNING_SENDT_V1.type, ev.KOMMUNEVEDTAK_FATTET_V1.type)
        keys = list({(e.data.ar, e.data.kommunenummer) for e in events if e.envelope.type in place_types})
        if keys:
            rows = await session.execute(select(places).where(tuple_(places.c.ar, places.c.kommunenummer).in_(keys)))
            for row in rows.mappings():
                state.places[(row["ar"], row["kommunenummer"])] = dict(row)

    async def _write(self, session: AsyncSession, state: BatchState) -> None:
        facts = []
        for ref in state.changed:
            fact, event_time, event_id = state.settlements[ref]
            facts.append({"person_ref": ref, **vars(fact), "event_id": event_id, "event_time": event_time})
        await upsert(session, settlement, facts, key=("person_ref",),
                     update=lambda t, ex: {c.name: getattr(ex, c.name) for c in t.columns if c.name != "person_ref"})
        deltas = [
            {"measure": m, "period": p, "dimension": d, "value": v, "numerator": num, "denominator": den}
            for (m, p, d, v), (num, den) in state.cells.items() if num or den
        ]
        await upsert(session, measure_cell, deltas, key=("measure", "period", "dimension", "value"),
                     update=lambda t, ex: {"numerator": t.c.numerator + ex.numerator,
                                           "denominator": t.c.denominator + ex.denominator})
        changed_places = [{c.name: row.get(c.name) for c in places.columns}
                          for row in state.places.values() if row.pop("changed", False)]
        await upsert(session, places, changed_places, key=("ar", "kommunenummer"),
                     update=lambda t, ex: {c.name: getattr(ex, c.name) for c in t.columns
                                           if c.name not in ("ar", "kommunenummer")})
        for table, rows in state.appended.items():
            await session.execute(table.insert(), rows)
