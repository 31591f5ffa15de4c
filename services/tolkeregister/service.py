"""The register: interpreters, their status, ID cards, complaints and state agencies' guidelines. Plain functions
with keyword-only arguments; domain errors from :mod:`shared.errors`; events through the unit of work.

**The audit log.** An interpreter is a person (name, fødselsnummer, contact details), so every internal read and
change of one, of an ID card and of a complaint, every row of the bulk import, and every public verification of an
existing ID card is an entry in ``revisjonslogg`` (:mod:`shared.audit`): ``objekt`` ``tolk``, ``id-kort`` or
``klage``, the record's own id (the card number for a card) and, as ``person_ref``, the interpreter's
pseudonymous ``tolk_ref`` (the reference events carry), never a name or an identity number. A change's entries are
in its transaction; a read commits its entries before the data is answered; a PATCH or import row that changes
nothing is ``sammenlign``. A card verification (no token) is logged as the caller ``offentlig`` with the purpose
:data:`PUBLIC_PURPOSE`, one entry per request for a card that exists: bounded by the public rate limit. The public
*search* is not logged: see :mod:`tolkeregister.public`."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared import audit, errors
from shared.db import Conflict, UnitOfWork
from shared.events import tolkeregister as ev
from shared.geo import fylke_for
from shared.pseudonym import person_ref
from tolkeregister import keyfigures, rules
from tolkeregister.models import (
    Autorisasjon,
    EtatRetningslinjer,
    IdKort,
    Klage,
    Testresultat,
    Tolk,
    TolkSprak,
    TolkStatus,
    revisjonslogg,
)
from tolkeregister.schemas import (
    AutorisasjonInn,
    EtatInn,
    IdKortInn,
    IdKortTilbakekall,
    KlageAvgjorelse,
    KlageInn,
    SprakInn,
    StatusEndring,
    TestresultatInn,
    TolkCreate,
    TolkPatch,
)

CONTACT_FIELDS = ("navn", "kommunenummer", "adresse", "telefon", "epost")
PUBLIC_PURPOSE = "verifisering"
"""Why the public verifies an ID card, in the audit log."""


async def log_tolk(session: AsyncSession, actor: audit.Actor, handling: audit.Handling, tolker: list[Tolk]) -> None:
    """An audit-log entry per interpreter in ``session``'s transaction: id and tolk_ref, never person data."""
    await audit.record(session, revisjonslogg, actor, handling, [(t.id, t.tolk_ref) for t in tolker], objekt="tolk")


async def _log_about(session: AsyncSession, actor: audit.Actor, handling: audit.Handling, objekt: str,
                     records: list[tuple[str, str]]) -> None:
    """Entries for an interpreter's ID cards or complaints: (record id, the interpreter's id) each."""
    refs = dict((await session.execute(select(Tolk.id, Tolk.tolk_ref).where(
        Tolk.id.in_({tolk_id for _, tolk_id in records})))).all()) if records else {}
    await audit.record(session, revisjonslogg, actor, handling, [(r, refs.get(t)) for r, t in records],
                       objekt=objekt)


def tolk_ref(key: str, tolk_id: str) -> str:
    """The interpreter's pseudonymous reference in events: a keyed hash of the register's own id (stable when a
    D-nummer is replaced by a fødselsnummer), meaningless without the key."""
    return "t-" + person_ref(key, "tolk:" + tolk_id)[2:]


def _invalid(exc: rules.RuleViolation) -> errors.Invalid:
    return errors.Invalid.field(exc.field, str(exc))


# --- interpreters --------------------------------------------------------------------------------------------
async def get(*, session: AsyncSession, tolk_id: str) -> Tolk:
    tolk = await session.get(Tolk, tolk_id)
    if tolk is None:
        raise errors.NotFound("Tolken finnes ikke.")
    return tolk


async def read(*, session: AsyncSession, tolk_id: str, actor: audit.Actor) -> Tolk:
    """:func:`get`, with the read in the audit log (committed before the interpreter is answered)."""
    tolk = await get(session=session, tolk_id=tolk_id)
    await log_tolk(session, actor, "les", [tolk])
    await session.commit()
    return tolk


