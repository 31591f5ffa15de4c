"""Event schemas, versioned. Events carry pseudonymous person references, never names or identifiers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.registry import EventSpec, register

PersonRef = Field(pattern=r"^p-[0-9a-f]{32}$", description="Pseudonymous person reference (keyed hash).")
Kommunenummer = Field(pattern=r"^[0-9]{4}$", description="Kommunenummer in the 2017 division.")

Kategori = Literal["overforingsflyktning", "asyl", "familiegjenforent"]
EmAldersgruppe = Literal["under_15", "15_18"]
Tilskuddsgruppe = Literal["enslig_voksen", "voksen", "barn", "enslig_mindrearig"]
Stadium = Literal["vedtak", "klar", "utvalgt", "akseptert", "bosatt", "avsluttet"]


class EventData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonGroup(EventData):
    """What statistics need about the person, and nothing that identifies them."""

    person_ref: str = PersonRef
    kjonn: Literal["K", "M"] = Field(description="K = kvinne, M = mann.")
    fodselsar: int | None = Field(default=None, ge=1900, le=2100)
    kategori: Kategori = "asyl"
    enslig_mindrearig: bool = False
    em_aldersgruppe: EmAldersgruppe | None = Field(
        default=None, description="For EM: under 15 (settled from Bufetat's care centres) or 15–18 (from UDI).")
    nedsatt_funksjonsevne: bool = Field(default=False, description="Known disability or behavioural needs.")
    familie_ref: str | None = Field(default=None, pattern=r"^f-[0-9a-f]{32}$",
                                    description="Pseudonymous family reference: a family is settled together.")
    vedtaksdato: date = Field(description="Decision or entry permit that gives the basis for settlement.")


class SakRegistrertV1(PersonGroup):
    """A settlement case was registered (the person has a decision that gives the basis for settlement)."""


class SakEndretV1(PersonGroup):
    """The case's statistical data were corrected (kjønn, birth year, category, EM, family, priority group)."""


class PersonKlarV1(PersonGroup):
    """The person is ready for settlement."""

    klar_dato: date


class PersonUtvalgtV1(PersonGroup):
    """IMDi proposed the person to a municipality (utsøking)."""

    utvalgt_dato: date
    kommunenummer: str = Kommunenummer


class PersonAkseptertV1(PersonGroup):
    """The municipality accepted the proposed person."""

    akseptert_dato: date
    kommunenummer: str = Kommunenummer


class PersonBosattV1(PersonGroup):
    """A person was settled in a municipality. A later event for the same person replaces the earlier one."""

    bosettingsdato: date
    kommunenummer: str = Kommunenummer
    tilskuddsgruppe: Tilskuddsgruppe | None = Field(
        default=None, description="Group for integreringstilskudd year one (single adult, adult, child, EM).")
    klar_dato: date | None = None
    utvalgt_dato: date | None = None
    akseptert_dato: date | None = None
    selvbosatt_etter_avtale: bool = Field(
        default=False, description="The person settled themselves by agreement with the municipality (the case "
        "is closed; the agreement's date and kommune are the settlement's). Counts as settled in SP1–SP3.")


class SakAvsluttetV1(PersonGroup):
    """The case was closed without settlement by the scheme (settled without an agreement with a municipality,
    withdrawn, left the country). Settling by agreement with a municipality is ``person-bosatt``."""

    avsluttet_dato: date
    arsak: Literal["selvbosatt", "trukket", "utreist"]
    kommunenummer: str | None = Field(default=None, pattern=r"^[0-9]{4}$",
                                      description="For selvbosatt: the municipality the person settled in.")


class AnmodningSendtV1(EventData):
    """IMDi requested settlement places from a municipality for a year (latest figures replace earlier ones)."""

    kommunenummer: str = Kommunenummer
    ar: int = Field(ge=2000, le=2100)
    antall: int = Field(ge=0)
    herav_em: int = Field(ge=0)
    sendt_dato: date


