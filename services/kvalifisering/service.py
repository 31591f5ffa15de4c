"""Training, the introduction programme, the municipality survey and Jobbsjansen: plain functions with
keyword-only arguments. ``apply_*`` work inside a unit of work the caller has entered (the API opens one per
request, the import one per chunk) and say whether the row created, changed or left a record; every change a
measure depends on is published, and an unchanged record publishes nothing.

**The audit log.** Every person-level record (training, programme participant, Jobbsjansen participant,
reception-centre resident, competence registration) read through the API, and every one a route, an import row
or a settlement event creates, changes or compares, is an entry in ``revisjonslogg`` (:mod:`shared.audit`): the
record's id and ``person_ref``, never a name or DUF-nummer. A change's entries are in its transaction; a read
commits its entries before the data is answered. An upsert that finds the record unchanged is ``sammenlign``. A
settlement event that opens or moves a training record is logged as the system (:data:`SETTLEMENT`), with the
purpose ``bosetting``: the person and the reason are in bosetting's own log. The municipality survey, projects,
target-group sizes and the measures hold no person-level data and are not logged."""

from __future__ import annotations

from typing import Literal, TypeVar

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from kvalifisering import progress, rules
from kvalifisering.models import (
    Introdeltaker,
    IntroprogramAr,
    JobbsjansenDeltaker,
    JobbsjansenProsjekt,
    Kommuneundersokelse,
    Kompetanseregistrering,
    Malgruppe,
    Mottaksbeboer,
    Opplaering,
    revisjonslogg,
)
from kvalifisering.schemas import (
    IntrodeltakerInn,
    JobbsjansenDeltakerInn,
    KommuneundersokelseInn,
    KompetanseInn,
    MalgruppeInn,
    MottaksbeboerInn,
    OpplaeringInn,
    ProsjektInn,
)
from shared import audit, errors
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.events import kvalifisering as ev
from shared.events.schemas import PERSON_BOSATT_V1
from shared.pseudonym import person_ref

Outcome = Literal["opprettet", "endret", "uendret"]
TRAINING_FIELDS = ("kommunenummer", "kjonn", "fodselsar", "grunnlag", "rett_fra", "tilbud_dato", "start_dato",
                   "timer_norsk", "timer_samfunnskunnskap", "fritak_arsak", "oppfylt_dato", "oppfylt_grunnlag")
PROGRAMME_FIELDS = ("kommunenummer", "kjonn", "kategori", "start_dato", "planlagt_slutt", "elementer", "avbrudd",
                    "avsluttet_dato", "avslutningsarsak", "status_ett_ar_etter")


HANDLING: dict[Outcome, audit.Handling] = {"opprettet": "opprett", "endret": "endre", "uendret": "sammenlign"}
OBJEKT = {Opplaering: "opplaering", Introdeltaker: "introdeltaker", JobbsjansenDeltaker: "jobbsjansen-deltaker",
          Mottaksbeboer: "mottaksbeboer", Kompetanseregistrering: "kompetanseregistrering"}
SETTLEMENT = audit.Actor(hvem="kvalifisering", rolle="system", rute=f"hendelse {PERSON_BOSATT_V1.type}",
                         formal="bosetting")
"""Who opens a training record on a settlement event: the service itself."""
Row = TypeVar("Row")


async def log_access(session: AsyncSession, actor: audit.Actor, handling: audit.Handling, rows: list) -> None:
    """An audit-log entry per record (all of one kind) in ``session``'s transaction: the record's key (its
    ``person_ref``; for a Jobbsjansen participation ``person_ref/del``) and ``person_ref``, never person data."""
    if rows:
        entries = [(_key_of(r), r.person_ref) for r in rows]
        await audit.record(session, revisjonslogg, actor, handling, entries, objekt=OBJEKT[type(rows[0])])


def _key_of(row) -> str:
    return f"{row.person_ref}/{row.del_}" if isinstance(row, JobbsjansenDeltaker) else row.person_ref


