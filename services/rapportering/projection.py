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
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from rapportering import budget, engine
from rapportering.models import (
    assessment,
    key_figure,
    measure_cell,
    milestone_update,
    places,
    read_model_version,
    report_text,
)
from shared.consumer import Received, Rejected
from shared.events import schemas as ev
from shared.events.registry import topic_for
from shared.geo import Kommune, kommuner_2017
from shared.upsert import one_of, upsert


@dataclass
class BatchState:
    # fact type name → subject → (fact, event time, event id)
    facts: dict[str, dict[str, tuple[Any, datetime, str]]] = field(default_factory=lambda: defaultdict(dict))
    changed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    cells: dict[tuple[str, str, str, str], list[int]] = field(default_factory=dict)
    places: dict[tuple[int, str], dict] = field(default_factory=dict)
    appended: dict[object, list[dict]] = field(default_factory=lambda: defaultdict(list))

    def add(self, counted: list[tuple[tuple, int]], sign: int) -> None:
        """Sum a fact's cells (``FactType.counted``) in or out: each cell gets the hit in its numerator and 1 in
        its denominator, times ``sign``."""
        totals = self.cells
        for keys, hit in counted:
            num = sign * hit
            for key in keys:
                cell = totals.get(key)
                if cell is None:
                    totals[key] = [num, sign]
                else:
                    cell[0] += num
                    cell[1] += sign


def _newer(item: Received, stored_time: datetime | None, stored_id: str | None) -> bool:
    return stored_time is None or (item.envelope.time, item.envelope.id) > (stored_time, stored_id or "")


def _kommune(nummer: str) -> Kommune:
    """The 2017 kommune, or a rejection whose reason does not echo the number (dead-letter reasons never echo
    event content)."""
    kommune = kommuner_2017().get(nummer)
    if kommune is None:
        raise Rejected("kommunenummer is not in the 2017 division")
    return kommune


def _apply_fact(fact_type: engine.FactType, state: BatchState, item: Received) -> None:
    """The engine's one handler: the newest event's fact replaces the subject's fact, and the cells follow
    (the old fact's contributions out, the new one's in)."""
    subject, fact = fact_type.build(item)
    known = state.facts[fact_type.name]
    previous = known.get(subject)
    if previous is not None:
        old_fact, old_time, old_id = previous
        if not _newer(item, old_time, old_id):
            return  # an older version of this subject's fact: the newer one stands
        state.add(fact_type.counted(old_fact), -1)
        if fact_type.merge is not None:
            fact = fact_type.merge(old_fact, fact)
    state.add(fact_type.counted(fact), +1)
    known[subject] = (fact, item.envelope.time, item.envelope.id)
    state.changed[fact_type.name].add(subject)


def _on_facts(state: BatchState, item: Received) -> None:
    """Every fact type that reads the event (looked up when applied, so a definition is all a measure needs)."""
    for fact_type in engine.FACT_TYPES:
        if item.envelope.type in fact_type.reads:
            _apply_fact(fact_type, state, item)


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
        if table is milestone_update or table is key_figure:
            row["source"] = item.envelope.source
        state.appended[table].append(row)

    return handle


HANDLERS: dict[str, Callable[[BatchState, Received], None]] = {
    **{t: _on_facts for f in engine.FACT_TYPES for t in f.reads},
    ev.ANMODNING_SENDT_V1.type: _on_places("anmodning"),
    ev.KOMMUNEVEDTAK_FATTET_V1.type: _on_places("vedtak"),
    **{spec.type: _append(milestone_update) for spec in ev.MILEPAEL_OPPDATERT_V1.values()},
    **{spec.type: _append(key_figure) for spec in ev.NOKKELTALL_V1.values()},
    ev.RISIKOVURDERING_V1.type: _append(assessment),
    ev.RAPPORTTEKST_V1.type: _append(report_text),
    **budget.HANDLERS,
}


class MeasureProjection:
    """rapportering's read model. ``only`` restricts it to a set of event ids: a rebuild to the data position a
    published report recorded."""

    topics = tuple(topic_for(s) for s in ("bosetting", "kvalifisering", "tolkeregister", "tilskudd", "rapportering"))

    def __init__(self, only: frozenset[str] | None = None) -> None:
        self.only = only
        # the wired handlers, and every event a fact type reads (so a definition is all a measure needs)
        self.handles = frozenset(HANDLERS) | {t for f in engine.FACT_TYPES for t in f.reads}

    async def apply(self, session: AsyncSession, events: Sequence[Received]) -> None:
        if self.only is not None:
            events = [e for e in events if e.envelope.id in self.only]
        state = BatchState()
        await self._load(session, events, state)
        for item in events:
            HANDLERS.get(item.envelope.type, _on_facts)(state, item)
        await self._write(session, state)

    async def _load(self, session: AsyncSession, events: Sequence[Received], state: BatchState) -> None:
        for fact_type in engine.FACT_TYPES:
            await self._load_facts(session, fact_type, events, state)
        place_types = (ev.ANMODNING_SENDT_V1.type, ev.KOMMUNEVEDTAK_FATTET_V1.type)
        keys = list({(e.data.ar, e.data.kommunenummer) for e in events if e.envelope.type in place_types})
        if keys:
            rows = await session.execute(select(places).where(tuple_(places.c.ar, places.c.kommunenummer).in_(keys)))
            for row in rows.mappings():
                state.places[(row["ar"], row["kommunenummer"])] = dict(row)

    @staticmethod
    async def _load_facts(session: AsyncSession, fact_type: engine.FactType, events: Sequence[Received],
                          state: BatchState) -> None:
        subjects = list({fact_type.subject(e) for e in events if e.envelope.type in fact_type.reads})
        table, key = fact_type.stored_in, fact_type.key
        for i in range(0, len(subjects), 500):
            chunk = subjects[i:i + 500]
            rows = await session.execute(select(table).where(*fact_type.where(),
                                                             one_of(session, fact_type.key_column, chunk)))
            for row in rows.mappings():
                state.facts[fact_type.name][row[key]] = (fact_type.from_row(row), row["event_time"], row["event_id"])

    async def _write(self, session: AsyncSession, state: BatchState) -> None:
        for fact_type in engine.FACT_TYPES:
            known = state.facts[fact_type.name]
            rows = []
            for subject in state.changed[fact_type.name]:
                fact, event_time, event_id = known[subject]
                rows.append({**fact_type.to_row(subject, fact), "event_id": event_id, "event_time": event_time})
            keys = ("fact_type", "subject") if fact_type.table is None else (fact_type.key,)
            await upsert(session, fact_type.stored_in, rows, key=keys,
                         update=lambda t, ex, keys=keys: {c.name: getattr(ex, c.name) for c in t.columns
                                                          if c.name not in keys})
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
        # last: the answers cached by the version see this batch once it commits (and only then)
        await session.execute(read_model_version.update().values(version=read_model_version.c.version + 1))