class KommunevedtakFattetV1(EventData):
    """A municipality decided how many refugees it will settle in a year (latest figures replace earlier)."""

    kommunenummer: str = Kommunenummer
    ar: int = Field(ge=2000, le=2100)
    antall: int = Field(ge=0)
    herav_em: int = Field(ge=0)
    vedtaksdato: date


_GROUP_EXAMPLE = dict(person_ref="p-3f2a9c1e0b7d4a6f8e5c2b1a0d9e8f7c", kjonn="K", fodselsar=1990, kategori="asyl",
                      enslig_mindrearig=False, em_aldersgruppe=None, nedsatt_funksjonsevne=False,
                      familie_ref="f-9b8a7c6d5e4f30211203f4e5d6c7b8a9", vedtaksdato=date(2017, 1, 10))


def _person_spec(name: str, model: type[BaseModel], title: str, description: str, **example) -> EventSpec:
    return register(EventSpec(service="bosetting", name=name, version=1, model=model, key=lambda d: d.person_ref,
                              title=title, description=description + " Keyed by person reference.",
                              example=model(**_GROUP_EXAMPLE, **example)))


SAK_REGISTRERT_V1 = _person_spec("sak-registrert", SakRegistrertV1, "Sak registrert",
                                 "A settlement case was registered with its decision date.")
SAK_ENDRET_V1 = _person_spec("sak-endret", SakEndretV1, "Sak endret",
                              "The case's statistical data were corrected; figures that use them follow.")
PERSON_KLAR_V1 = _person_spec("person-klar", PersonKlarV1, "Person klar for bosetting",
                              "The person is ready for settlement.", klar_dato=date(2017, 1, 20))
PERSON_UTVALGT_V1 = _person_spec("person-utvalgt", PersonUtvalgtV1, "Person utvalgt",
                                 "IMDi proposed the person to a municipality.", utvalgt_dato=date(2017, 3, 1),
                                 kommunenummer="0301")
PERSON_AKSEPTERT_V1 = _person_spec("person-akseptert", PersonAkseptertV1, "Person akseptert",
                                   "The municipality accepted the person.", akseptert_dato=date(2017, 3, 15),
                                   kommunenummer="0301")
PERSON_BOSATT_V1 = _person_spec(
    "person-bosatt", PersonBosattV1, "Person bosatt",
    "A refugee was settled in a municipality: the dates the measures (SP1–SP3) and the grants "
    "(integreringstilskudd, EM grant) need. A later event for the same person replaces the earlier one "
    "(correction).",
    bosettingsdato=date(2017, 5, 2), kommunenummer="0301", tilskuddsgruppe="voksen",
    klar_dato=date(2017, 1, 20), utvalgt_dato=date(2017, 3, 1), akseptert_dato=date(2017, 3, 15))
SAK_AVSLUTTET_V1 = _person_spec("sak-avsluttet", SakAvsluttetV1, "Sak avsluttet",
                                "The case was closed without settlement by the scheme (settled without an "
                                "agreement with a municipality, withdrawn, left the country).",
                                avsluttet_dato=date(2017, 4, 1), arsak="selvbosatt", kommunenummer="1201")
ANMODNING_SENDT_V1 = register(EventSpec(
    service="bosetting", name="anmodning-sendt", version=1, model=AnmodningSendtV1,
    key=lambda d: d.kommunenummer, title="Anmodning sendt",
    description="IMDi's request to a municipality: places for a year, of which EM. Keyed by kommunenummer.",
    example=AnmodningSendtV1(kommunenummer="0301", ar=2017, antall=1200, herav_em=80,
                             sendt_dato=date(2016, 9, 15))))
KOMMUNEVEDTAK_FATTET_V1 = register(EventSpec(
    service="bosetting", name="kommunevedtak-fattet", version=1, model=KommunevedtakFattetV1,
    key=lambda d: d.kommunenummer, title="Kommunevedtak fattet",
    description="The municipality's decision: places it will settle in a year, of which EM. Keyed by "
    "kommunenummer.",
    example=KommunevedtakFattetV1(kommunenummer="0301", ar=2017, antall=1000, herav_em=60,
                                  vedtaksdato=date(2016, 12, 1))))


