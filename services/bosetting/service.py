"""Settlement cases, requests and municipal decisions: plain functions with keyword-only arguments."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bosetting import rules
from bosetting.models import Anmodning, Kommunevedtak, Sak, revisjonslogg
from bosetting.schemas import AnmodningInn, KommunevedtakInn, SakCreate, SakPatch, StadiumEndring
from shared import audit, errors
from shared.auth import Principal
from shared.db import Conflict, UnitOfWork
from shared.events import schemas as ev
from shared.problems import validation_errors
from shared.pseudonym import person_ref

PERSON_FIELDS = ("navn", "fodselsnummer", "kjonn", "fodselsdato", "fodselsar", "kategori", "enslig_mindrearig",
                 "nedsatt_funksjonsevne", "familie_id")
STAGE_FIELDS = ("klar_dato", "utvalgt_dato", "utvalgt_kommune", "akseptert_dato", "bosettingsdato",
                "kommunenummer", "avsluttet_dato", "avslutningsarsak")
COLUMNS = [c.key for c in Sak.__table__.columns]


def invalid(message: str, field: str) -> errors.Invalid:
    return errors.Invalid.field(field, message)


# --- cases -------------------------------------------------------------------------------------------
async def log_access(session: AsyncSession, actor: audit.Actor, handling: audit.Handling, saker: list[Sak]) -> None:
    """An audit-log entry per case in ``session``'s transaction: case id and person_ref, never person data."""
    await audit.record(session, revisjonslogg, actor, handling, [(s.id, s.person_ref) for s in saker], objekt="sak")


def visible_to(principal: Principal):
    """A municipality sees the cases settled in it or proposed to it; IMDi sees all."""
    if principal.kommunenummer is None:
        return None
    return or_(Sak.kommunenummer == principal.kommunenummer, Sak.utvalgt_kommune == principal.kommunenummer)


async def get(*, session: AsyncSession, sak_id: str, principal: Principal) -> Sak:
    query = select(Sak).where(Sak.id == sak_id)
    if (condition := visible_to(principal)) is not None:
        query = query.where(condition)
    sak = (await session.execute(query)).scalar_one_or_none()
    if sak is None:
        raise errors.NotFound("Saken finnes ikke.")
    return sak


async def read(*, session: AsyncSession, sak_id: str, principal: Principal, actor: audit.Actor) -> Sak:
    """:func:`get`, with the read in the audit log (committed before the case is answered)."""
    sak = await get(session=session, sak_id=sak_id, principal=principal)
    await log_access(session, actor, "les", [sak])
    await session.commit()
    return sak


async def get_all(*, session: AsyncSession, principal: Principal, kommunenummer: str | None, status: str | None,
                  limit: int, after: str | None, actor: audit.Actor) -> list[Sak]:
    """A page of cases; each case answered is an audit-log entry."""
    query = select(Sak).order_by(Sak.id).limit(limit)
    if (condition := visible_to(principal)) is not None:
        query = query.where(condition)
    if kommunenummer is not None:
        query = query.where(or_(Sak.kommunenummer == kommunenummer, Sak.utvalgt_kommune == kommunenummer))
    if status is not None:
        query = query.where(Sak.status == status)
    if after:
        query = query.where(Sak.id > after)
    found = list((await session.execute(query)).scalars())
    await log_access(session, actor, "les", found)
    await session.commit()
    return found


def build(data: SakCreate, pseudonym_key: str, make: Callable[..., Any] = Sak) -> tuple[Sak, list[ev.EventData]]:
    """A new case (not yet in a session) brought to the stages ``data`` knows, with the events that record it.
    ``make`` builds the case from every column's value: the mapped :class:`Sak`, or for a bulk insert a plain
    object (``types.SimpleNamespace``) that the rules read and change the same way.

    Raises :class:`rules.RuleViolation` if the stages do not follow the process.
    """
    now = datetime.now(UTC)
    sak = make(**{**dict.fromkeys(COLUMNS), **{f: getattr(data, f) for f in PERSON_FIELDS},
                  "id": str(uuid.uuid4()), "ekstern_id": data.ekstern_id, "duf_nummer": data.duf_nummer,
                  "person_ref": person_ref(pseudonym_key, data.duf_nummer), "vedtaksdato": data.vedtaksdato,
                  "status": "vedtak", "versjon": 1, "opprettet": now, "endret": now})
    events: list[ev.EventData] = [ev.SakRegistrertV1(**rules.group(sak, pseudonym_key))]
    for change in rules.changes_to(data.model_dump(), None):
        events.append(rules.apply(sak, change, pseudonym_key))
    return sak, events


