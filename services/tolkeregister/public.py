"""The public face of the register: the search and what an ID card shows. Only the public fields leave here:
name, languages with categories, county of residence and contact for assignments, of active interpreters.

**The search is not in the audit log** (``revisjonslogg``; decided for issue 14). It answers only what each
interpreter agreed to publish, to anyone, as the register's purpose: logging it would record no access to
anything confidential. An entry per hit (up to :data:`MAX_PAGE_SIZE` per request, at the public rate limit) would
bury the log's real entries in noise and turn the open search into a write amplifier against the database (a
denial-of-service lever), and an entry per request would say only that someone searched. IMDi's own reads of an
interpreter (``/api/v1/tolker``) and the public verification of an ID card (one card per request) are logged
(:mod:`tolkeregister.service`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload

from shared.geo import fylker_2017
from tolkeregister.models import Tolk, TolkSprak
from tolkeregister.schemas import Kontakt, OffentligSprak, OffentligTolk, Sokeresultat

MAX_PAGE_SIZE = 50
"""The hard cap on a page of the public search."""


def languages(rows: Iterable[TolkSprak]) -> list[OffentligSprak]:
    return [OffentligSprak(sprak=s.sprak, kategori=s.kategori) for s in sorted(rows, key=lambda s: s.sprak)]


def public_view(tolk: Tolk, rows: Iterable[TolkSprak]) -> OffentligTolk:
    return OffentligTolk(navn=tolk.navn, sprak=languages(rows), fylkesnummer=tolk.fylkesnummer,
                         fylke=fylker_2017()[tolk.fylkesnummer],
                         kontakt=Kontakt(telefon=tolk.telefon, epost=tolk.epost))


async def search(*, session: AsyncSession, language: str | None, category: str | None, gender: str | None,
                 county: str | None, municipality: str | None, page: int, page_size: int) -> Sokeresultat:
    """Active interpreters matching every given filter (a language and a category together: that language in
    that category), by name, one page."""
    if page_size > MAX_PAGE_SIZE:
        raise ValueError("page size above the cap")
    conditions = [Tolk.status == "aktiv"]
    if gender:
        conditions.append(Tolk.kjonn == gender)
    if county:
        conditions.append(Tolk.fylkesnummer == county)
    if municipality:
        conditions.append(Tolk.kommunenummer == municipality)
    if language or category:
        match = select(TolkSprak.tolk_id)
        if language:
            match = match.where(TolkSprak.sprak == language)
        if category:
            match = match.where(TolkSprak.kategori == category)
        conditions.append(Tolk.id.in_(match))
    total = (await session.execute(select(func.count()).select_from(Tolk).where(*conditions))).scalar_one()
    found = list((await session.execute(
        select(Tolk).options(raiseload(Tolk.sprak)).where(*conditions).order_by(Tolk.navn, Tolk.id)
        .limit(page_size).offset((page - 1) * page_size))).scalars())
    by_tolk: dict[str, list[TolkSprak]] = {t.id: [] for t in found}
    if found:
        for row in (await session.execute(select(TolkSprak).where(TolkSprak.tolk_id.in_(list(by_tolk))))).scalars():
            by_tolk[row.tolk_id].append(row)
    return Sokeresultat(treff=total, side=page, per_side=page_size,
                        tolker=[public_view(t, by_tolk[t.id]) for t in found])