async def read(session: AsyncSession, actor: audit.Actor, row: Row) -> Row:
    """``row`` with its read in the audit log, committed before it is answered."""
    await log_access(session, actor, "les", [row])
    await session.commit()
    return row


def invalid(exc: rules.RuleViolation) -> errors.Invalid:
    return errors.Invalid.field(exc.field, str(exc))


def ref_of(data, pseudonym_key: str) -> str:
    return data.person_ref or person_ref(pseudonym_key, data.duf_nummer)


def _own_kommune(principal: Principal | None, kommunenummer: str) -> None:
    if principal is not None and principal.kommunenummer not in (None, kommunenummer):
        raise errors.Forbidden("En kommune kan bare registrere og se data for egen kommune.")


async def _claim_ekstern_id(session: AsyncSession, model, ekstern_id: str | None, ref: str,
                            owners: dict[str, str] | None) -> None:
    """An external id belongs to one person. ``owners`` (external id → person reference), when the caller has
    loaded them for a whole import chunk, saves a query per row; it is kept up to date here."""
    if ekstern_id is None:
        return
    if owners is None:
        owner = (await session.execute(select(model.person_ref).where(model.ekstern_id == ekstern_id))).scalar()
    else:
        owner = owners.setdefault(ekstern_id, ref)
    if owner is not None and owner != ref:
        raise rules.RuleViolation("Den eksterne id-en tilhører en annen person.", "ekstern_id")


async def _find(session: AsyncSession, model, ref: str, known: dict | None):
    return known.get(ref) if known is not None else await session.get(model, ref)


def _add(session: AsyncSession, row, ref: str, known: dict | None) -> None:
    session.add(row)
    if known is not None:
        known[ref] = row


def _publish_changed(uow: UnitOfWork, before: list, after: list) -> None:
    for old, new in zip(before, after, strict=True):
        if new is not None and new != old:
            uow.publish(new)


# --- training -------------------------------------------------------------------------------------------
def training_events(o: Opplaering) -> list:
    """The facts SP4 and SP5 read, as events (pseudonymous reference only)."""
    fritatt = o.fritak_arsak is not None
    return [ev.OpplaeringRettV1(person_ref=o.person_ref, kjonn=o.kjonn, kommunenummer=o.kommunenummer,
                                rett_fra=o.rett_fra, opplaering_start=o.start_dato, fritatt=fritatt),
            ev.OpplaeringPliktV1(person_ref=o.person_ref, kjonn=o.kjonn, kommunenummer=o.kommunenummer,
                                 frist=rules.deadline(o.rett_fra), oppfylt=o.oppfylt_dato, fritatt=fritatt)]


async def apply_training(uow: UnitOfWork, data: OpplaeringInn, pseudonym_key: str,
                         principal: Principal | None = None, owners: dict[str, str] | None = None,
                         known: dict[str, Opplaering] | None = None) -> tuple[Opplaering, Outcome]:
    """Bring the person's training record to ``data``. Raises :class:`rules.RuleViolation`. An import passes the
    chunk's records (``known``, by reference) and external ids (``owners``), loaded once for the chunk."""
    rules.check_training(data.training())
    _own_kommune(principal, data.kommunenummer)
    ref = ref_of(data, pseudonym_key)
    await _claim_ekstern_id(uow.session, Opplaering, data.ekstern_id, ref, owners)
    row = await _find(uow.session, Opplaering, ref, known)
    values = {f: getattr(data, f) for f in TRAINING_FIELDS}
    if row is None:
        row = Opplaering(person_ref=ref, ekstern_id=data.ekstern_id, kilde="saksbehandling", versjon=1, **values)
        _add(uow.session, row, ref, known)
        _publish_changed(uow, [None, None], training_events(row))
        return row, "opprettet"
    _own_kommune(principal, row.kommunenummer)
    if all(getattr(row, f) == v for f, v in values.items()) and data.ekstern_id in (None, row.ekstern_id):
        return row, "uendret"
    before = training_events(row)
    for f, v in values.items():
        setattr(row, f, v)
    row.ekstern_id = data.ekstern_id or row.ekstern_id
    row.versjon += 1
    _publish_changed(uow, before, training_events(row))
    return row, "endret"