async def get_all(*, session: AsyncSession, limit: int, after: str | None, actor: audit.Actor) -> list[Tolk]:
    """A page of interpreters; each one answered is an audit-log entry."""
    query = select(Tolk).order_by(Tolk.id).limit(limit)
    if after:
        query = query.where(Tolk.id > after)
    found = list((await session.execute(query)).scalars())
    await log_tolk(session, actor, "les", found)
    await session.commit()
    return found


def _languages(ordning: rules.Ordning, languages: list[SprakInn]) -> list[TolkSprak]:
    """The language rows with their derived categories; raises :class:`rules.RuleViolation`."""
    categories = rules.categorise(ordning, {s.sprak: [b.type for b in s.bevis] for s in languages})
    return [TolkSprak(sprak=s.sprak, kategori=categories[s.sprak], bevis=[b.model_dump(mode="json") for b in s.bevis])
            for s in languages]


def _derive(tolk: Tolk, ordning: rules.Ordning) -> None:
    tolk.kategoriordning = ordning.ordning
    tolk.hoyeste_kategori = ordning.highest(s.kategori for s in tolk.sprak)
    tolk.tre_hoyeste = tolk.hoyeste_kategori in ordning.tre_hoyeste


def register_event(tolk: Tolk) -> ev.TolkOppfortV1:
    return ev.TolkOppfortV1(tolk_ref=tolk.tolk_ref, kategoriordning=tolk.kategoriordning,
                            hoyeste_kategori=tolk.hoyeste_kategori, tre_hoyeste=tolk.tre_hoyeste,
                            oppfort_dato=tolk.oppfort_dato,
                            avregistrert_dato=rules.removal_date(tolk.status, tolk.status_dato))


def build(data: TolkCreate, *, ordning: rules.Ordning, pseudonym_key: str) -> Tolk:
    """A new interpreter (not yet in a session), active from the entry date. Raises :class:`rules.RuleViolation`."""
    tolk = Tolk(**{f: getattr(data, f) for f in CONTACT_FIELDS}, ekstern_id=data.ekstern_id,
                fodselsnummer=data.fodselsnummer, kjonn=data.kjonn, fylkesnummer=fylke_for(data.kommunenummer),
                status="aktiv", oppfort_dato=data.oppfort_dato, status_dato=data.oppfort_dato, status_arsak="Oppført",
                versjon=1)
    tolk.id = str(uuid.uuid4())
    tolk.tolk_ref = tolk_ref(pseudonym_key, tolk.id)
    tolk.sprak = _languages(ordning, data.sprak)
    _derive(tolk, ordning)
    return tolk


async def _refuse_clash(session: AsyncSession, data: TolkCreate) -> None:
    found = (await session.execute(select(Tolk.id, Tolk.fodselsnummer).where(
        (Tolk.fodselsnummer == data.fodselsnummer)
        | ((Tolk.ekstern_id == data.ekstern_id) if data.ekstern_id else False)))).first()
    if found:
        what = "Fødselsnummeret" if found.fodselsnummer == data.fodselsnummer else "Den eksterne id-en"
        raise errors.Conflict(f"{what} tilhører allerede en tolk i registeret.", slug="tolk-finnes", tolk_id=found.id)


async def create(*, uow: UnitOfWork, data: TolkCreate, ordning: rules.Ordning, pseudonym_key: str,
                 actor: audit.Actor) -> Tolk:
    try:
        async with uow:
            await _refuse_clash(uow.session, data)
            try:
                tolk = build(data, ordning=ordning, pseudonym_key=pseudonym_key)
            except rules.RuleViolation as exc:
                raise _invalid(exc) from exc
            uow.session.add(tolk)
            uow.session.add(TolkStatus(tolk_id=tolk.id, status="aktiv", dato=tolk.oppfort_dato, arsak="Oppført"))
            await uow.session.flush()
            uow.publish(register_event(tolk))
            await log_tolk(uow.session, actor, "opprett", [tolk])
    except Conflict:
        async with uow.db.sessions() as session:
            await _refuse_clash(session, data)
        raise errors.Conflict("Tolken finnes allerede.", slug="tolk-finnes") from None
    return tolk