def fact_spec(service: str, name: str, model: type[BaseModel], key, title: str, description: str,
               example: BaseModel) -> EventSpec:
    """Register a service's event (v1) with its documentation and example."""
    return register(EventSpec(service=service, name=name, version=1, model=model, key=key, title=title,
                              description=description, example=example))


# --- steering: milestones (from any service), assessments, report texts, risk --------------------------
class MilepaelOppdatertV1(EventData):
    """Progress on one milestone of an assignment (oppdrag). Any service may publish it."""

    ar: int = Field(ge=2000, le=2100, description="The steering letter's year.")
    oppdrag: str = Field(pattern=r"^O[0-9]+$")
    milepael: str = Field(pattern=r"^M[0-9]+$")
    ferdig: bool
    fremdrift: int = Field(ge=0, le=100, description="Per cent done.")
    dato: date = Field(description="When the milestone was reached, or the date of this status.")
    kommentar: str | None = Field(default=None, max_length=2000)


class NokkeltallV1(EventData):
    """A figure an assignment or reporting requirement is followed up by, as its source service counts it:
    O5–O7's monthly progress (registered, share of the target group, offered career guidance), O7's
    integration reception figure, R10/R11's counts (tests, authorisations, ID cards, complaints by type). The
    newest event for (ar, objekt, periode, navn, dimensjon, kategori) stands. A count of persons
    (``personer``) reaches JD only through the report's disclosure control."""

    ar: int = Field(ge=2000, le=2100, description="The steering letter's year.")
    objekt: str = Field(pattern=r"^[OR][0-9]+$", description="The assignment (O) or requirement (R) it follows up.")
    periode: str = Field(pattern=r"^[0-9]{4}(-H[12]|-(0[1-9]|1[0-2]))?$",
                         description="The year, half-year (2017-H1) or month (2017-03) the figure is for.")
    navn: str = Field(pattern=r"^[a-z0-9_]{1,40}$", description="Machine name of the figure (e.g. registrerte).")
    tekst: str = Field(min_length=1, max_length=200, description="The figure's label in Norwegian.")
    dimensjon: str = Field(default="alle", pattern=r"^[a-z_]{1,16}$", description="A breakdown (e.g. sprak).")
    kategori: str = Field(default="alle", min_length=1, max_length=40, description="The value in the breakdown.")
    antall: int = Field(ge=0)
    nevner: int | None = Field(default=None, ge=0, description="For a share: ``antall`` of ``nevner``.")
    personer: bool = Field(default=True, description="The figure counts persons (small counts are hidden for JD).")


class RisikovurderingV1(EventData):
    """The agency's own risk assessment and corrective measures for an SP or assignment, recorded beside
    the computed status (never over it)."""

    ar: int = Field(ge=2000, le=2100)
    objekt: str = Field(pattern=r"^(SP[0-9]+(\.[0-9])?|O[0-9]+)$")
    status: Literal["gronn", "gul", "rod"]
    begrunnelse: str = Field(max_length=4000)
    tiltak: str | None = Field(default=None, max_length=4000)
    dato: date


class RapporttekstV1(EventData):
    """The agency's narrative for one reporting requirement (R) in one report."""

    rapporttype: Literal["halvarsrapport", "arsrapport"]
    periode: str = Field(pattern=r"^[0-9]{4}(-H[12])?$")
    krav: str = Field(pattern=r"^R[0-9]+(\.[0-9])?$")
    tekst: str = Field(max_length=20000)