async def _refuse_clash(session: AsyncSession, data: SakCreate) -> None:
    """409 if the DUF-nummer or the external id already belongs to a case."""
    query = select(Sak.id, Sak.duf_nummer).where(Sak.duf_nummer == data.duf_nummer)
    if data.ekstern_id:
        # Two lookups by unique index, not one OR: PostgreSQL plans a prepared OR, once the table is small, as a
        # whole-table scan and keeps that generic plan as the table grows (no ANALYZE replaces it).
        query = query.union_all(select(Sak.id, Sak.duf_nummer).where(Sak.ekstern_id == data.ekstern_id))
    clash = (await session.execute(query)).first()
    if clash:
        what = "DUF-nummeret" if clash.duf_nummer == data.duf_nummer else "Den eksterne saks-id-en"
        raise errors.Conflict(f"{what} tilhører allerede en sak.", slug="sak-finnes", sak_id=clash.id)


async def create(*, uow: UnitOfWork, data: SakCreate, pseudonym_key: str, actor: audit.Actor) -> Sak:
    try:
        async with uow:
            await _refuse_clash(uow.session, data)
            try:
                sak, events = build(data, pseudonym_key)
                await check_family_together(uow.session, sak)
            except rules.RuleViolation as exc:
                raise invalid(str(exc), exc.field) from exc
            uow.session.add(sak)
            await uow.session.flush()
            await log_access(uow.session, actor, "opprett", [sak])
            for event in events:
                uow.publish(event)
    except Conflict:
        # A concurrent request created the case between our check and our insert: answer as the check would.
        async with uow.db.sessions() as session:
            await _refuse_clash(session, data)
        raise errors.Conflict("Saken finnes allerede.", slug="sak-finnes") from None
    return sak


def _check_version(sak: Sak, expected: int | None, required: bool) -> None:
    if expected is None:
        if required:
            raise errors.PreconditionRequired("Endringen krever If-Match med sakens ETag.", slug="mangler-if-match")
        return
    if expected != sak.versjon:
        raise errors.Precondition("Saken er endret siden du hentet den. Hent den på nytt.", slug="versjonskonflikt")


def merged_person(sak: Sak, changes: dict[str, Any]) -> SakCreate:
    """The case with ``changes`` applied, validated by the same rules as a new case."""
    values = {c: getattr(sak, c) for c in COLUMNS if c in SakCreate.model_fields}
    values.update(changes)
    return SakCreate.model_validate(values)


async def update(*, uow: UnitOfWork, sak_id: str, data: SakPatch, principal: Principal, expected_version: int | None,
                 pseudonym_key: str, actor: audit.Actor) -> Sak:
    if principal.kommunenummer is not None:
        raise errors.Forbidden("Kommunebrukere kan ikke endre personopplysninger i saken.")
    async with uow:
        sak = await get(session=uow.session, sak_id=sak_id, principal=principal)
        _check_version(sak, expected_version, required=True)
        changes = data.model_dump(exclude_unset=True)
        try:
            merged = merged_person(sak, changes)
        except ValidationError as exc:
            raise errors.Invalid(validation_errors(list(exc.errors()))) from exc
        changed = publish_person_changes(uow.publish, sak, merged, pseudonym_key)
        await log_access(uow.session, actor, "endre" if changed else "les", [sak])
    return sak


def publish_person_changes(publish: Callable[[ev.EventData], Any], sak: Sak, merged: SakCreate,
                           pseudonym_key: str) -> bool:
    """Copy corrected person data onto ``sak``; ``publish`` what changed for statistics. True if anything
    changed."""
    before = rules.group(sak, pseudonym_key)
    changed = False
    for field in PERSON_FIELDS:
        if getattr(sak, field) != getattr(merged, field):
            setattr(sak, field, getattr(merged, field))
            changed = True
    if not changed:
        return False
    sak.versjon += 1
    if rules.group(sak, pseudonym_key) != before:
        publish(ev.SakEndretV1(**rules.group(sak, pseudonym_key)))
        if sak.status == "bosatt":
            publish(rules.settlement_event(sak, pseudonym_key))
    return True


async def check_family_together(session: AsyncSession, sak: Sak) -> None:
    """:func:`rules.check_family_together` against the family's other cases in the database. Queries (and so
    flushes) only for a family member that is proposed or settled."""
    if sak.familie_id is None or rules.family_kommune(sak) is None:
        return
    others = (await session.execute(select(Sak).where(
        Sak.familie_id == sak.familie_id, Sak.id != sak.id, Sak.status.in_(rules.FAMILY_STAGES)))).scalars()
    rules.check_family_together(sak, others)


async def change_stage(*, uow: UnitOfWork, sak_id: str, data: StadiumEndring, principal: Principal,
                       expected_version: int | None, pseudonym_key: str, actor: audit.Actor) -> Sak:
    async with uow:
        sak = await get(session=uow.session, sak_id=sak_id, principal=principal)
        if principal.kommunenummer is not None:
            try:
                rules.check_municipality_change(principal.kommunenummer, sak, _change(data))
            except rules.NotPermitted as exc:
                raise errors.Forbidden(str(exc), slug="ingen-tilgang") from exc
        _check_version(sak, expected_version, required=False)
        await _apply_change(uow, sak, data, pseudonym_key)
        await log_access(uow.session, actor, "endre", [sak])
    return sak


