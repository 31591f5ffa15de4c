"""Settlement cases: plain functions with keyword-only arguments (get, get_all, create, update)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bosetting.models import Sak
from bosetting.schemas import BosettingRegistrer, SakCreate
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.events.schemas import PersonBosattV1
from shared.problems import Problem
from shared.pseudonym import person_ref


def _visible(sak: Sak | None, principal: Principal) -> bool:
    return sak is not None and (principal.kommunenummer is None or sak.kommunenummer == principal.kommunenummer)


async def get(*, session: AsyncSession, sak_id: str, principal: Principal) -> Sak:
    sak = await session.get(Sak, sak_id)
    if not _visible(sak, principal):
        raise Problem(404, "Saken finnes ikke.")
    return sak


async def get_all(*, session: AsyncSession, principal: Principal, kommunenummer: str | None, limit: int,
                  after: str | None) -> list[Sak]:
    query = select(Sak).order_by(Sak.id).limit(limit)
    if principal.kommunenummer is not None:
        query = query.where(Sak.kommunenummer == principal.kommunenummer)
    if kommunenummer is not None:
        query = query.where(Sak.kommunenummer == kommunenummer)
    if after:
        query = query.where(Sak.id > after)
    return list((await session.execute(query)).scalars())


def _bosatt_event(sak: Sak) -> PersonBosattV1:
    return PersonBosattV1(person_ref=sak.person_ref, vedtaksdato=sak.vedtaksdato,
                          bosettingsdato=sak.bosettingsdato, kommunenummer=sak.kommunenummer,
                          kjonn=sak.kjonn, enslig_mindrearig=sak.enslig_mindrearig, fodselsar=sak.fodselsar)


async def create(*, uow: UnitOfWork, data: SakCreate, pseudonym_key: str) -> Sak:
    async with uow:
        existing = (await uow.session.execute(select(Sak.id).where(Sak.duf_nummer == data.duf_nummer))).first()
        if existing:
            raise Problem(409, "Det finnes allerede en sak for denne personen.", slug="sak-finnes",
                          sak_id=existing.id)
        sak = Sak(**data.model_dump(), person_ref=person_ref(pseudonym_key, data.duf_nummer))
        uow.session.add(sak)
        await uow.session.flush()
        if sak.bosettingsdato is not None:
            uow.publish(_bosatt_event(sak))
    return sak


async def register_settlement(*, uow: UnitOfWork, sak_id: str, data: BosettingRegistrer,
                              principal: Principal, expected_version: int | None) -> Sak:
    async with uow:
        sak = await get(session=uow.session, sak_id=sak_id, principal=principal)
        if expected_version is not None and expected_version != sak.versjon:
            raise Problem(412, "Saken er endret siden du hentet den. Hent den på nytt.", slug="versjonskonflikt")
        if data.bosettingsdato < sak.vedtaksdato:
            raise Problem(422, "Bosettingsdato kan ikke være før vedtaksdato.", slug="ugyldige-data",
                          feil=[{"felt": "bosettingsdato", "melding": "Bosettingsdato kan ikke være før vedtaksdato."}])
        sak.bosettingsdato = data.bosettingsdato
        sak.kommunenummer = data.kommunenummer
        sak.versjon += 1
        await uow.session.flush()
        uow.publish(_bosatt_event(sak))
    return sak
