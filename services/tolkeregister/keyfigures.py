"""R10/R11 (the letter's «R 10 og 11», modelled as R10): the counts the annual report follows the interpreter
field up by, per year, as ``nokkeltall`` events for rapportering.

* tests (ToSPoT and bilingual test) by language: tested, passed, and the number of languages;
* state authorisations granted by language, and the number of languages;
* ID cards issued and revoked in the year;
* complaints received in the year by type, and decided in the year by outcome and by consequence.

:func:`count` is pure (plain rows in, figures out); :func:`publish_changes` publishes, in the caller's unit of
work, only the figures of a year that differ from those last published, so the newest event per figure is
always the current count (a figure that drops to 0 is published as 0).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import extract, select

from shared.db import UnitOfWork
from shared.events.schemas import NokkeltallV1
from tolkeregister.models import Autorisasjon, IdKort, Klage, PublisertNokkeltall, Testresultat

OBJEKT = "R10"
LABELS = {
    "tester": "Gjennomførte tester (ToSPoT og tospråktest)",
    "tester_bestatt": "Beståtte tester",
    "tester_sprak": "Språk det er testet i",
    "autorisasjoner": "Tildelte bevillinger som statsautorisert tolk",
    "autorisasjoner_sprak": "Språk med tildelte bevillinger",
    "id_kort_utstedt": "Utstedte ID-kort",
    "id_kort_tilbakekalt": "Tilbakekalte ID-kort",
    "klager": "Mottatte klager",
    "klager_avgjort": "Avgjorte klager",
}
NOT_PERSONS = {"tester_sprak", "autorisasjoner_sprak"}
Key = tuple[str, str, str]  # (navn, dimensjon, kategori)


@dataclass(frozen=True)
class Rows:
    """The year's source rows, as plain tuples."""

    tests: Iterable[tuple[str, int, int]] = ()  # (sprak, testet, bestatt)
    authorisations: Iterable[tuple[str, int]] = ()  # (sprak, antall)
    cards_issued: int = 0
    cards_revoked: int = 0
    complaints_received: Iterable[str] = ()  # klagetype
    complaints_decided: Iterable[tuple[str, str]] = ()  # (utfall, konsekvens)


def count(rows: Rows) -> dict[Key, int]:
    out: Counter = Counter({(name, "alle", "alle"): 0 for name in LABELS})  # every total, 0 when nothing
    tested_languages = set()
    for language, tested, passed in rows.tests:
        out[("tester", "alle", "alle")] += tested
        out[("tester", "sprak", language)] += tested
        out[("tester_bestatt", "alle", "alle")] += passed
        out[("tester_bestatt", "sprak", language)] += passed
        if tested:
            tested_languages.add(language)
    out[("tester_sprak", "alle", "alle")] = len(tested_languages)
    granted_languages = set()
    for language, granted in rows.authorisations:
        out[("autorisasjoner", "alle", "alle")] += granted
        out[("autorisasjoner", "sprak", language)] += granted
        if granted:
            granted_languages.add(language)
    out[("autorisasjoner_sprak", "alle", "alle")] = len(granted_languages)
    out[("id_kort_utstedt", "alle", "alle")] = rows.cards_issued
    out[("id_kort_tilbakekalt", "alle", "alle")] = rows.cards_revoked
    for kind in rows.complaints_received:
        out[("klager", "alle", "alle")] += 1
        out[("klager", "klagetype", kind)] += 1
    for outcome, consequence in rows.complaints_decided:
        out[("klager_avgjort", "alle", "alle")] += 1
        out[("klager_avgjort", "utfall", outcome)] += 1
        out[("klager_avgjort", "konsekvens", consequence)] += 1
    return dict(out)


def event(year: int, key: Key, value: int) -> NokkeltallV1:
    name, dimension, category = key
    return NokkeltallV1(ar=year, objekt=OBJEKT, periode=str(year), navn=name, tekst=LABELS[name],
                        dimensjon=dimension, kategori=category, antall=value, personer=name not in NOT_PERSONS)


async def rows_for(session, year: int) -> Rows:
    def in_year(column):
        return extract("year", column) == year

    tests = (await session.execute(select(Testresultat.sprak, Testresultat.testet, Testresultat.bestatt)
                                   .where(in_year(Testresultat.dato)))).all()
    auths = (await session.execute(select(Autorisasjon.sprak, Autorisasjon.antall)
                                   .where(Autorisasjon.ar == year))).all()
    issued = len((await session.execute(select(IdKort.kortnummer).where(in_year(IdKort.utstedt)))).all())
    revoked = len((await session.execute(select(IdKort.kortnummer).where(in_year(IdKort.tilbakekalt)))).all())
    received = (await session.execute(select(Klage.klagetype).where(in_year(Klage.mottatt)))).scalars().all()
    decided = (await session.execute(select(Klage.utfall, Klage.konsekvens).where(in_year(Klage.avgjort)))).all()
    return Rows(tests=[tuple(r) for r in tests], authorisations=[tuple(r) for r in auths], cards_issued=issued,
                cards_revoked=revoked, complaints_received=list(received),
                complaints_decided=[tuple(r) for r in decided])


async def figures(session, year: int) -> dict[Key, int]:
    return count(await rows_for(session, year))


async def publish_changes(uow: UnitOfWork, *days: date | None) -> None:
    """Recount the years of ``days`` and publish the figures that moved since they were last published."""
    session = uow.session
    await session.flush()
    for year in sorted({d.year for d in days if d is not None}):
        now = await figures(session, year)
        stored = {(r.navn, r.dimensjon, r.kategori): r for r in (await session.execute(
            select(PublisertNokkeltall).where(PublisertNokkeltall.ar == year))).scalars()}
        for key, value in sorted(now.items()):  # rows are never deleted, so no figure disappears
            row = stored.get(key)
            if row is not None and row.antall == value:
                continue
            if row is None:
                session.add(PublisertNokkeltall(ar=year, navn=key[0], dimensjon=key[1], kategori=key[2],
                                                antall=value))
            else:
                row.antall = value
            uow.publish(event(year, key, value))