class RisikoEndretV1(EventData):
    """The computed risk status of an SP, an assignment or a reporting obligation changed."""

    ar: int
    objekt: str = Field(pattern=r"^(SP[0-9]+(\.[0-9])?|O[0-9]+|RK-(H[12]|AR|M(0[1-9]|1[0-2])))$",
                        description="SP or assignment id, or a reporting obligation of the year's calendar: "
                        "RK-H1 (half-year report), RK-AR (annual report), RK-M01 … RK-M12 (monthly reports).")
    fra: Literal["gronn", "gul", "rod", "ingen_data"] | None
    til: Literal["gronn", "gul", "rod", "ingen_data"]
    begrunnelse: str
    per_dato: date


_MILESTONE_EXAMPLE = dict(ar=2017, oppdrag="O10", milepael="M1", ferdig=True, fremdrift=100, dato=date(2017, 2, 20),
                          kommentar="Utbetalt 4 mill. kroner til Oslo kommune.")
MILEPAEL_OPPDATERT_V1 = {
    service: register(EventSpec(
        service=service, name="milepael-oppdatert", version=1, model=MilepaelOppdatertV1,
        key=lambda d: f"{d.ar}-{d.oppdrag}", title="Milepæl oppdatert",
        description="Progress on an assignment's milestone, from any service (for example tilskudd completing "
        "O10's first milestone with the disbursement to Oslo kommune). Keyed by year and assignment.",
        example=MilepaelOppdatertV1(**_MILESTONE_EXAMPLE)))
    for service in ("bosetting", "kvalifisering", "tolkeregister", "tilskudd", "rapportering")
}
NOKKELTALL_V1 = {
    service: register(EventSpec(
        service=service, name="nokkeltall", version=1, model=NokkeltallV1,
        key=lambda d: f"{d.ar}-{d.objekt}", title="Nøkkeltall",
        description="A figure that follows up an assignment or reporting requirement (O5–O7 monthly progress, "
        "R10/R11 counts), from the service that counts it. Keyed by year and object.",
        example=NokkeltallV1(ar=2017, objekt="O5", periode="2017-03", navn="registrerte",
                             tekst="Registrert kompetanse i mottak", antall=1250, nevner=4000)))
    for service in ("bosetting", "kvalifisering", "tolkeregister", "tilskudd")
}
RISIKOVURDERING_V1 = register(EventSpec(
    service="rapportering", name="risikovurdering-registrert", version=1, model=RisikovurderingV1,
    key=lambda d: f"{d.ar}-{d.objekt}", title="Risikovurdering registrert",
    description="The agency's own assessment and corrective measures, kept beside the computed status.",
    example=RisikovurderingV1(ar=2017, objekt="SP1", status="gul", begrunnelse="Færre kommunevedtak enn anmodet.",
                              tiltak="Tettere oppfølging av 20 kommuner.", dato=date(2017, 6, 30))))
RAPPORTTEKST_V1 = register(EventSpec(
    service="rapportering", name="rapporttekst-registrert", version=1, model=RapporttekstV1,
    key=lambda d: f"{d.rapporttype}-{d.periode}", title="Rapporttekst registrert",
    description="The agency's narrative for a reporting requirement in a report.",
    example=RapporttekstV1(rapporttype="halvarsrapport", periode="2017-H1", krav="R1",
                           tekst="Tiltak for å korte ned tidsbruken: …")))
RISIKO_ENDRET_V1 = register(EventSpec(
    service="rapportering", name="risiko-endret", version=1, model=RisikoEndretV1,
    key=lambda d: f"{d.ar}-{d.objekt}", title="Risiko endret",
    description="The computed risk status of an SP or assignment changed, with the reason in words.",
    example=RisikoEndretV1(ar=2017, objekt="SP1", fra="gronn", til="gul",
                           begrunnelse="Framskrevet 87,1 % mot krav 90 %.", per_dato=date(2017, 6, 30))))


# --- the report workflow: draft → for approval → approved → sent to JD ----------------------------------
Rapporttilstand = Literal["utkast", "til_godkjenning", "godkjent", "sendt"]
Rapporthandling = Literal["send_til_godkjenning", "godkjenn", "avvis", "send", "send_automatisk"]


