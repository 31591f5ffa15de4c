"""The consumer side: bosetting's settlements and municipal decisions become entitlements and a forecast.

``person-bosatt`` creates the person's entitlements (``rules.entitlements``); a later event for the person (a
corrected settlement) replaces them, an older one changes nothing, and the idempotent consumer
(``shared.consumer``) never applies one event twice. ``kommunevedtak-fattet`` and the settlement queue
(``sak-registrert``, ``sak-endret``, ``sak-avsluttet``, ``person-bosatt``) feed the forecast of settlements still
to come. Each batch republishes the figures of posts 60 and 61 from the earliest month it touched, in the same
transaction (the outbox rows are written with the batch).

**The audit log.** A settled person's entitlements are about that person, though keyed by the pseudonymous
``person_ref`` only: each read (:func:`read`), each change by IMDi (:func:`set_special`, ``endre``, or
``sammenlign`` when the flag was already so) and each (re)computation from a settlement event (``opprett`` or
``endre`` by :data:`SETTLEMENT`, the service itself) is an entry in ``revisjonslogg`` (:mod:`shared.audit`) in the
same transaction, with ``objekt`` ``rettigheter`` and the ``person_ref`` as its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared import audit, errors
from shared.consumer import Received
from shared.db import UnitOfWork
from shared.events import schemas as ev
from shared.events import tilskudd as tev
from shared.events.registry import topic_for
from tilskudd import figures, frame, rules
from tilskudd.models import bosatt, ko, kommunevedtak, ramme, rettighet, revisjonslogg
from tilskudd.service import Writer, ensure_frame, lock_post

POSTS = [f"{rules.KAPITTEL}.{rules.POST_IT}", f"{rules.KAPITTEL}.{rules.POST_EM}"]
OBJEKT = "rettigheter"
SETTLEMENT = audit.Actor(hvem="tilskudd", rolle="system", rute=f"hendelse {ev.PERSON_BOSATT_V1.type}",
                         formal="bosetting")
"""Who computes a person's entitlements from a settlement event: the service itself."""


def _newer(item: Received, row) -> bool:
    return row is None or (item.envelope.time, item.envelope.id) > (row["event_time"], row["event_id"])


