"""Event schemas, versioned. Events carry pseudonymous person references, never names or identifiers."""

from __future__ import annotations

from datetime import date
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


# --- the facts SP4–SP11 count (declared for kvalifisering and tolkeregister to publish; minimal, v1) -------
class OpplaeringRettV1(EventData):
    """SP4: a person's right and duty to training in Norwegian and social studies, and when training began
    (null until it does). A later event for the person replaces the earlier one."""

    person_ref: str = PersonRef
    kjonn: Literal["K", "M"]
    rett_fra: date = Field(description="When the right and duty began.")
    opplaering_start: date | None = None


class OpplaeringPliktV1(EventData):
    """SP5: a person's three-year deadline, and the date the duty was fulfilled (null until it is)."""

    person_ref: str = PersonRef
    kjonn: Literal["K", "M"]
    frist: date
    oppfylt: date | None = None


class IntroduksjonsprogramArV1(EventData):
    """SP6: a municipality's introduction programme in a year: participants, and of them how many had primary
    or upper-secondary education as a programme element (the latest figures for the year replace earlier)."""

    kommunenummer: str = Kommunenummer
    ar: int = Field(ge=2000, le=2100)
    deltakere: int = Field(ge=0)
    med_grunnskole_eller_vgs: int = Field(ge=0)


class KommuneundersokelseV1(EventData):
    """SP7 and SP11: a municipality's answer to the year's municipality survey (the latest answer counts)."""

    kommunenummer: str = Kommunenummer
    ar: int = Field(ge=2000, le=2100)
    tilbyr_introduksjonsprogram: bool = Field(description="To its own residents or others'.")
    har_resultatmal: bool = Field(description="Has result goals for the introduction programme.")
    tolkeretningslinjer_med_register: bool = Field(
        description="Has guidelines for ordering interpreters that include Nasjonalt tolkeregister.")


class IntroduksjonsprogramAvsluttetV1(EventData):
    """SP8: a participant ended the introduction programme; the register status one year after (in work or
    education) follows in a later event for the same person (null until known)."""

    person_ref: str = PersonRef
    kjonn: Literal["K", "M"]
    kategori: Kategori
    avsluttet_dato: date
    arbeid_eller_utdanning_ett_ar_etter: bool | None = None


class JobbsjansenAvsluttetV1(EventData):
    """SP9.1/SP9.2: a participant in Jobbsjansen part A or C ended, and whether they went directly to work or
    education."""

    person_ref: str = PersonRef
    kjonn: Literal["K", "M"]
    programdel: Literal["A", "C"]
    avsluttet_dato: date
    direkte_til_arbeid_eller_utdanning: bool


class TolkOppfortV1(EventData):
    """SP10: an interpreter's entry in Nasjonalt tolkeregister: the highest qualification category (1 is the
    highest) and when the entry began and (if it has) ended. A later event replaces the earlier one."""

    tolk_ref: str = Field(pattern=r"^t-[0-9a-f]{32}$", description="Pseudonymous interpreter reference.")
    hoyeste_kategori: int = Field(ge=1, le=5)
    oppfort_dato: date
    avregistrert_dato: date | None = None


class EtatTolkeretningslinjerV1(EventData):
    """SP11: a state agency on the list, and whether its guidelines for ordering interpreters include the
    register, for a year (the latest answer counts)."""

    etat: str = Field(pattern=r"^[0-9]{9}$", description="The agency's organisation number.")
    ar: int = Field(ge=2000, le=2100)
    tolkeretningslinjer_med_register: bool


def _fact_spec(service: str, name: str, model: type[BaseModel], key, title: str, description: str,
               example: BaseModel) -> EventSpec:
    return register(EventSpec(service=service, name=name, version=1, model=model, key=key, title=title,
                              description=description, example=example))


_P = "p-3f2a9c1e0b7d4a6f8e5c2b1a0d9e8f7c"
OPPLAERING_RETT_V1 = _fact_spec(
    "kvalifisering", "opplaering-rett", OpplaeringRettV1, lambda d: d.person_ref, "Rett og plikt til opplæring",
    "SP4: right and duty to training began, and when training started. Keyed by person reference.",
    OpplaeringRettV1(person_ref=_P, kjonn="K", rett_fra=date(2017, 1, 15), opplaering_start=date(2017, 3, 1)))