def apply_changes(tolk: Tolk, changes: dict, ordning: rules.Ordning) -> tuple[bool, bool]:
    """Apply ``changes`` (validated patch fields) to ``tolk``. Returns (anything changed, the SP10 fact changed).
    Raises :class:`rules.RuleViolation` before touching anything if the languages give no category."""
    languages = changes.pop("sprak", None)
    new_rows = _languages(ordning, [SprakInn.model_validate(s) for s in languages]) if languages is not None else None
    before = register_event(tolk)
    changed = False
    for field, value in changes.items():
        if getattr(tolk, field) != value:
            setattr(tolk, field, value)
            changed = True
    if "kommunenummer" in changes:
        tolk.fylkesnummer = fylke_for(tolk.kommunenummer)
    if new_rows is not None:
        old = {(s.sprak, s.kategori, _evidence_key(s.bevis)) for s in tolk.sprak}
        if old != {(s.sprak, s.kategori, _evidence_key(s.bevis)) for s in new_rows}:
            _replace_languages(tolk, new_rows)
            _derive(tolk, ordning)
            changed = True
    return changed, register_event(tolk) != before


def _replace_languages(tolk: Tolk, rows: list[TolkSprak]) -> None:
    """Update kept languages in place (a delete and insert of the same language would clash on its key)."""
    existing = {s.sprak: s for s in tolk.sprak}
    wanted = {s.sprak: s for s in rows}
    for language, row in existing.items():
        if language not in wanted:
            tolk.sprak.remove(row)
    for language, row in wanted.items():
        if language in existing:
            existing[language].kategori, existing[language].bevis = row.kategori, row.bevis
        else:
            tolk.sprak.append(row)


def _evidence_key(evidence: list) -> tuple:
    return tuple(sorted((b["type"], str(b["dato"]), b.get("referanse") or "") for b in evidence))


async def update(*, uow: UnitOfWork, tolk_id: str, data: TolkPatch, ordning: rules.Ordning,
                 actor: audit.Actor) -> Tolk:
    async with uow:
        tolk = await get(session=uow.session, tolk_id=tolk_id)
        try:
            changed, fact_changed = apply_changes(tolk, data.model_dump(exclude_unset=True, mode="json"), ordning)
        except rules.RuleViolation as exc:
            raise _invalid(exc) from exc
        if changed:
            tolk.versjon += 1
            await uow.session.flush()
        if fact_changed:
            uow.publish(register_event(tolk))
        await log_tolk(uow.session, actor, "endre" if changed else "sammenlign", [tolk])
    return tolk


async def change_status(*, uow: UnitOfWork, tolk_id: str, data: StatusEndring, actor: audit.Actor) -> Tolk:
    async with uow:
        tolk = await get(session=uow.session, tolk_id=tolk_id)
        await _set_status(uow, tolk, rules.StatusChange(data.status, data.dato, data.arsak), actor)
    return tolk


async def _set_status(uow: UnitOfWork, tolk: Tolk, change: rules.StatusChange, actor: audit.Actor) -> None:
    try:
        rules.check_status_change(tolk.status, tolk.status_dato, tolk.oppfort_dato, change)
    except rules.RuleViolation as exc:
        raise _invalid(exc) from exc
    before = register_event(tolk)
    uow.session.add(apply_status(tolk, change))
    await uow.session.flush()
    if register_event(tolk) != before:
        uow.publish(register_event(tolk))
    await log_tolk(uow.session, actor, "endre", [tolk])


def apply_status(tolk: Tolk, change: rules.StatusChange) -> TolkStatus:
    """Set the (checked) status; returns the history row to add."""
    tolk.status, tolk.status_dato, tolk.status_arsak = change.status, change.dato, change.arsak
    tolk.versjon += 1
    return TolkStatus(tolk_id=tolk.id, status=change.status, dato=change.dato, arsak=change.arsak)