async def save_training(*, uow: UnitOfWork, data: OpplaeringInn, pseudonym_key: str, principal: Principal,
                        actor: audit.Actor) -> Opplaering:
    async with uow:
        try:
            row, outcome = await apply_training(uow, data, pseudonym_key, principal)
        except rules.RuleViolation as exc:
            raise invalid(exc) from exc
        await log_access(uow.session, actor, HANDLING[outcome], [row])
    return row


async def open_on_settlement(uow: UnitOfWork, settled) -> bool:
    """A ``person-bosatt`` event opens the right and duty in the settlement kommune (see ``rules``). A
    corrected settlement moves a record that settlement opened, as long as training has not started; a record a
    case-handling system registered is its own. True if anything changed."""
    if not rules.has_right_on_settlement(settled.kategori, settled.fodselsar, settled.bosettingsdato):
        return False
    row = await uow.session.get(Opplaering, settled.person_ref)
    if row is None:
        row = Opplaering(person_ref=settled.person_ref, kilde="bosetting", kommunenummer=settled.kommunenummer,
                         kjonn=settled.kjonn, fodselsar=settled.fodselsar, grunnlag=settled.kategori,
                         rett_fra=settled.bosettingsdato, timer_norsk=0, timer_samfunnskunnskap=0, versjon=1)
        uow.session.add(row)
        _publish_changed(uow, [None, None], training_events(row))
        await log_access(uow.session, SETTLEMENT, "opprett", [row])
        return True
    if row.kilde != "bosetting" or row.start_dato is not None:
        return False
    wanted = {"kommunenummer": settled.kommunenummer, "rett_fra": settled.bosettingsdato, "kjonn": settled.kjonn,
              "fodselsar": settled.fodselsar, "grunnlag": settled.kategori}
    if all(getattr(row, k) == v for k, v in wanted.items()):
        return False
    before = training_events(row)
    for k, v in wanted.items():
        setattr(row, k, v)
    row.versjon += 1
    _publish_changed(uow, before, training_events(row))
    await log_access(uow.session, SETTLEMENT, "endre", [row])
    return True


async def get_training(*, session: AsyncSession, ref: str, principal: Principal, actor: audit.Actor) -> Opplaering:
    row = await session.get(Opplaering, ref)
    if row is None or principal.kommunenummer not in (None, row.kommunenummer):
        raise errors.NotFound("Fant ingen opplæring for personen.")
    return await read(session, actor, row)


# --- the introduction programme ---------------------------------------------------------------------------
def ended_event(p: Introdeltaker) -> ev.IntroduksjonsprogramAvsluttetV1 | None:
    if p.avsluttet_dato is None:
        return None
    return ev.IntroduksjonsprogramAvsluttetV1(
        person_ref=p.person_ref, kjonn=p.kjonn, kategori=p.kategori, kommunenummer=p.kommunenummer,
        avsluttet_dato=p.avsluttet_dato,
        arbeid_eller_utdanning_ett_ar_etter=rules.in_work_or_education(p.status_ett_ar_etter))


def _count(p: Introdeltaker, sign: int, counts: dict[tuple[str, int], list[int]]) -> None:
    """Add (sign +1) or take away (-1) the participant's contribution to its municipality's yearly figures."""
    school = 1 if rules.SKOLE_ELEMENTER & set(p.elementer) else 0
    for year in rules.programme_years(p.start_dato, p.avsluttet_dato or p.planlagt_slutt):
        cell = counts.setdefault((p.kommunenummer, year), [0, 0])
        cell[0] += sign
        cell[1] += sign * school


