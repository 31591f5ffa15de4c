"""The report workflow: a half-year or annual report goes from draft to JD through approval.

States and steps (section 4.1 of the letter asks for the reports; IMDi's practice gives the steps):

* ``utkast``: the live report (``GET …/utkast``), internal. Analysts write narratives and assessments.
* ``send_til_godkjenning`` (``imdi:rapport.write``): freezes a version and moves it to ``til_godkjenning``.
  Refused (409, with the list) while the report is incomplete: every reporting requirement (R) due in it
  needs the agency's narrative, and every SP or assignment whose computed risk is yellow or red needs the
  agency's assessment with corrective measures (section 4.2: the agency must explain its corrective action).
* ``godkjenn`` (``imdi:rapport.godkjenn``): ``til_godkjenning`` → ``godkjent``, by another person than the one
  who submitted (compared by pseudonymous actor reference).
* ``avvis`` (``imdi:rapport.godkjenn``, a reason required): ``til_godkjenning`` or ``godkjent`` → ``utkast``.
* ``send`` (``imdi:rapport.godkjenn``): ``godkjent`` → ``sendt``. Only sent versions
  are visible to JD (in their suppressed rendering); ``rapport-sendt`` is published and delivered to JD's
  webhooks.
* A correction after sending is a new submission from ``sendt``: a new frozen version through the same steps.
  JD then sees the diff between the sent versions.
* Monthly reports (O5, O6, O7, O10) are not approved: the scheduler freezes each closed month and sends it
  at once (``send_automatisk``, role ``system``).

Every step is a ``rapport-status-endret`` event carrying its sequence number, the actor's role and unit, a
pseudonymous actor reference and the reason; the history table is exactly those events, so replaying them
rebuilds it (:func:`replay`). The state of a report is a fold over its steps (:func:`fold`).

The reporting calendar is a list of obligations (:func:`obligations`): each report type and period of the
year's calendar and each month. An obligation is ``i_rute``, ``snart_frist`` (deadline within
``SOON_DAYS``) or ``forsinket`` (deadline passed without sending, or sent after it); unsent past its
deadline, its risk is red, which the risk sweep publishes as ``risiko-endret`` with the obligation's id
(``RK-H1``, ``RK-AR``, ``RK-M01`` …).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, Integer, String, Table, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapportering import reports, service, webhooks
from rapportering.models import metadata
from rapportering.risk import Status
from rapportering.steering import Styringsmodell
from shared import errors
from shared.auth import Principal
from shared.dates import OSLO
from shared.db import Conflict, Database, UnitOfWork
from shared.events import schemas as ev
from shared.events.envelope import Envelope
from shared.types import UtcDateTime

APPROVE_SCOPE = "imdi:rapport.godkjenn"
SYSTEM = "system"
SOON_DAYS = 14
UTKAST, TIL_GODKJENNING, GODKJENT, SENDT = "utkast", "til_godkjenning", "godkjent", "sendt"
MANUAL_TYPES = ("halvarsrapport", "arsrapport")

# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "send_til_godkjenning": (frozenset({UTKAST, SENDT}), TIL_GODKJENNING),
    "godkjenn": (frozenset({TIL_GODKJENNING}), GODKJENT),
    "avvis": (frozenset({TIL_GODKJENNING, GODKJENT}), UTKAST),
    "send": (frozenset({GODKJENT}), SENDT),
    "send_automatisk": (frozenset({UTKAST, SENDT}), SENDT),
}
NAMES = {"send_til_godkjenning": "sende til godkjenning", "godkjenn": "godkjenne", "avvis": "sende tilbake",
         "send": "sende til JD", "send_automatisk": "sende automatisk"}

workflow_step = Table(
    "report_workflow_step",
    metadata,
    Column("rapporttype", String(20), primary_key=True),
    Column("periode", String(10), primary_key=True),
    Column("sekvens", Integer, primary_key=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("tid", UtcDateTime, nullable=False),
    Column("handling", String(24), nullable=False),
    Column("fra", String(16), nullable=False),
    Column("til", String(16), nullable=False),
    Column("versjon", Integer, nullable=True),
    Column("rolle", String(40), nullable=False),
    Column("enhet", String(80), nullable=False),
    Column("aktor_ref", String(34), nullable=False),
    Column("begrunnelse", Text, nullable=True),
)


# --- pure rules ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    """Who takes a step: role and unit (shown), a pseudonymous reference (compared, never shown to JD)."""

    rolle: str
    enhet: str
    ref: str
    may_approve: bool = False


@dataclass(frozen=True)
class State:
    tilstand: str = UTKAST
    versjon: int | None = None
    innsendt_av: str | None = None
    sekvens: int = 0
    sendte: tuple[tuple[int, datetime], ...] = ()

    @property
    def forste_sendt(self) -> datetime | None:
        return self.sendte[0][1] if self.sendte else None

    @property
    def siste_sendte(self) -> int | None:
        return self.sendte[-1][0] if self.sendte else None


def fold(steps: Iterable[dict[str, Any]]) -> State:
    """The report's state after its steps (in sequence order)."""
    state = State()
    for s in sorted(steps, key=lambda s: s["sekvens"]):
        submitted = s["aktor_ref"] if s["handling"] == "send_til_godkjenning" else state.innsendt_av
        sent = state.sendte + ((s["versjon"], s["tid"]),) if s["til"] == SENDT else state.sendte
        state = State(tilstand=s["til"], versjon=None if s["til"] == UTKAST else s["versjon"],
                      innsendt_av=None if s["til"] == UTKAST else submitted, sekvens=s["sekvens"], sendte=sent)
    return state