# --- ID cards ------------------------------------------------------------------------------------------------
async def issue_card(*, uow: UnitOfWork, tolk_id: str, data: IdKortInn, actor: audit.Actor) -> IdKort:
    async with uow:
        tolk = await get(session=uow.session, tolk_id=tolk_id)
        if tolk.status != "aktiv":
            raise errors.Invalid.field("tolk_id", "ID-kort utstedes bare til aktive tolker.")
        if await uow.session.get(IdKort, data.kortnummer) is not None:
            raise errors.Conflict("Kortnummeret er allerede brukt.", slug="kort-finnes")
        card = IdKort(tolk_id=tolk.id, **data.model_dump())
        uow.session.add(card)
        await keyfigures.publish_changes(uow, card.utstedt)
        await audit.record(uow.session, revisjonslogg, actor, "opprett", [(card.kortnummer, tolk.tolk_ref)],
                           objekt="id-kort")
    return card


async def revoke_card(*, uow: UnitOfWork, kortnummer: str, data: IdKortTilbakekall, actor: audit.Actor) -> IdKort:
    async with uow:
        card = await uow.session.get(IdKort, kortnummer)
        if card is None:
            raise errors.NotFound("ID-kortet finnes ikke.")
        if card.tilbakekalt is not None:
            raise errors.Conflict("ID-kortet er allerede tilbakekalt.", slug="kort-tilbakekalt")
        if data.dato < card.utstedt:
            raise errors.Invalid.field("dato", "Et kort kan ikke tilbakekalles før det er utstedt.")
        card.tilbakekalt, card.tilbakekalt_arsak = data.dato, data.arsak
        await keyfigures.publish_changes(uow, data.dato)
        await _log_about(uow.session, actor, "endre", "id-kort", [(card.kortnummer, card.tolk_id)])
    return card


async def verify_card(*, session: AsyncSession, kortnummer: str, on: date,
                      actor: audit.Actor) -> tuple[bool, list[TolkSprak]]:
    """Whether the card is valid ``on`` the day, and the languages it shows (none when it is not valid). A card
    that exists is read: an audit-log entry, committed before the answer."""
    card = await session.get(IdKort, kortnummer)
    if card is None:
        return False, []
    tolk = await session.get(Tolk, card.tolk_id)
    valid = rules.card_valid(on=on, issued=card.utstedt, expires=card.utloper, revoked=card.tilbakekalt,
                             interpreter_status=tolk.status)
    languages = list(tolk.sprak) if valid else []
    await audit.record(session, revisjonslogg, actor, "les", [(card.kortnummer, tolk.tolk_ref)], objekt="id-kort")
    await session.commit()
    return valid, languages


# --- complaints ----------------------------------------------------------------------------------------------
async def receive_complaint(*, uow: UnitOfWork, tolk_id: str, data: KlageInn, actor: audit.Actor) -> Klage:
    async with uow:
        tolk = await get(session=uow.session, tolk_id=tolk_id)
        complaint = Klage(tolk_id=tolk.id, **data.model_dump())
        uow.session.add(complaint)
        await keyfigures.publish_changes(uow, complaint.mottatt)
        await uow.session.flush()  # the complaint gets its id
        await audit.record(uow.session, revisjonslogg, actor, "opprett", [(complaint.id, tolk.tolk_ref)],
                           objekt="klage")
    return complaint