class RapportStatusEndretV1(EventData):
    """One step of a report's workflow: who (role and unit, and a pseudonymous actor reference so that the
    one who submitted cannot approve; never a name), when (the event time) and why. ``sekvens`` numbers the
    steps of one report from 1, so the history is rebuilt by replaying these events in that order."""

    rapporttype: Literal["halvarsrapport", "arsrapport", "manedsrapport"]
    periode: str = Field(pattern=r"^[0-9]{4}(-H[12]|-(0[1-9]|1[0-2]))?$")
    sekvens: int = Field(ge=1)
    handling: Rapporthandling
    fra: Rapporttilstand
    til: Rapporttilstand
    versjon: int | None = Field(default=None, ge=1, description="The frozen version the step concerns.")
    rolle: str = Field(min_length=1, max_length=40, description="The actor's role (e.g. godkjenner, system).")
    enhet: str = Field(min_length=1, max_length=80, description="The actor's unit in IMDi.")
    aktor_ref: str = Field(pattern=r"^a-[0-9a-f]{32}$|^system$",
                           description="Pseudonymous actor reference (keyed hash of the token subject), or system.")
    begrunnelse: str | None = Field(default=None, max_length=4000, description="Why (required when sent back).")
    tid: datetime = Field(description="When the step was taken.")


class RapportSendtV1(EventData):
    """A report version was sent to JD: it is now what JD reads. Delivered to JD's registered webhooks."""

    rapporttype: Literal["halvarsrapport", "arsrapport", "manedsrapport"]
    periode: str = Field(pattern=r"^[0-9]{4}(-H[12]|-(0[1-9]|1[0-2]))?$")
    versjon: int = Field(ge=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the version as JD reads it (suppressed).")
    forrige_versjon: int | None = Field(default=None, ge=1, description="The version sent before this one.")
    frist: date
    i_tide: bool = Field(description="Sent on or before the deadline.")
    sendt: datetime
    rolle: str = Field(min_length=1, max_length=40)
    enhet: str = Field(min_length=1, max_length=80)
    lenke: str = Field(description="Where JD reads the version (API path).")


_STEP_EXAMPLE = dict(rapporttype="halvarsrapport", periode="2017-H1", sekvens=3, handling="godkjenn",
                     fra="til_godkjenning", til="godkjent", versjon=2, rolle="godkjenner",
                     enhet="IMDi (ledelsen)", aktor_ref="a-0f1e2d3c4b5a69788796a5b4c3d2e1f0", begrunnelse=None,
                     tid=datetime(2017, 8, 15, 10, 0, tzinfo=UTC))
RAPPORT_STATUS_ENDRET_V1 = register(EventSpec(
    service="rapportering", name="rapport-status-endret", version=1, model=RapportStatusEndretV1,
    key=lambda d: f"{d.rapporttype}-{d.periode}", title="Rapportstatus endret",
    description="A step in a report's workflow (submitted, approved, sent back, sent), with the role and unit "
    "of who took it and why. Keyed by report.",
    example=RapportStatusEndretV1(**_STEP_EXAMPLE)))
RAPPORT_SENDT_V1 = register(EventSpec(
    service="rapportering", name="rapport-sendt", version=1, model=RapportSendtV1,
    key=lambda d: f"{d.rapporttype}-{d.periode}", title="Rapport sendt",
    description="A report version was sent to JD and can be read there; also delivered to registered webhooks, "
    "signed. Keyed by report.",
    example=RapportSendtV1(rapporttype="halvarsrapport", periode="2017-H1", versjon=2, sha256="0" * 64,
                           forrige_versjon=None, frist=date(2017, 8, 19), i_tide=True,
                           sendt=datetime(2017, 8, 16, 9, 30, tzinfo=UTC), rolle="godkjenner",
                           enhet="IMDi (ledelsen)", lenke="/api/v1/rapporter/halvarsrapport/2017-H1/versjoner/2")))