class _Outbox(UnitOfWork):
    """The outbox half of a unit of work, on the consumer's own session and transaction."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(None, "tilskudd")  # type: ignore[arg-type]
        self.session = session

    async def write(self) -> None:
        await self._write_outbox()


class EntitlementProjection:
    topics = (topic_for("bosetting"),)
    handles = frozenset({ev.PERSON_BOSATT_V1.type, ev.KOMMUNEVEDTAK_FATTET_V1.type, ev.SAK_REGISTRERT_V1.type,
                         ev.SAK_ENDRET_V1.type, ev.SAK_AVSLUTTET_V1.type})

    async def apply(self, session: AsyncSession, events: Sequence[Received]) -> None:
        outbox = _Outbox(session)
        touched: dict[int, date] = {}  # year → earliest date a figure changed from
        if not session.bind.dialect.name == "sqlite":
            for year in frame.budget_years():
                await ensure_frame(session, year)
                await session.execute(select(ramme.c.id).where(ramme.c.id.in_(
                    [f"{year}:{p}" for p in POSTS])).with_for_update())
        for item in events:
            kind = item.envelope.type
            if kind == ev.KOMMUNEVEDTAK_FATTET_V1.type:
                changed = await decided(session, item)
            else:
                changed = await queue(session, item)
                if kind == ev.PERSON_BOSATT_V1.type:
                    changed += await settle(session, outbox, item)
            for year, since in changed:
                touched[year] = min(since, touched.get(year, since))
        for year, since in touched.items():
            await figures.publish(session, outbox.publish, year, POSTS, since)
        await outbox.write()


async def decided(session: AsyncSession, item: Received) -> list[tuple[int, date]]:
    d = item.data
    row = (await session.execute(select(kommunevedtak).where(
        kommunevedtak.c.ar == d.ar, kommunevedtak.c.kommunenummer == d.kommunenummer))).mappings().first()
    if not _newer(item, row):
        return []
    values = {"antall": d.antall, "herav_em": d.herav_em, "vedtaksdato": d.vedtaksdato,
              "event_id": item.envelope.id, "event_time": item.envelope.time}
    if row is None:
        await session.execute(insert(kommunevedtak).values(ar=d.ar, kommunenummer=d.kommunenummer, **values))
    else:
        await session.execute(update(kommunevedtak).where(
            kommunevedtak.c.ar == d.ar, kommunevedtak.c.kommunenummer == d.kommunenummer).values(**values))
    return [(d.ar, date(d.ar, 1, 1))]


async def queue(session: AsyncSession, item: Received) -> list[tuple[int, date]]:
    """The settlement queue: a case joins it with its decision and leaves it when settled or closed."""
    d = item.data
    closed = getattr(d, "bosettingsdato", None) or getattr(d, "avsluttet_dato", None)
    row = (await session.execute(select(ko).where(ko.c.person_ref == d.person_ref))).mappings().first()
    values = {"enslig_mindrearig": d.enslig_mindrearig, "vedtaksdato": d.vedtaksdato,
              "lukket": closed if closed is not None else (row["lukket"] if row else None)}
    if row is None:
        await session.execute(insert(ko).values(person_ref=d.person_ref, **values))
    elif dict(row) != {"person_ref": d.person_ref, **values}:
        await session.execute(update(ko).where(ko.c.person_ref == d.person_ref).values(**values))
    else:
        return []
    dates = [x for x in (d.vedtaksdato, closed, row and row["vedtaksdato"], row and row["lukket"]) if x]
    return _changed_from([(x.year, x) for x in dates])


async def settle(session: AsyncSession, outbox: _Outbox, item: Received) -> list[tuple[int, date]]:
    d = item.data
    row = (await session.execute(select(bosatt).where(bosatt.c.person_ref == d.person_ref))).mappings().first()
    if not _newer(item, row):
        return []
    special = bool(row["saerskilt_kriterium"]) if row else False
    values = {"kommunenummer": d.kommunenummer, "bosettingsdato": d.bosettingsdato, "fodselsar": d.fodselsar,
              "tilskuddsgruppe": d.tilskuddsgruppe, "enslig_mindrearig": d.enslig_mindrearig,
              "kategori": d.kategori, "saerskilt_kriterium": special, "event_id": item.envelope.id,
              "event_time": item.envelope.time}
    if row is None:
        await session.execute(insert(bosatt).values(person_ref=d.person_ref, **values))
    else:
        await session.execute(update(bosatt).where(bosatt.c.person_ref == d.person_ref).values(**values))
    await audit.record(session, revisjonslogg, SETTLEMENT, "opprett" if row is None else "endre",
                       [(d.person_ref, d.person_ref)], objekt=OBJEKT)
    old = await _replace(session, d.person_ref)
    new = rules.entitlements(bosettingsdato=d.bosettingsdato, tilskuddsgruppe=d.tilskuddsgruppe,
                             enslig_mindrearig=d.enslig_mindrearig, fodselsar=d.fodselsar, rates_for=frame.rates)
    await write_entitlements(session, outbox, person_ref=d.person_ref, kommunenummer=d.kommunenummer,
                             bosettingsdato=d.bosettingsdato, special=special, entitlements=new)
    return _changed_from(old, [(e.ar, min(d.bosettingsdato, e.utbetalingsdato)) for e in new])


async def _replace(session: AsyncSession, person_ref: str) -> list[tuple[int, date]]:
    """Remove the person's entitlements; return (year, earliest date) each of them counted from."""
    old = (await session.execute(select(rettighet.c.ar, rettighet.c.kjent_fra, rettighet.c.utbetalingsdato).where(
        rettighet.c.person_ref == person_ref))).all()
    await session.execute(delete(rettighet).where(rettighet.c.person_ref == person_ref))
    return [(r.ar, min(r.kjent_fra, r.utbetalingsdato)) for r in old]


def _changed_from(*groups: list[tuple[int, date]]) -> list[tuple[int, date]]:
    out: dict[int, date] = {}
    for group in groups:
        for year, since in group:
            out[year] = min(since, out.get(year, since))
    return [(y, max(s, date(y, 1, 1)) if s.year == y else date(y, 1, 1)) for y, s in out.items()]