async def apply_participant(uow: UnitOfWork, data: IntrodeltakerInn, pseudonym_key: str,
                            counts: dict[tuple[str, int], list[int]], principal: Principal | None = None,
                            owners: dict[str, str] | None = None,
                            known: dict[str, Introdeltaker] | None = None) -> tuple[Introdeltaker, Outcome]:
    """Bring the participant to ``data``; ``counts`` collects the change to each (kommune, year)'s SP6 figures
    (apply and publish them with :func:`refresh_programme_years` before the unit of work ends)."""
    rules.check_programme(data.programme())
    _own_kommune(principal, data.kommunenummer)
    ref = ref_of(data, pseudonym_key)
    await _claim_ekstern_id(uow.session, Introdeltaker, data.ekstern_id, ref, owners)
    row = await _find(uow.session, Introdeltaker, ref, known)
    values = {f: getattr(data, f) for f in PROGRAMME_FIELDS}
    values["elementer"] = sorted(set(data.elementer))
    values["avbrudd"] = [a.model_dump(mode="json") for a in data.avbrudd]
    if row is None:
        row = Introdeltaker(person_ref=ref, ekstern_id=data.ekstern_id, versjon=1, **values)
        _add(uow.session, row, ref, known)
        _publish_changed(uow, [None], [ended_event(row)])
        _count(row, +1, counts)
        return row, "opprettet"
    _own_kommune(principal, row.kommunenummer)
    if all(getattr(row, f) == v for f, v in values.items()) and data.ekstern_id in (None, row.ekstern_id):
        return row, "uendret"
    if row.avsluttet_dato is not None and data.avsluttet_dato is None:
        raise rules.RuleViolation("Et avsluttet program kan ikke gjenåpnes; korriger avslutningsdatoen i stedet.",
                                  "avsluttet_dato")
    before = [ended_event(row)]
    _count(row, -1, counts)
    for f, v in values.items():
        setattr(row, f, v)
    row.ekstern_id = data.ekstern_id or row.ekstern_id
    row.versjon += 1
    _count(row, +1, counts)
    _publish_changed(uow, before, [ended_event(row)])
    return row, "endret"


async def refresh_programme_years(uow: UnitOfWork, counts: dict[tuple[str, int], list[int]]) -> None:
    """Apply the changes to each municipality's yearly figures (SP6) and publish those that moved. The rows are
    read FOR UPDATE (PostgreSQL), so concurrent writers add up instead of overwriting each other."""
    changed = {key: delta for key, delta in counts.items() if delta != [0, 0]}
    stored_rows: dict[tuple[str, int], IntroprogramAr] = {}
    keys = sorted(changed)
    for i in range(0, len(keys), 500):
        rows = (await uow.session.execute(select(IntroprogramAr).where(tuple_(
            IntroprogramAr.kommunenummer, IntroprogramAr.ar).in_(keys[i:i + 500])).with_for_update())).scalars()
        stored_rows.update({(r.kommunenummer, r.ar): r for r in rows})
    for (kommune, year), (d_participants, d_school) in sorted(changed.items()):
        stored = stored_rows.get((kommune, year))
        if stored is None:
            stored = IntroprogramAr(kommunenummer=kommune, ar=year, deltakere=0, med_grunnskole_eller_vgs=0)
            uow.session.add(stored)
        stored.deltakere += d_participants
        stored.med_grunnskole_eller_vgs += d_school
        uow.publish(ev.IntroduksjonsprogramArV1(kommunenummer=kommune, ar=year, deltakere=stored.deltakere,
                                                med_grunnskole_eller_vgs=stored.med_grunnskole_eller_vgs))


async def save_participant(*, uow: UnitOfWork, data: IntrodeltakerInn, pseudonym_key: str,
                           principal: Principal, actor: audit.Actor) -> Introdeltaker:
    counts: dict[tuple[str, int], list[int]] = {}
    async with uow:
        try:
            row, outcome = await apply_participant(uow, data, pseudonym_key, counts, principal)
        except rules.RuleViolation as exc:
            raise invalid(exc) from exc
        await refresh_programme_years(uow, counts)
        await log_access(uow.session, actor, HANDLING[outcome], [row])
    return row


