"""API models. Field names are the domain's (Norwegian); validation messages are Norwegian."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import fodselsnummer as fnr

from shared.dates import age_on, today_oslo
from shared.geo import kommuner_2017

Kjonn = Literal["K", "M"]
Kategori = Literal["overforingsflyktning", "asyl", "familiegjenforent"]
# selvbosatt_etter_avtale: the person settled by agreement with a municipality; settled by the scheme (counts
# in SP1–SP3 with the agreement's date and kommune). selvbosatt: settled without such an agreement (does not).
SELF_SETTLED = ("selvbosatt", "selvbosatt_etter_avtale")
Arsak = Literal["selvbosatt_etter_avtale", "selvbosatt", "trukket", "utreist"]
KOMMUNE = r"^[0-9]{4}$"


def validate_duf(value: str) -> str:
    value = value.strip()
    if len(value) != 12 or not value.isdigit():
        raise ValueError("DUF-nummeret må ha 12 siffer.")
    if not 1950 <= int(value[:4]) <= today_oslo().year:
        raise ValueError("DUF-nummeret må begynne med årstallet for første søknad.")
    return value


def validate_kommunenummer(value: str | None) -> str | None:
    if value is not None and value not in kommuner_2017():
        raise ValueError("Kommunenummeret finnes ikke i 2017-inndelingen.")
    return value


def validate_fodselsnummer(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return fnr.validate(value)
    except StdnumError as exc:
        raise ValueError("Ugyldig fødselsnummer eller D-nummer.") from exc


def not_future(value: date | None) -> date | None:
    if value is not None and value > today_oslo():
        raise ValueError("Datoen kan ikke være fram i tid.")
    return value


class _Person(BaseModel):
    """Who the person is. Identifiers and names stay in bosetting."""

    navn: str | None = Field(default=None, max_length=200)
    fodselsnummer: str | None = Field(default=None, description="Fødselsnummer or D-nummer, if the person has one.")
    kjonn: Kjonn = Field(description="K = kvinne, M = mann.")
    fodselsdato: date | None = None
    fodselsar: int | None = Field(default=None, ge=1900, le=2100)
    kategori: Kategori = Field(default="asyl", description="overforingsflyktning (resettlement refugee), asyl, "
                               "or familiegjenforent (family member of a refugee).")
    enslig_mindrearig: bool = False
    nedsatt_funksjonsevne: bool = Field(default=False, description="Known disability or behavioural needs "
                                        "(a priority group).")
    familie_id: str | None = Field(default=None, max_length=100, description="Links a family so it is settled "
                                   "together: the same value on every member's case.")

    @field_validator("fodselsnummer")
    @classmethod
    def _fnr(cls, v: str | None) -> str | None:
        return validate_fodselsnummer(v)

    @field_validator("fodselsdato")
    @classmethod
    def _born(cls, v: date | None) -> date | None:
        return not_future(v)

    @model_validator(mode="after")
    def _consistent(self):
        if self.fodselsnummer is not None:
            born = fnr.get_birth_date(self.fodselsnummer)
            if self.fodselsdato is None:
                self.fodselsdato = born
            elif self.fodselsdato != born:
                raise ValueError("Fødselsdato stemmer ikke med fødselsnummeret.")
            if {"M": "M", "F": "K"}[fnr.get_gender(self.fodselsnummer)] != self.kjonn:
                raise ValueError("Kjønn stemmer ikke med fødselsnummeret.")
        if self.fodselsdato is not None:
            if self.fodselsar is None:
                self.fodselsar = self.fodselsdato.year
            elif self.fodselsar != self.fodselsdato.year:
                raise ValueError("Fødselsår stemmer ikke med fødselsdato.")
        return self


class SakCreate(_Person):
    """A settlement case, with whatever stages the source system already knows (all dates optional but the
    decision's). The same shape is one row of a bulk import, where ``ekstern_id`` is required."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "ekstern_id": "NIR-2017-000123", "duf_nummer": "201612345678", "navn": "Ola Nordmann", "kjonn": "K",
        "fodselsdato": "1990-04-01", "kategori": "overforingsflyktning", "enslig_mindrearig": False,
        "vedtaksdato": "2017-01-10", "klar_dato": "2017-01-20", "utvalgt_dato": "2017-03-01",
        "utvalgt_kommune": "0301", "akseptert_dato": "2017-03-15", "bosettingsdato": "2017-05-02",
        "kommunenummer": "0301"}]})

    ekstern_id: str | None = Field(default=None, min_length=1, max_length=100,
                                   description="The source system's case id. Imports are idempotent by it.")
    duf_nummer: str = Field(description="UDI's 12-digit person number, beginning with the year of the first "
                            "application.")
    vedtaksdato: date = Field(description="Vedtak or innreisetillatelse that gives the basis for settlement.")
    klar_dato: date | None = None
    utvalgt_dato: date | None = None
    utvalgt_kommune: str | None = Field(default=None, pattern=KOMMUNE)
    akseptert_dato: date | None = None
    bosettingsdato: date | None = None
    kommunenummer: str | None = Field(default=None, pattern=KOMMUNE, description="Settlement municipality "
                                      "(2017 division); for a case closed as selvbosatt, where the person settled.")
    avsluttet_dato: date | None = None
    avslutningsarsak: Arsak | None = None

    @field_validator("duf_nummer")
    @classmethod
    def _duf(cls, v: str) -> str:
        return validate_duf(v)

    @field_validator("kommunenummer", "utvalgt_kommune")
    @classmethod
    def _kommune(cls, v: str | None) -> str | None:
        return validate_kommunenummer(v)

    @field_validator("vedtaksdato", "klar_dato", "utvalgt_dato", "akseptert_dato", "bosettingsdato",
                     "avsluttet_dato")
    @classmethod
    def _not_future(cls, v: date | None) -> date | None:
        return not_future(v)

    @model_validator(mode="after")
    def _stages(self) -> SakCreate:
        if (self.bosettingsdato is None) != (self.kommunenummer is None) and self.avslutningsarsak not in SELF_SETTLED:
            raise ValueError("Bosettingsdato og kommunenummer må oppgis sammen.")
        if self.bosettingsdato is not None and self.bosettingsdato < self.vedtaksdato:
            raise ValueError("Bosettingsdato kan ikke være før vedtaksdato.")
        if (self.utvalgt_dato is None) != (self.utvalgt_kommune is None):
            raise ValueError("Utvalgt dato og utvalgt kommune må oppgis sammen.")
        if self.akseptert_dato is not None and self.utvalgt_dato is None:
            raise ValueError("En akseptert person må være utvalgt først.")
        if (self.avsluttet_dato is None) != (self.avslutningsarsak is None):
            raise ValueError("Avsluttet dato og avslutningsårsak må oppgis sammen.")
        if self.avsluttet_dato is not None and self.bosettingsdato is not None:
            raise ValueError("En sak kan ikke være både bosatt og avsluttet uten bosetting.")
        if self.enslig_mindrearig:
            if self.fodselsdato is None and self.fodselsar is None:
                raise ValueError("Enslig mindreårig må ha fødselsdato eller fødselsår.")
            if age_on(self.vedtaksdato, self.fodselsdato, self.fodselsar) >= 18:
                raise ValueError("Enslig mindreårig må være under 18 år ved vedtak.")
        return self