async def write_entitlements(session: AsyncSession, outbox: UnitOfWork, *, person_ref: str, kommunenummer: str,
                             bosettingsdato: date, special: bool, entitlements: list[rules.Entitlement]) -> None:
    if entitlements:
        await session.execute(insert(rettighet), [
            {"person_ref": person_ref, "post": e.post, "ar": e.ar, "kapittel": rules.KAPITTEL, "arstrinn": e.arstrinn,
             "belop_ore": e.belop_ore, "sats_ar": e.sats_ar, "kommunenummer": kommunenummer,
             "utbetalingsdato": e.utbetalingsdato, "kjent_fra": bosettingsdato, "saerskilt_kriterium": special}
            for e in entitlements])
    outbox.publish(tev.RettighetEndretV1(
        person_ref=person_ref, kommunenummer=kommunenummer, bosettingsdato=bosettingsdato,
        saerskilt_kriterium=special,
        rettigheter=[tev.Rettighet(ar=e.ar, kapittel=rules.KAPITTEL, post=e.post, arstrinn=e.arstrinn,
                                   belop_ore=e.belop_ore, sats_ar=e.sats_ar) for e in entitlements]))


async def set_special(*, uow: UnitOfWork, person_ref: str, special: bool, actor: audit.Actor) -> dict:
    """IMDi marks a settled person's integreringstilskudd as paid under the special criterion of section 4.1
    (settled from reception without an asylum-based permit, resettlement or collective protection)."""
    async with Writer(uow):
        session = uow.session
        for year in frame.budget_years():  # the figures of post 60 are recomputed: one writer at a time
            await lock_post(session, year, rules.KAPITTEL, rules.POST_IT)
        row = (await session.execute(select(bosatt).where(bosatt.c.person_ref == person_ref))).mappings().first()
        if row is None:
            raise errors.NotFound("Ingen bosetting er registrert for personen.")
        if row["saerskilt_kriterium"] != special:
            await session.execute(update(bosatt).where(bosatt.c.person_ref == person_ref).values(
                saerskilt_kriterium=special))
            await session.execute(update(rettighet).where(rettighet.c.person_ref == person_ref).values(
                saerskilt_kriterium=special))
            current = await entitlements_of(session, person_ref)
            uow.publish(tev.RettighetEndretV1(
                person_ref=person_ref, kommunenummer=row["kommunenummer"], bosettingsdato=row["bosettingsdato"],
                saerskilt_kriterium=special, rettigheter=[_event_item(e) for e in current]))
            for year in sorted({e["ar"] for e in current}):
                since = min(e["utbetalingsdato"] for e in current if e["ar"] == year)
                await figures.publish(session, uow.publish, year, [POSTS[0]], since)
        changed = row["saerskilt_kriterium"] != special
        await audit.record(session, revisjonslogg, actor, "endre" if changed else "sammenlign",
                           [(person_ref, person_ref)], objekt=OBJEKT)
    return {**dict(row), "saerskilt_kriterium": special}


async def read(*, session: AsyncSession, person_ref: str, actor: audit.Actor) -> list[dict]:
    """A person's entitlements, with the read in the audit log (committed before they are answered)."""
    rows = await entitlements_of(session, person_ref)
    if not rows:
        raise errors.NotFound("Ingen rettigheter er registrert for personen.")
    await audit.record(session, revisjonslogg, actor, "les", [(person_ref, person_ref)], objekt=OBJEKT)
    await session.commit()
    return rows


async def entitlements_of(session: AsyncSession, person_ref: str) -> list[dict]:
    rows = await session.execute(select(rettighet).where(rettighet.c.person_ref == person_ref)
                                 .order_by(rettighet.c.post, rettighet.c.ar))
    return [dict(r) for r in rows.mappings()]


def _event_item(e: dict) -> tev.Rettighet:
    return tev.Rettighet(ar=e["ar"], kapittel=e["kapittel"], post=e["post"], arstrinn=e["arstrinn"],
                         belop_ore=e["belop_ore"], sats_ar=e["sats_ar"])