async def get_participant(*, session: AsyncSession, ref: str, principal: Principal,
                          actor: audit.Actor) -> Introdeltaker:
    row = await session.get(Introdeltaker, ref)
    if row is None or principal.kommunenummer not in (None, row.kommunenummer):
        raise errors.NotFound("Fant ingen deltaker i introduksjonsprogrammet.")
    return await read(session, actor, row)


# --- the municipality survey -------------------------------------------------------------------------------
async def put_survey(*, uow: UnitOfWork, ar: int, kommunenummer: str, data: KommuneundersokelseInn,
                     principal: Principal) -> Kommuneundersokelse:
    """Record a municipality's answer (IMDi or the municipality itself). The event carries no free text."""
    _own_kommune(principal, kommunenummer)
    try:
        rules.check_kommune(kommunenummer)
    except rules.RuleViolation as exc:
        raise invalid(exc) from exc
    values = data.model_dump()
    async with uow:
        row = await uow.session.get(Kommuneundersokelse, (kommunenummer, ar))
        if row is None:
            row = Kommuneundersokelse(kommunenummer=kommunenummer, ar=ar, versjon=0, **values)
            uow.session.add(row)
            before = None
        elif all(getattr(row, k) == v for k, v in values.items()):
            return row
        else:
            before = survey_event(row)
            for k, v in values.items():
                setattr(row, k, v)
        row.versjon += 1
        _publish_changed(uow, [before], [survey_event(row)])
    return row


def survey_event(row: Kommuneundersokelse) -> ev.KommuneundersokelseV1:
    return ev.KommuneundersokelseV1(
        kommunenummer=row.kommunenummer, ar=row.ar,
        tilbyr_introduksjonsprogram=row.tilbyr_egne_innbyggere or row.tilbyr_andre_kommuner,
        har_resultatmal=row.har_resultatmal, tolkeretningslinjer_med_register=row.tolkeretningslinjer_med_register)


async def get_surveys(*, session: AsyncSession, ar: int, principal: Principal) -> list[Kommuneundersokelse]:
    query = select(Kommuneundersokelse).where(Kommuneundersokelse.ar == ar).order_by(Kommuneundersokelse.kommunenummer)
    if principal.kommunenummer is not None:
        query = query.where(Kommuneundersokelse.kommunenummer == principal.kommunenummer)
    return list((await session.execute(query)).scalars())


# --- Jobbsjansen ------------------------------------------------------------------------------------------
async def put_project(*, uow: UnitOfWork, prosjekt_id: str, data: ProsjektInn) -> JobbsjansenProsjekt:
    try:
        rules.check_project(data.del_, data.eiertype, data.eier, data.periode_fra, data.periode_til)
    except rules.RuleViolation as exc:
        raise invalid(exc) from exc
    values = {"del_": data.del_, "eiertype": data.eiertype, "eier": data.eier, "tilskudd_ref": data.tilskudd_ref,
              "periode_fra": data.periode_fra, "periode_til": data.periode_til}
    years: set[int] = set()
    async with uow:
        row = await uow.session.get(JobbsjansenProsjekt, prosjekt_id)
        if row is None:
            row = JobbsjansenProsjekt(prosjekt_id=prosjekt_id, versjon=1, **values)
            uow.session.add(row)
        elif all(getattr(row, k) == v for k, v in values.items()):
            return row
        else:
            if row.del_ != data.del_ and await _has_participants(uow.session, prosjekt_id):
                raise errors.Invalid.field("del", "Prosjektet har deltakere; delen kan ikke endres.")
            if row.del_ == "B":
                years.add(row.periode_fra.year)
            for k, v in values.items():
                setattr(row, k, v)
            row.versjon += 1
        if row.del_ == "B":
            years.add(row.periode_fra.year)
        await progress.refresh_o8(uow, years)
    return row


async def _has_participants(session: AsyncSession, prosjekt_id: str) -> bool:
    return (await session.execute(select(JobbsjansenDeltaker.id).where(
        JobbsjansenDeltaker.prosjekt_id == prosjekt_id).limit(1))).first() is not None


