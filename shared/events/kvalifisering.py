"""kvalifisering's events: Norwegian training, the introduction programme, Jobbsjansen, the municipality
survey. Pseudonymous person references only; names, identity numbers and free text never leave the service."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.events.schemas import EventData, Kategori, Kommunenummer, PersonRef, fact_spec


class OpplaeringRettV1(EventData):
    """SP4: a person's right and duty to training in Norwegian and social studies, and when training began
    (null until it does). A later event for the person replaces the earlier one."""

    person_ref: str = PersonRef
    kjonn: Literal["K", "M"]
    kommunenummer: str = Kommunenummer
    rett_fra: date = Field(description="When the right and duty began.")
    opplaering_start: date | None = None
    fritatt: bool = Field(default=False, description="Exempted from the duty: outside SP4 and SP5.")


class OpplaeringPliktV1(EventData):
    """SP5: a person's three-year deadline, and the date the duty was fulfilled (null until it is)."""

    person_ref: str = PersonRef
    kjonn: Literal["K", "M"]
    kommunenummer: str = Kommunenummer
    frist: date = Field(description="The three-year deadline (the right's start + 36 calendar months).")
    oppfylt: date | None = None
    fritatt: bool = Field(default=False, description="Exempted from the duty: outside SP4 and SP5.")


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
    kommunenummer: str = Kommunenummer
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



_P = "p-3f2a9c1e0b7d4a6f8e5c2b1a0d9e8f7c"
OPPLAERING_RETT_V1 = fact_spec(
    "kvalifisering", "opplaering-rett", OpplaeringRettV1, lambda d: d.person_ref, "Rett og plikt til opplæring",
    "SP4: right and duty to training began, and when training started. Keyed by person reference.",
    OpplaeringRettV1(person_ref=_P, kjonn="K", kommunenummer="0301", rett_fra=date(2017, 1, 15),
                     opplaering_start=date(2017, 3, 1)))
OPPLAERING_PLIKT_V1 = fact_spec(
    "kvalifisering", "opplaering-plikt", OpplaeringPliktV1, lambda d: d.person_ref, "Plikt til opplæring",
    "SP5: the three-year deadline and when the duty was fulfilled. Keyed by person reference.",
    OpplaeringPliktV1(person_ref=_P, kjonn="K", kommunenummer="0301", frist=date(2017, 9, 1), oppfylt=date(2017, 6, 1)))
INTRODUKSJONSPROGRAM_AR_V1 = fact_spec(
    "kvalifisering", "introduksjonsprogram-ar", IntroduksjonsprogramArV1, lambda d: d.kommunenummer,
    "Introduksjonsprogram i kommunen, år", "SP6: participants and those with primary or upper-secondary "
    "education in the programme, per municipality and year. Keyed by kommunenummer.",
    IntroduksjonsprogramArV1(kommunenummer="0301", ar=2017, deltakere=1200, med_grunnskole_eller_vgs=300))
KOMMUNEUNDERSOKELSE_V1 = fact_spec(
    "kvalifisering", "kommuneundersokelse-svar", KommuneundersokelseV1, lambda d: d.kommunenummer,
    "Svar på kommuneundersøkelsen", "SP7 and SP11: a municipality's answer to the year's survey. Keyed by "
    "kommunenummer.", KommuneundersokelseV1(kommunenummer="0301", ar=2017, tilbyr_introduksjonsprogram=True,
                                            har_resultatmal=True, tolkeretningslinjer_med_register=False))
INTRODUKSJONSPROGRAM_AVSLUTTET_V1 = fact_spec(
    "kvalifisering", "introduksjonsprogram-avsluttet", IntroduksjonsprogramAvsluttetV1, lambda d: d.person_ref,
    "Introduksjonsprogram avsluttet", "SP8: a participant ended the programme; the status one year after follows. "
    "Keyed by person reference.", IntroduksjonsprogramAvsluttetV1(
        person_ref=_P, kjonn="K", kategori="asyl", kommunenummer="0301", avsluttet_dato=date(2016, 6, 30),
        arbeid_eller_utdanning_ett_ar_etter=True))
JOBBSJANSEN_AVSLUTTET_V1 = fact_spec(
    "kvalifisering", "jobbsjansen-avsluttet", JobbsjansenAvsluttetV1, lambda d: d.person_ref,
    "Jobbsjansen avsluttet", "SP9.1/SP9.2: a participant in part A or C ended. Keyed by person reference.",
    JobbsjansenAvsluttetV1(person_ref=_P, kjonn="K", programdel="A", avsluttet_dato=date(2017, 5, 31),
                           direkte_til_arbeid_eller_utdanning=True))
