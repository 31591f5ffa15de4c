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


class SakAvsluttetV1(PersonGroup):
    """The case was closed without settlement by IMDi."""

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
                                "The case was closed without settlement by IMDi (settled on own agreement, "
                                "withdrawn, left the country).", avsluttet_dato=date(2017, 4, 1),
                                arsak="selvbosatt", kommunenummer="1201")
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