def jobbsjansen_event(d: JobbsjansenDeltaker) -> ev.JobbsjansenAvsluttetV1 | None:
    """SP9.1/SP9.2 read parts A and C; part B is followed up as assignment O8."""
    if d.slutt_dato is None or d.del_ not in ("A", "C"):
        return None
    return ev.JobbsjansenAvsluttetV1(person_ref=d.person_ref, kjonn=d.kjonn, programdel=d.del_,
                                     avsluttet_dato=d.slutt_dato,
                                     direkte_til_arbeid_eller_utdanning=rules.directly_to_work_or_education(d.utfall))


async def apply_jobbsjansen(uow: UnitOfWork, data: JobbsjansenDeltakerInn,
                            pseudonym_key: str) -> tuple[JobbsjansenDeltaker, Outcome]:
    rules.check_participation(rules.Participation(data.start_dato, data.slutt_dato, data.utfall))
    project = await uow.session.get(JobbsjansenProsjekt, data.prosjekt_id)
    if project is None:
        raise rules.RuleViolation("Prosjektet finnes ikke; registrer prosjektet først.", "prosjekt_id")
    ref = ref_of(data, pseudonym_key)
    if data.ekstern_id is not None:
        owner = (await uow.session.execute(select(JobbsjansenDeltaker.person_ref, JobbsjansenDeltaker.del_).where(
            JobbsjansenDeltaker.ekstern_id == data.ekstern_id))).first()
        if owner is not None and tuple(owner) != (ref, project.del_):
            raise rules.RuleViolation("Den eksterne id-en tilhører en annen deltakelse.", "ekstern_id")
    row = (await uow.session.execute(select(JobbsjansenDeltaker).where(
        JobbsjansenDeltaker.person_ref == ref, JobbsjansenDeltaker.del_ == project.del_))).scalar_one_or_none()
    values = {"prosjekt_id": data.prosjekt_id, "kjonn": data.kjonn, "start_dato": data.start_dato,
              "slutt_dato": data.slutt_dato, "utfall": data.utfall}
    if row is None:
        row = JobbsjansenDeltaker(person_ref=ref, del_=project.del_, ekstern_id=data.ekstern_id, versjon=1,
                                  **values)
        uow.session.add(row)
        _publish_changed(uow, [None], [jobbsjansen_event(row)])
        return row, "opprettet"
    if all(getattr(row, k) == v for k, v in values.items()) and data.ekstern_id in (None, row.ekstern_id):
        return row, "uendret"
    if row.slutt_dato is not None and data.slutt_dato is None:
        raise rules.RuleViolation("En avsluttet deltakelse kan ikke gjenåpnes; korriger sluttdatoen i stedet.",
                                  "slutt_dato")
    before = [jobbsjansen_event(row)]
    for k, v in values.items():
        setattr(row, k, v)
    row.ekstern_id = data.ekstern_id or row.ekstern_id
    row.versjon += 1
    _publish_changed(uow, before, [jobbsjansen_event(row)])
    return row, "endret"


async def save_jobbsjansen(*, uow: UnitOfWork, data: JobbsjansenDeltakerInn, pseudonym_key: str,
                           actor: audit.Actor) -> JobbsjansenDeltaker:
    async with uow:
        try:
            row, outcome = await apply_jobbsjansen(uow, data, pseudonym_key)
        except rules.RuleViolation as exc:
            raise invalid(exc) from exc
        if row.del_ == "B":
            project = await uow.session.get(JobbsjansenProsjekt, row.prosjekt_id)
            await progress.refresh_o8(uow, {project.periode_fra.year})
        await log_access(uow.session, actor, HANDLING[outcome], [row])
    return row