async def decide_complaint(*, uow: UnitOfWork, klage_id: str, data: KlageAvgjorelse, actor: audit.Actor) -> Klage:
    """Record the decision; a suspension or removal changes the interpreter's status in the same transaction."""
    async with uow:
        complaint = await uow.session.get(Klage, klage_id)
        if complaint is None:
            raise errors.NotFound("Klagen finnes ikke.")
        if complaint.avgjort is not None:
            raise errors.Conflict("Klagen er allerede avgjort.", slug="klage-avgjort")
        if data.avgjort < complaint.mottatt:
            raise errors.Invalid.field("avgjort", "Avgjørelsen kan ikke være før klagen ble mottatt.")
        complaint.avgjort, complaint.utfall, complaint.konsekvens = data.avgjort, data.utfall, data.konsekvens
        status = rules.status_after_decision(data.konsekvens)
        if status is not None:
            tolk = await get(session=uow.session, tolk_id=complaint.tolk_id)
            if tolk.status != status:
                await _set_status(uow, tolk, rules.StatusChange(status, data.avgjort, "Vedtak i klagesak"), actor)
        await keyfigures.publish_changes(uow, data.avgjort)
        await _log_about(uow.session, actor, "endre", "klage", [(complaint.id, complaint.tolk_id)])
    return complaint


async def get_complaints(*, session: AsyncSession, tolk_id: str, actor: audit.Actor) -> list[Klage]:
    """The complaints about an interpreter; each one answered is an audit-log entry."""
    tolk = await get(session=session, tolk_id=tolk_id)
    query = select(Klage).where(Klage.tolk_id == tolk_id).order_by(Klage.mottatt)
    found = list((await session.execute(query)).scalars())
    await audit.record(session, revisjonslogg, actor, "les", [(k.id, tolk.tolk_ref) for k in found], objekt="klage")
    await session.commit()
    return found


# --- state agencies (SP11) -----------------------------------------------------------------------------------
async def put_agency(*, uow: UnitOfWork, ar: int, organisasjonsnummer: str, data: EtatInn) -> EtatRetningslinjer:
    """Put a state agency on the year's list with its guidelines; unchanged data publish nothing."""
    async with uow:
        row = await uow.session.get(EtatRetningslinjer, (organisasjonsnummer, ar))
        new = row is None
        if new:
            row = EtatRetningslinjer(organisasjonsnummer=organisasjonsnummer, ar=ar, versjon=0, **data.model_dump())
            uow.session.add(row)
        elif row.navn == data.navn and row.tolkeretningslinjer_med_register == data.tolkeretningslinjer_med_register:
            return row
        flag_changed = new or row.tolkeretningslinjer_med_register != data.tolkeretningslinjer_med_register
        row.navn, row.tolkeretningslinjer_med_register = data.navn, data.tolkeretningslinjer_med_register
        row.versjon += 1
        await uow.session.flush()
        if flag_changed:
            uow.publish(ev.EtatTolkeretningslinjerV1(etat=organisasjonsnummer, ar=ar,
                                                     tolkeretningslinjer_med_register=row.tolkeretningslinjer_med_register))
    return row


async def get_agencies(*, session: AsyncSession, ar: int) -> list[EtatRetningslinjer]:
    return list((await session.execute(select(EtatRetningslinjer).where(EtatRetningslinjer.ar == ar)
                                       .order_by(EtatRetningslinjer.organisasjonsnummer))).scalars())


# --- tests and authorisations (R10) ---------------------------------------------------------------------------
async def put_test_result(*, uow: UnitOfWork, testtype: str, dato: date, sprak: str,
                          data: TestresultatInn) -> Testresultat:
    """A test sitting's result for one language (the latest figures replace earlier ones)."""
    async with uow:
        row = await uow.session.get(Testresultat, (testtype, dato, sprak))
        if row is None:
            row = Testresultat(testtype=testtype, dato=dato, sprak=sprak, **data.model_dump())
            uow.session.add(row)
        else:
            row.testet, row.bestatt = data.testet, data.bestatt
        await keyfigures.publish_changes(uow, dato)
    return row


async def put_authorisations(*, uow: UnitOfWork, ar: int, sprak: str, data: AutorisasjonInn) -> Autorisasjon:
    """State authorisations granted in a year for a language (the latest figure replaces earlier ones)."""
    async with uow:
        row = await uow.session.get(Autorisasjon, (ar, sprak))
        if row is None:
            row = Autorisasjon(ar=ar, sprak=sprak, antall=data.antall)
            uow.session.add(row)
        else:
            row.antall = data.antall
        await keyfigures.publish_changes(uow, date(ar, 12, 31))
    return row