def allowed_actions(state: State, report_type: str) -> list[str]:
    return [a for a, (start, _) in TRANSITIONS.items() if state.tilstand in start
            and (a == "send_automatisk") == (report_type == "manedsrapport")]


def check_step(state: State, action: str, report_type: str, actor: Actor, reason: str | None) -> str:
    """The state the action leads to, or the domain error that refuses it."""
    if action == "send_automatisk" and report_type != "manedsrapport":
        raise errors.Conflict("Bare månedsrapporter sendes automatisk.", slug="ugyldig-overgang")
    if action != "send_automatisk" and report_type not in MANUAL_TYPES:
        raise errors.Conflict("Månedsrapporter sendes automatisk når måneden er avsluttet; de godkjennes ikke.",
                              slug="ugyldig-overgang")
    start, target = TRANSITIONS[action]
    if state.tilstand not in start:
        possible = ", ".join(NAMES[a] for a in allowed_actions(state, report_type)) or "ingen"
        raise errors.Conflict(f"Rapporten er {state.tilstand.replace('_', ' ')} og kan ikke {NAMES[action]} nå. "
                              f"Mulig nå: {possible}.", slug="ugyldig-overgang", tilstand=state.tilstand)
    if action in ("godkjenn", "avvis", "send") and not actor.may_approve:
        raise errors.Forbidden(f"Å {NAMES[action]} krever scope {APPROVE_SCOPE}.", slug="mangler-scope")
    if action == "godkjenn" and actor.ref == state.innsendt_av:
        raise errors.Forbidden("Den som sendte rapporten til godkjenning, kan ikke godkjenne den selv.",
                               slug="samme-person")
    if action == "avvis" and not (reason or "").strip():
        raise errors.Invalid.field("begrunnelse", "Oppgi hvorfor rapporten sendes tilbake.")
    return target


def missing(content: dict[str, Any]) -> list[dict[str, str]]:
    """What a report (its content as built) lacks before it may go for approval."""
    out = []
    for r in content.get("rapporteringskrav", []):
        if not (r.get("virksomhetens_tekst") or "").strip():
            out.append({"objekt": r["id"], "mangler": "rapporttekst",
                        "melding": f"{r['id']} mangler virksomhetens tekst."})
    sections = [sp for goal in content.get("mal", []) for sp in goal["styringsparametere"]]
    for item in sections + content.get("oppdrag", []):
        computed = item["risiko"]["beregnet"]["status"]
        if computed not in ("gul", "rod"):
            continue
        own = item["risiko"]["virksomhetens_vurdering"]
        colour = "gul" if computed == "gul" else "rød"
        if own is None:
            out.append({"objekt": item["id"], "mangler": "risikovurdering",
                        "melding": f"{item['id']} er {colour} og mangler virksomhetens vurdering med tiltak."})
        elif not (own.get("tiltak") or "").strip():
            out.append({"objekt": item["id"], "mangler": "tiltak",
                        "melding": f"{item['id']} er {colour}; vurderingen mangler korrigerende tiltak."})
    return out


def actor_ref(key: str, subject: str) -> str:
    """A stable pseudonymous reference for a token subject: the same person gets the same reference."""
    return "a-" + hmac.new(key.encode(), b"aktor:" + subject.encode(), hashlib.sha256).hexdigest()[:32]


_LABEL = re.compile(r"^[0-9A-Za-zÆØÅæøå ().,/-]{1,80}$")