# --- integration reception centres (O7) ---------------------------------------------------------------------
async def save_resident(*, uow: UnitOfWork, data: MottaksbeboerInn, pseudonym_key: str,
                        actor: audit.Actor) -> Mottaksbeboer:
    months: set[str] = set()
    ref = ref_of(data, pseudonym_key)
    async with uow:
        try:
            outcome = await progress.apply_resident(uow, ref=ref, ekstern_id=data.ekstern_id, mottak=data.mottak,
                                                    ankomst=data.ankomst_dato, tilbud=data.tilbud_dato,
                                                    months=months)
        except rules.RuleViolation as exc:
            raise invalid(exc) from exc
        await progress.refresh_o7(uow, months)
        row = await uow.session.get(Mottaksbeboer, ref)
        await log_access(uow.session, actor, HANDLING[outcome], [row])
    return row


async def read_deviations(*, session: AsyncSession, period: str, actor: audit.Actor) -> progress.O7Status:
    """:func:`progress.deviations`, with each resident listed in the audit log (committed before the answer)."""
    status = await progress.deviations(session=session, period=period)
    await audit.record(session, revisjonslogg, actor, "les", [(a.person_ref, a.person_ref) for a in status.avvik],
                       objekt=OBJEKT[Mottaksbeboer])
    await session.commit()
    return status


# --- competence self-registration (O5/O6) -------------------------------------------------------------------
REGISTRATION_FIELDS = ("mottak", "registrert_dato", "formal", "samtykke_deling", "kommunenummer", "utdanning",
                       "sprak", "arbeidserfaring", "karriereveiledning_tilbudt", "karriereveiledning_gjennomfort")


def _registration_months(row: Kompetanseregistrering) -> set[str]:
    days = (row.registrert_dato, row.karriereveiledning_tilbudt, row.karriereveiledning_gjennomfort)
    return set().union(*(progress.months_from(d) for d in days if d is not None))


async def save_registration(*, uow: UnitOfWork, data: KompetanseInn, pseudonym_key: str,
                            actor: audit.Actor) -> Kompetanseregistrering:
    """Record a self-registration (IMDi, as controller of the data) and publish the O5/O6 counts that moved."""
    try:
        rules.check_registration(tuple(data.formal), data.utdanning, data.registrert_dato,
                                 data.karriereveiledning_tilbudt, data.karriereveiledning_gjennomfort,
                                 data.samtykke_deling, data.kommunenummer)
    except rules.RuleViolation as exc:
        raise invalid(exc) from exc
    ref = ref_of(data, pseudonym_key)
    values = {f: getattr(data, f) for f in REGISTRATION_FIELDS}
    values["formal"] = sorted(set(data.formal))
    async with uow:
        row = await uow.session.get(Kompetanseregistrering, ref)
        if row is None:
            row = Kompetanseregistrering(person_ref=ref, versjon=1, **values)
            uow.session.add(row)
            months = _registration_months(row)
            await log_access(uow.session, actor, "opprett", [row])
        elif all(getattr(row, f) == v for f, v in values.items()):
            await log_access(uow.session, actor, "sammenlign", [row])
            return row
        else:
            await log_access(uow.session, actor, "endre", [row])
            months = _registration_months(row)
            for f, v in values.items():
                setattr(row, f, v)
            row.versjon += 1
            months |= _registration_months(row)
        await progress.refresh_o5_o6(uow, months)
    return row


async def get_registration(*, session: AsyncSession, ref: str, principal: Principal,
                           actor: audit.Actor) -> Kompetanseregistrering:
    """IMDi sees every registration; a municipality only those the person consented to share with it."""
    row = await session.get(Kompetanseregistrering, ref)
    if row is None or (principal.kommunenummer is not None and not (
            row.samtykke_deling and row.kommunenummer == principal.kommunenummer)):
        raise errors.NotFound("Fant ingen kompetanseregistrering for personen.")
    return await read(session, actor, row)


async def put_target_group(*, uow: UnitOfWork, periode: str, data: MalgruppeInn) -> Malgruppe:
    async with uow:
        row = await uow.session.get(Malgruppe, periode)
        if row is None:
            row = Malgruppe(periode=periode, antall=data.antall)
            uow.session.add(row)
        elif row.antall == data.antall:
            return row
        row.antall = data.antall
        await progress.refresh_o5_o6(uow, {periode})
    return row