OPPLAERING_PLIKT_V1 = _fact_spec(
    "kvalifisering", "opplaering-plikt", OpplaeringPliktV1, lambda d: d.person_ref, "Plikt til opplæring",
    "SP5: the three-year deadline and when the duty was fulfilled. Keyed by person reference.",
    OpplaeringPliktV1(person_ref=_P, kjonn="K", frist=date(2017, 9, 1), oppfylt=date(2017, 6, 1)))
INTRODUKSJONSPROGRAM_AR_V1 = _fact_spec(
    "kvalifisering", "introduksjonsprogram-ar", IntroduksjonsprogramArV1, lambda d: d.kommunenummer,
    "Introduksjonsprogram i kommunen, år", "SP6: participants and those with primary or upper-secondary "
    "education in the programme, per municipality and year. Keyed by kommunenummer.",
    IntroduksjonsprogramArV1(kommunenummer="0301", ar=2017, deltakere=1200, med_grunnskole_eller_vgs=300))
KOMMUNEUNDERSOKELSE_V1 = _fact_spec(
    "kvalifisering", "kommuneundersokelse-svar", KommuneundersokelseV1, lambda d: d.kommunenummer,
    "Svar på kommuneundersøkelsen", "SP7 and SP11: a municipality's answer to the year's survey. Keyed by "
    "kommunenummer.", KommuneundersokelseV1(kommunenummer="0301", ar=2017, tilbyr_introduksjonsprogram=True,
                                            har_resultatmal=True, tolkeretningslinjer_med_register=False))
INTRODUKSJONSPROGRAM_AVSLUTTET_V1 = _fact_spec(
    "kvalifisering", "introduksjonsprogram-avsluttet", IntroduksjonsprogramAvsluttetV1, lambda d: d.person_ref,
    "Introduksjonsprogram avsluttet", "SP8: a participant ended the programme; the status one year after follows. "
    "Keyed by person reference.", IntroduksjonsprogramAvsluttetV1(
        person_ref=_P, kjonn="K", kategori="asyl", avsluttet_dato=date(2016, 6, 30),
        arbeid_eller_utdanning_ett_ar_etter=True))
JOBBSJANSEN_AVSLUTTET_V1 = _fact_spec(
    "kvalifisering", "jobbsjansen-avsluttet", JobbsjansenAvsluttetV1, lambda d: d.person_ref,
    "Jobbsjansen avsluttet", "SP9.1/SP9.2: a participant in part A or C ended. Keyed by person reference.",
    JobbsjansenAvsluttetV1(person_ref=_P, kjonn="K", programdel="A", avsluttet_dato=date(2017, 5, 31),
                           direkte_til_arbeid_eller_utdanning=True))
TOLK_OPPFORT_V1 = _fact_spec(
    "tolkeregister", "tolk-oppfort", TolkOppfortV1, lambda d: d.tolk_ref, "Tolk oppført i registeret",
    "SP10: an interpreter's entry in the register and highest category. Keyed by interpreter reference.",
    TolkOppfortV1(tolk_ref="t-0a1b2c3d4e5f60718293a4b5c6d7e8f9", hoyeste_kategori=2,
                  oppfort_dato=date(2016, 3, 1)))
ETAT_TOLKERETNINGSLINJER_V1 = _fact_spec(
    "tolkeregister", "etat-tolkeretningslinjer", EtatTolkeretningslinjerV1, lambda d: d.etat,
    "Statlig etats retningslinjer for tolkebruk", "SP11: whether a state agency's guidelines for ordering "
    "interpreters include the register, for a year. Keyed by organisation number.",
    EtatTolkeretningslinjerV1(etat="974760673", ar=2017, tolkeretningslinjer_med_register=True))


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
    """The computed risk status of an SP or assignment changed."""

    ar: int
    objekt: str
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