def _change(data: StadiumEndring) -> rules.Change:
    return rules.Change(data.stadium, data.dato, data.kommunenummer, data.arsak)


async def _apply_change(uow: UnitOfWork, sak: Sak, data: StadiumEndring, pseudonym_key: str) -> None:
    try:
        event = rules.apply(sak, _change(data), pseudonym_key)
        await check_family_together(uow.session, sak)
    except rules.RuleViolation as exc:
        raise invalid(str(exc), exc.field) from exc
    sak.versjon += 1
    uow.publish(event)


async def read_family(*, session: AsyncSession, familie_id: str, principal: Principal, actor: audit.Actor,
                      ) -> list[Sak]:
    """:func:`get_family`, with each member's case read in the audit log."""
    members = await get_family(session=session, familie_id=familie_id, principal=principal)
    await log_access(session, actor, "les", members)
    await session.commit()
    return members


async def get_family(*, session: AsyncSession, familie_id: str, principal: Principal) -> list[Sak]:
    query = select(Sak).where(Sak.familie_id == familie_id).order_by(Sak.id)
    if (condition := visible_to(principal)) is not None:
        query = query.where(condition)
    members = list((await session.execute(query)).scalars())
    if not members:
        raise errors.NotFound("Familien finnes ikke.")
    return members


async def change_family_stage(*, uow: UnitOfWork, familie_id: str, data: StadiumEndring, principal: Principal,
                              pseudonym_key: str, actor: audit.Actor) -> list[Sak]:
    """Move every open member of a family to the same stage in one transaction: all or none."""
    if principal.kommunenummer is not None:
        raise errors.Forbidden("Bare IMDi kan flytte en hel familie.")
    async with uow:
        members = [m for m in await get_family(session=uow.session, familie_id=familie_id, principal=principal)
                   if m.status != "avsluttet"]
        if not members:
            raise invalid("Familien har ingen åpne saker.", "familie_id")
        for member in members:
            await _apply_change(uow, member, data, pseudonym_key)
        await log_access(uow.session, actor, "endre", members)
    return members


# --- requests and municipal decisions ---------------------------------------------------------------
async def _put_places(uow: UnitOfWork, model, event_type, ar: int, kommunenummer: str, data):
    """Record a year's places for a municipality; unchanged figures change nothing and publish nothing."""
    values = data.model_dump()
    async with uow:
        row = (await uow.session.execute(select(model).where(
            model.ar == ar, model.kommunenummer == kommunenummer))).scalar_one_or_none()
        if row is None:
            row = model(ar=ar, kommunenummer=kommunenummer, versjon=0, **values)
            uow.session.add(row)
        elif all(getattr(row, k) == v for k, v in values.items()):
            return row
        else:
            for k, v in values.items():
                setattr(row, k, v)
        row.versjon += 1
        await uow.session.flush()
        uow.publish(event_type(kommunenummer=kommunenummer, ar=ar, **values))
    return row


async def put_anmodning(*, uow: UnitOfWork, ar: int, kommunenummer: str, data: AnmodningInn) -> Anmodning:
    return await _put_places(uow, Anmodning, ev.AnmodningSendtV1, ar, kommunenummer, data)


async def put_kommunevedtak(*, uow: UnitOfWork, ar: int, kommunenummer: str, data: KommunevedtakInn,
                            principal: Principal) -> Kommunevedtak:
    if principal.kommunenummer is not None and principal.kommunenummer != kommunenummer:
        raise errors.Forbidden("En kommune kan bare registrere sitt eget vedtak.")
    return await _put_places(uow, Kommunevedtak, ev.KommunevedtakFattetV1, ar, kommunenummer, data)


async def get_all_anmodninger(*, session: AsyncSession, ar: int, principal: Principal) -> list[Anmodning]:
    query = select(Anmodning).where(Anmodning.ar == ar).order_by(Anmodning.kommunenummer)
    if principal.kommunenummer is not None:
        query = query.where(Anmodning.kommunenummer == principal.kommunenummer)
    return list((await session.execute(query)).scalars())


async def get_all_kommunevedtak(*, session: AsyncSession, ar: int, principal: Principal) -> list[Kommunevedtak]:
    query = select(Kommunevedtak).where(Kommunevedtak.ar == ar).order_by(Kommunevedtak.kommunenummer)
    if principal.kommunenummer is not None:
        query = query.where(Kommunevedtak.kommunenummer == principal.kommunenummer)
    return list((await session.execute(query)).scalars())