def actor_from(principal: Principal, key: str) -> Actor:
    """Role and unit from the token's ``rolle`` and ``enhet`` claims when given (plain labels only), else
    from its scopes; the reference from its subject."""
    may_approve = principal.has(APPROVE_SCOPE)
    role = principal.claims.get("rolle")
    unit = principal.claims.get("enhet")
    if not (isinstance(role, str) and _LABEL.match(role) and len(role) <= 40):
        role = "godkjenner" if may_approve else "rapportansvarlig"
    if not (isinstance(unit, str) and _LABEL.match(unit)):
        unit = "IMDi"
    return Actor(rolle=role, enhet=unit, ref=actor_ref(key, principal.subject), may_approve=may_approve)


SYSTEM_ACTOR = Actor(rolle=SYSTEM, enhet="IMDi", ref=SYSTEM)


# --- obligations: the calendar as deadlines --------------------------------------------------------------
@dataclass(frozen=True)
class Obligation:
    id: str
    ar: int
    rapporttype: str
    periode: str
    tittel: str
    telletidspunkt: date
    frist: date


def obligations(model: Styringsmodell) -> list[Obligation]:
    """Each half-year/annual report of the year's calendar and each month's report. Calendar entries for another
    year (the 2017 letter also names the 2016 annual report) belong to that year's model."""
    out = []
    for entry in model.rapporteringskalender:
        if int(entry.periode[:4]) != model.ar:
            continue
        code = "RK-AR" if entry.type == "arsrapport" else f"RK-{entry.periode[5:]}"
        info = reports.period_info(model, entry.type, entry.periode)
        out.append(Obligation(code, model.ar, entry.type, entry.periode, info["tittel"], info["telletidspunkt"],
                              info["frist"]))
    for month in range(1, 13):
        period = f"{model.ar}-{month:02d}"
        info = reports.period_info(model, "manedsrapport", period)
        out.append(Obligation(f"RK-M{month:02d}", model.ar, "manedsrapport", period, info["tittel"],
                              info["telletidspunkt"], info["frist"]))
    return out


def deadline_status(ob: Obligation, sent_on: date | None, today: date) -> tuple[str, Status]:
    """(``i_rute`` | ``snart_frist`` | ``forsinket``, risk) as of ``today``. Red only while unsent past the
    deadline; a report sent after ``today`` was not sent yet as of it."""
    if sent_on is not None and sent_on <= today:
        late = (sent_on - ob.frist).days
        if late > 0:
            return "forsinket", Status("gronn", f"Sendt {sent_on.isoformat()}, {late} dager etter fristen "
                                       f"{ob.frist.isoformat()}.")
        return "i_rute", Status("gronn", f"Sendt {sent_on.isoformat()}, innen fristen {ob.frist.isoformat()}.")
    left = (ob.frist - today).days
    if left < 0:
        return "forsinket", Status("rod", f"{ob.tittel} er ikke sendt; fristen {ob.frist.isoformat()} er passert "
                                   f"med {-left} dager. Korrigering må iverksettes.")
    if left <= SOON_DAYS:
        return "snart_frist", Status("gronn", f"Frist {ob.frist.isoformat()} om {left} dager; ikke sendt ennå.")
    return "i_rute", Status("gronn", f"Frist {ob.frist.isoformat()}; ikke sendt ennå.")


# --- reads -----------------------------------------------------------------------------------------------
async def steps(session: AsyncSession, report_type: str, period: str) -> list[dict[str, Any]]:
    rows = await session.execute(select(workflow_step).where(
        workflow_step.c.rapporttype == report_type, workflow_step.c.periode == period)
        .order_by(workflow_step.c.sekvens))
    return [dict(r) for r in rows.mappings()]


async def state_of(session: AsyncSession, report_type: str, period: str) -> State:
    return fold(await steps(session, report_type, period))


async def sent_versions(session: AsyncSession) -> dict[tuple[str, str], dict[int, datetime]]:
    """(type, period) → sent version → when it was sent: what JD may read."""
    rows = await session.execute(select(workflow_step.c.rapporttype, workflow_step.c.periode,
                                        workflow_step.c.versjon, workflow_step.c.tid)
                                 .where(workflow_step.c.til == SENDT).order_by(workflow_step.c.sekvens))
    out: dict[tuple[str, str], dict[int, datetime]] = {}
    for t, p, v, when in rows:
        out.setdefault((t, p), {}).setdefault(v, when)
    return out