class SakImportRad(SakCreate):
    ekstern_id: str = Field(min_length=1, max_length=100)


class SakPatch(BaseModel):
    """Corrections to who the person is. Needs If-Match with the case's ETag."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"kategori": "overforingsflyktning",
                                                                              "nedsatt_funksjonsevne": True}]})

    navn: str | None = Field(default=None, max_length=200)
    fodselsnummer: str | None = None
    kjonn: Kjonn | None = None
    fodselsdato: date | None = None
    fodselsar: int | None = Field(default=None, ge=1900, le=2100)
    kategori: Kategori | None = None
    enslig_mindrearig: bool | None = None
    nedsatt_funksjonsevne: bool | None = None
    familie_id: str | None = Field(default=None, max_length=100)

    @field_validator("fodselsnummer")
    @classmethod
    def _fnr(cls, v: str | None) -> str | None:
        return validate_fodselsnummer(v)


class StadiumEndring(BaseModel):
    """Move a case to its next stage, or correct its settlement."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"stadium": "utvalgt", "dato": "2017-03-01", "kommunenummer": "0301"},
        {"stadium": "bosatt", "dato": "2017-05-02", "kommunenummer": "0301"},
        {"stadium": "avsluttet", "dato": "2017-04-01", "arsak": "selvbosatt", "kommunenummer": "1201"}]})

    stadium: Literal["klar", "utvalgt", "akseptert", "bosatt", "avsluttet"]
    dato: date
    kommunenummer: str | None = Field(default=None, pattern=KOMMUNE)
    arsak: Arsak | None = None

    @field_validator("kommunenummer")
    @classmethod
    def _kommune(cls, v: str | None) -> str | None:
        return validate_kommunenummer(v)

    @field_validator("dato")
    @classmethod
    def _not_future(cls, v: date) -> date:
        return not_future(v)


class SakRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    ekstern_id: str | None
    duf_nummer: str
    fodselsnummer: str | None
    navn: str | None
    person_ref: str
    kjonn: str
    fodselsdato: date | None
    fodselsar: int | None
    kategori: str
    enslig_mindrearig: bool
    em_aldersgruppe: str | None
    nedsatt_funksjonsevne: bool
    familie_id: str | None
    status: str
    vedtaksdato: date
    klar_dato: date | None
    utvalgt_dato: date | None
    utvalgt_kommune: str | None
    akseptert_dato: date | None
    bosettingsdato: date | None
    kommunenummer: str | None
    avsluttet_dato: date | None
    avslutningsarsak: str | None
    versjon: int
    opprettet: datetime
    endret: datetime


class SakListe(BaseModel):
    saker: list[SakRead]
    antall: int
    neste: str | None = Field(default=None, description="Cursor for the next page (pass as `etter`).")


class PlasserInn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    antall: int = Field(ge=0, le=100_000)
    herav_em: int = Field(ge=0, le=100_000, description="Of which unaccompanied minors (EM).")

    @model_validator(mode="after")
    def _em(self):
        if self.herav_em > self.antall:
            raise ValueError("Antall enslige mindreårige kan ikke være større enn antall plasser.")
        return self


class AnmodningInn(PlasserInn):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"antall": 1200, "herav_em": 80, "sendt_dato": "2016-09-15"}]})

    sendt_dato: date

    @field_validator("sendt_dato")
    @classmethod
    def _not_future(cls, v: date) -> date:
        return not_future(v)


class KommunevedtakInn(PlasserInn):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"antall": 1000, "herav_em": 60, "vedtaksdato": "2016-12-01"}]})

    vedtaksdato: date

    @field_validator("vedtaksdato")
    @classmethod
    def _not_future(cls, v: date) -> date:
        return not_future(v)


class _PlasserUt(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    ar: int
    kommunenummer: str
    antall: int
    herav_em: int
    versjon: int


class AnmodningUt(_PlasserUt):
    sendt_dato: date


class KommunevedtakUt(_PlasserUt):
    vedtaksdato: date


class Avvik(BaseModel):
    """Requested against decided places for one area."""

    omrade: str = Field(description="kommunenummer, fylkesnummer or 'alle'.")
    navn: str
    anmodet: int
    anmodet_em: int
    vedtatt: int
    vedtatt_em: int
    differanse: int = Field(description="vedtatt − anmodet (negative: fewer places decided than requested).")
    differanse_em: int
    mangler_vedtak: bool = Field(description="A request was sent but no decision is registered.")


class AvvikRapport(BaseModel):
    ar: int
    niva: Literal["kommune", "fylke", "land"]
    rader: list[Avvik]


# ImportFeil and ImportRapport are the shared import machinery's (one report shape for every service).
