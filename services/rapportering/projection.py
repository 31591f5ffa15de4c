"""Applies events to the read model, a fetched batch at a time.

Handlers are wired in one dict. A batch loads the facts it touches in one query, applies every event in
delivery order in memory, and writes the changed facts and the summed cell deltas once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapportering.measures import Settlement, settlement_contributions
from rapportering.models import measure_cell, settlement
from shared.consumer import Received, Rejected
from shared.events.registry import topic_for
from shared.events.schemas import PERSON_BOSATT_V1, PersonBosattV1
from shared.geo import kommuner_2017
from shared.upsert import one_of, upsert


@dataclass
class BatchState:
    settlements: dict[str, tuple[Settlement, datetime, str]]
    changed: set[str] = field(default_factory=set)
    cells: dict[tuple[str, str, str, str], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, contributions, sign: int) -> None:
        for measure, period, dimension, value, num, den in contributions:
            cell = self.cells[(measure, period, dimension, value)]
            cell[0] += sign * num
            cell[1] += sign * den


def on_person_bosatt(state: BatchState, item: Received) -> None:
    data: PersonBosattV1 = item.data  # type: ignore[assignment]
    kommune = kommuner_2017().get(data.kommunenummer)
    if kommune is None:
        raise Rejected(f"kommunenummer {data.kommunenummer} is not in the 2017 division")
    if data.bosettingsdato < data.vedtaksdato:
        raise Rejected("settlement date before decision date")
    previous = state.settlements.get(data.person_ref)
    if previous is not None:
        old_fact, old_time, old_id = previous
        if (old_time, old_id) >= (item.envelope.time, item.envelope.id):
            return  # an older version of this person's settlement: the newer one stands
        state.add(settlement_contributions(old_fact), -1)
    fact = Settlement(person_ref=data.person_ref, vedtaksdato=data.vedtaksdato,
                      bosettingsdato=data.bosettingsdato, kommunenummer=data.kommunenummer,
                      fylkesnummer=kommune.fylkesnummer, kjonn=data.kjonn,
                      enslig_mindrearig=data.enslig_mindrearig, fodselsar=data.fodselsar)
    state.add(settlement_contributions(fact), +1)
    state.settlements[data.person_ref] = (fact, item.envelope.time, item.envelope.id)
    state.changed.add(data.person_ref)


HANDLERS: dict[str, Callable[[BatchState, Received], None]] = {
    PERSON_BOSATT_V1.type: on_person_bosatt,
}


class MeasureProjection:
    topics = (topic_for("bosetting"),)
    handles = frozenset(HANDLERS)

    async def apply(self, session: AsyncSession, events: Sequence[Received]) -> None:
        refs = list({e.data.person_ref for e in events if e.envelope.type == PERSON_BOSATT_V1.type})
        state = BatchState(settlements={})
        for i in range(0, len(refs), 500):
            chunk = refs[i:i + 500]
            rows = await session.execute(select(settlement).where(one_of(session, settlement.c.person_ref, chunk)))
            for row in rows.mappings():
                fact = Settlement(**{k: row[k] for k in Settlement.__dataclass_fields__})
                state.settlements[row["person_ref"]] = (fact, row["event_time"], row["event_id"])
        for item in events:
            HANDLERS[item.envelope.type](state, item)
        await self._write(session, state)

    async def _write(self, session: AsyncSession, state: BatchState) -> None:
        facts = []
        for ref in state.changed:
            fact, event_time, event_id = state.settlements[ref]
            facts.append({**vars(fact), "event_id": event_id, "event_time": event_time})
        await upsert(session, settlement, facts, key=("person_ref",),
                     update=lambda t, ex: {c.name: getattr(ex, c.name) for c in t.columns if c.name != "person_ref"})
        deltas = [
            {"measure": m, "period": p, "dimension": d, "value": v, "numerator": num, "denominator": den}
            for (m, p, d, v), (num, den) in state.cells.items() if num or den
        ]
        await upsert(session, measure_cell, deltas, key=("measure", "period", "dimension", "value"),
                     update=lambda t, ex: {"numerator": t.c.numerator + ex.numerator,
                                           "denominator": t.c.denominator + ex.denominator})