def shown_step(step: dict[str, Any]) -> dict[str, Any]:
    """A step as the API shows it (to IMDi): role and unit, never the actor reference."""
    keys = ("sekvens", "handling", "fra", "til", "versjon", "rolle", "enhet", "begrunnelse")
    return {**{k: step[k] for k in keys}, "tid": step["tid"].isoformat()}


async def first_sent(session: AsyncSession) -> dict[tuple[str, str], datetime]:
    rows = await session.execute(select(workflow_step.c.rapporttype, workflow_step.c.periode,
                                        func.min(workflow_step.c.tid))
                                 .where(workflow_step.c.til == SENDT)
                                 .group_by(workflow_step.c.rapporttype, workflow_step.c.periode))
    return {(t, p): when for t, p, when in rows}


async def obligation_overview(session: AsyncSession, model: Styringsmodell, today: date) -> list[dict[str, Any]]:
    sent = await first_sent(session)
    out = []
    for ob in obligations(model):
        when = sent.get((ob.rapporttype, ob.periode))
        status, risk = deadline_status(ob, when.astimezone(OSLO).date() if when else None, today)
        state = await state_of(session, ob.rapporttype, ob.periode)
        out.append({"id": ob.id, "rapporttype": ob.rapporttype, "periode": ob.periode, "tittel": ob.tittel,
                    "telletidspunkt": ob.telletidspunkt.isoformat(), "frist": ob.frist.isoformat(),
                    "tilstand": state.tilstand, "versjon": state.versjon, "sendt_versjon": state.siste_sendte,
                    "sendt": when.isoformat() if when else None, "status": status,
                    "risiko": {"status": risk.status, "begrunnelse": risk.begrunnelse}})
    return out


async def obligation_risks(session: AsyncSession, model: Styringsmodell, today: date) -> dict[str, tuple[str, str]]:
    """Obligation id → (risk status, reason), for the risk sweep."""
    return {o["id"]: (o["risiko"]["status"], o["risiko"]["begrunnelse"])
            for o in await obligation_overview(session, model, today)}


# --- steps -----------------------------------------------------------------------------------------------
async def _record(uow: UnitOfWork, report_type: str, period: str, state: State, action: str, target: str,
                  actor: Actor, version: int | None, reason: str | None) -> dict[str, Any]:
    """Write the step and its event in one transaction; a concurrent step with the same number is a conflict."""
    now = datetime.now(UTC)
    data = ev.RapportStatusEndretV1(rapporttype=report_type, periode=period, sekvens=state.sekvens + 1,
                                    handling=action, fra=state.tilstand, til=target, versjon=version,
                                    rolle=actor.rolle, enhet=actor.enhet, aktor_ref=actor.ref,
                                    begrunnelse=(reason or "").strip() or None, tid=now)
    envelope = uow.publish(data)
    row = {**data.model_dump(), "event_id": envelope.id}
    await uow.session.execute(workflow_step.insert().values(**row))
    return row


async def _send_event(uow: UnitOfWork, model: Styringsmodell, report_type: str, period: str, state: State,
                      version: dict[str, Any], actor: Actor, when: datetime) -> Envelope:
    deadline = reports.period_info(model, report_type, period)["frist"]
    data = ev.RapportSendtV1(
        rapporttype=report_type, periode=period, versjon=version["versjon"], sha256=version["sha256_ekstern"],
        forrige_versjon=state.siste_sendte, frist=deadline, i_tide=when.astimezone(OSLO).date() <= deadline,
        sendt=when, rolle=actor.rolle, enhet=actor.enhet,
        lenke=f"/api/v1/rapporter/{report_type}/{period}/versjoner/{version['versjon']}")
    envelope = uow.publish(data)
    await webhooks.enqueue(uow.session, envelope, report_type)
    return envelope


async def take_step(*, uow: UnitOfWork, report_type: str, period: str, action: str, actor: Actor,
                    reason: str | None = None) -> dict[str, Any]:
    """Approve, send back or send (submission freezes a version: :func:`submit`)."""
    model = service.model_for(service.year_of(period))
    check_known(model, report_type, period)
    async with uow:
        state = await state_of(uow.session, report_type, period)
        target = check_step(state, action, report_type, actor, reason)
        step = await _record(uow, report_type, period, state, action, target, actor, state.versjon, reason)
        if action == "send":
            row = await service.get_version(uow.session, report_type, period, state.versjon)
            await _send_event(uow, model, report_type, period, state, row, actor, step["tid"])
    return step


def check_known(model: Styringsmodell, report_type: str, period: str) -> None:
    """The calendar has this report (404 otherwise)."""
    try:
        reports.period_info(model, report_type, period)
    except reports.UnknownPeriod as exc:
        raise errors.NotFound(str(exc)) from exc


async def submit(*, db: Database, uow: UnitOfWork, consumer: str, threshold: int, report_type: str, period: str,
                 actor: Actor, by: str) -> dict[str, Any]:
    """Check completeness, freeze a version and move it to ``til_godkjenning``."""
    model = service.model_for(service.year_of(period))
    check_known(model, report_type, period)
    async with db.sessions() as session:
        state = await state_of(session, report_type, period)
        check_step(state, "send_til_godkjenning", report_type, actor, None)
        gaps = missing(await reports.build(session, model, report_type, period))
    if gaps:
        raise errors.Conflict("Rapporten er ikke komplett og kan ikke sendes til godkjenning.", slug="ufullstendig",
                              mangler=gaps)
    row, _ = await service.publish(db=db, consumer=consumer, report_type=report_type, period=period, by=by,
                                   threshold=threshold)
    gaps = missing(json.loads(row["innhold"]))  # the data may have moved between the check and the freeze
    if gaps:
        raise errors.Conflict("Rapporten er ikke komplett og kan ikke sendes til godkjenning.", slug="ufullstendig",
                              mangler=gaps)
    if state.siste_sendte == row["versjon"]:
        raise errors.Conflict(f"Rapporten er uendret siden versjon {row['versjon']} ble sendt; det er ingenting å "
                              "rette.", slug="uendret")
    async with uow:
        state = await state_of(uow.session, report_type, period)
        target = check_step(state, "send_til_godkjenning", report_type, actor, None)
        return await _record(uow, report_type, period, state, "send_til_godkjenning", target, actor,
                             row["versjon"], None)


async def send_month(db: Database, period: str, version: dict[str, Any]) -> bool:
    """The scheduler's step for a monthly report: send the frozen version unless it is sent already."""
    model = service.model_for(service.year_of(period))
    uow = db.unit_of_work(source_service="rapportering")
    try:
        async with uow:
            state = await state_of(uow.session, "manedsrapport", period)
            if version["versjon"] in {v for v, _ in state.sendte}:
                return False
            target = check_step(state, "send_automatisk", "manedsrapport", SYSTEM_ACTOR, None)
            step = await _record(uow, "manedsrapport", period, state, "send_automatisk", target, SYSTEM_ACTOR,
                                 version["versjon"], "Månedsrapport sendt automatisk når måneden er avsluttet.")
            await _send_event(uow, model, "manedsrapport", period, state, version, SYSTEM_ACTOR, step["tid"])
    except (errors.Conflict, Conflict):  # another round sent it first
        return False
    return True


async def replay(session: AsyncSession, envelopes: Iterable[Envelope]) -> int:
    """Rebuild the history table from ``rapport-status-endret`` events (idempotent by event id)."""
    applied = 0
    known = set((await session.execute(select(workflow_step.c.event_id))).scalars())
    for env in envelopes:
        if env.type != ev.RAPPORT_STATUS_ENDRET_V1.type or env.id in known:
            continue
        data = ev.RapportStatusEndretV1.model_validate(env.data)
        await session.execute(workflow_step.insert().values(**data.model_dump(), event_id=env.id))
        known.add(env.id)
        applied += 1
    return applied


@dataclass
class Visible:
    """Which versions a reader may get: internal readers every frozen version, JD the sent ones."""

    internal: bool
    sent: dict[tuple[str, str], dict[int, datetime]] = field(default_factory=dict)

    def allows(self, row: dict[str, Any]) -> bool:
        return self.internal or row["versjon"] in self.sent.get((row["rapporttype"], row["periode"]), {})

    def previous(self, row: dict[str, Any]) -> int | None:
        if self.internal:
            return row["versjon"] - 1 if row["versjon"] > 1 else None
        earlier = [v for v in self.sent.get((row["rapporttype"], row["periode"]), {}) if v < row["versjon"]]
        return max(earlier) if earlier else None


async def visible(session: AsyncSession, internal: bool) -> Visible:
    return Visible(internal, {} if internal else await sent_versions(session))


async def latest_visible(session: AsyncSession, report_type: str, period: str, seen: Visible) -> dict | None:
    if seen.internal:
        return await service.latest_version(session, report_type, period)
    versions = seen.sent.get((report_type, period))
    if not versions:
        return None
    return await service.get_version(session, report_type, period, max(versions))

