"""API models. Field names are the domain's (Norwegian); validation messages are Norwegian. The public models
(``Offentlig*``) hold only the fields the public may see: name, languages with categories, county of
residence and contact for assignments."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import fodselsnummer as fnr
from stdnum.no import orgnr

from shared.dates import today_oslo
from shared.geo import kommuner_2017

Kjonn = Literal["K", "M"]
Status = Literal["aktiv", "suspendert", "avregistrert"]
Klager = Literal["offentlig_etat", "kommune", "privatperson", "tolk", "annet"]
Klagetype = Literal["kvalitet", "oppforsel", "taushetsplikt", "habilitet", "uteblitt", "annet"]
Utfall = Literal["medhold", "delvis_medhold", "ikke_medhold", "avvist"]
Konsekvens = Literal["ingen", "advarsel", "suspensjon", "avregistrering"]
SPRAK = r"^[a-z]{2,3}$"
KORT = r"^[A-Z0-9]{6,20}$"
SprakKode = Field(pattern=SPRAK, description="ISO 639-1 or 639-3 language code (ar, so, ti, prs).",
                  examples=["ar"])


def validate_fodselsnummer(value: str) -> str:
    try:
        return fnr.validate(value)
    except StdnumError as exc:
        raise ValueError("Ugyldig fødselsnummer eller D-nummer.") from exc


def validate_orgnr(value: str) -> str:
    try:
        return orgnr.validate(value)
    except StdnumError as exc:
        raise ValueError("Ugyldig organisasjonsnummer.") from exc


def validate_kommunenummer(value: str) -> str:
    if value not in kommuner_2017():
        raise ValueError("Kommunenummeret finnes ikke i 2017-inndelingen.")
    return value


def not_future(value: date | None) -> date | None:
    if value is not None and value > today_oslo():
        raise ValueError("Datoen kan ikke være fram i tid.")
    return value


class Bevis(BaseModel):
    """Evidence behind a language's category: its type in the category scheme, its date and a reference."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(pattern=r"^[a-z_]{2,40}$", examples=["statsautorisasjon"])
    dato: date
    referanse: str | None = Field(default=None, max_length=100, description="Document or case reference.")

    _dato = field_validator("dato")(classmethod(lambda cls, v: not_future(v)))


class SprakInn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sprak: str = SprakKode
    bevis: list[Bevis] = Field(min_length=1, max_length=20)


def _unique_languages(languages: list[SprakInn] | None) -> list[SprakInn] | None:
    if languages is not None and len({s.sprak for s in languages}) != len(languages):
        raise ValueError("Et språk kan bare oppgis én gang.")
    return languages


class TolkCreate(BaseModel):
    """An interpreter entered in the register. The category per language and the highest category are derived
    from the evidence by the category scheme; they cannot be typed in."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "ekstern_id": "NTR-000123", "fodselsnummer": "41017510078", "navn": "Amina Hassan", "kjonn": "K",
        "kommunenummer": "1201", "adresse": "Strandgaten 1, 5013 Bergen", "telefon": "+47 400 00 000",
        "epost": "amina@example.no", "oppfort_dato": "2016-03-01",
        "sprak": [{"sprak": "so", "bevis": [{"type": "statsautorisasjon", "dato": "2015-06-01"},
                                            {"type": "tolkeutdanning", "dato": "2014-06-15"}]},
                  {"sprak": "ar", "bevis": [{"type": "tospot", "dato": "2013-05-01"},
                                            {"type": "tao", "dato": "2013-09-01"}]}]}]})

    ekstern_id: str | None = Field(default=None, min_length=1, max_length=100,
                                   description="The source register's id. Imports are idempotent by it.")
    fodselsnummer: str = Field(description="Fødselsnummer or D-nummer (kept in this service only).")
    navn: str = Field(min_length=1, max_length=200)
    kjonn: Kjonn = Field(description="K = kvinne, M = mann (must match the identity number).")
    kommunenummer: str = Field(pattern=r"^[0-9]{4}$", description="Kommune of residence (2017 division).")
    adresse: str | None = Field(default=None, max_length=300, description="Postal address (not public).")
    telefon: str | None = Field(default=None, pattern=r"^\+?[0-9 ]{5,20}$", description="For assignments (public).")
    epost: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200,
                              description="For assignments (public).")
    oppfort_dato: date = Field(description="When the interpreter was entered in the register.")
    sprak: list[SprakInn] = Field(min_length=1, max_length=20)

    _fnr = field_validator("fodselsnummer")(classmethod(lambda cls, v: validate_fodselsnummer(v)))
    _kommune = field_validator("kommunenummer")(classmethod(lambda cls, v: validate_kommunenummer(v)))
    _dato = field_validator("oppfort_dato")(classmethod(lambda cls, v: not_future(v)))
    _sprak = field_validator("sprak")(classmethod(lambda cls, v: _unique_languages(v)))

    @field_validator("kjonn")
    @classmethod
    def _gender(cls, value: str, info: ValidationInfo) -> str:
        number = info.data.get("fodselsnummer")  # absent if it failed its own check
        if number is not None and {"M": "M", "F": "K"}[fnr.get_gender(number)] != value:
            raise ValueError("Kjønn stemmer ikke med fødselsnummeret.")
        return value


def parse_languages(value: object) -> object:
    """CSV: ``so=statsautorisasjon:2015-06-01|tolkeutdanning:2014-06-15;ar=tospot:2013-05-01|tao:2013-09-01``
    (languages separated by ``;``, evidence by ``|``, each ``type:date``). Lists (NDJSON) pass through."""
    if not isinstance(value, str):
        return value
    out = []
    try:
        for part in filter(None, (p.strip() for p in value.split(";"))):
            language, evidence = part.split("=", 1)
            items = [e.strip().split(":", 1) for e in evidence.split("|") if e.strip()]
            out.append({"sprak": language.strip(), "bevis": [{"type": t.strip(), "dato": d.strip()} for t, d in items]})
    except ValueError:
        raise ValueError("Språk skrives som sprak=bevistype:dato|bevistype:dato;sprak=…") from None
    return out


class TolkImportRad(TolkCreate):
    """One interpreter of the existing register, in its current state: the entry, and if it is no longer active,
    its status with date and reason."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "ekstern_id": "NTR-000123", "fodselsnummer": "41017510078", "navn": "Amina Hassan", "kjonn": "K",
        "kommunenummer": "1201", "oppfort_dato": "2016-03-01", "status": "suspendert", "status_dato": "2017-04-01",
        "status_arsak": "Under klagebehandling.",
        "sprak": [{"sprak": "so", "bevis": [{"type": "statsautorisasjon", "dato": "2015-06-01"}]}]}]})

    ekstern_id: str = Field(min_length=1, max_length=100)
    status: Status = "aktiv"
    status_dato: date | None = Field(default=None, description="Required when the status is not aktiv.")
    status_arsak: str | None = Field(default=None, max_length=500)

    _csv_sprak = field_validator("sprak", mode="before")(classmethod(lambda cls, v: parse_languages(v)))
    _status_dato = field_validator("status_dato")(classmethod(lambda cls, v: not_future(v)))

    @model_validator(mode="after")
    def _status(self) -> TolkImportRad:
        if self.status != "aktiv" and (self.status_dato is None or not self.status_arsak):
            raise ValueError("En tolk som ikke er aktiv trenger statusdato og årsak.")
        return self


class TolkPatch(BaseModel):
    """Corrections: contact, residence, address, name, or the languages (the whole list; categories follow)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "telefon": "+47 400 00 001", "sprak": [{"sprak": "so", "bevis": [{"type": "tolkeutdanning",
                                                                            "dato": "2014-06-15"}]}]}]})

    navn: str | None = Field(default=None, min_length=1, max_length=200)
    kommunenummer: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    adresse: str | None = Field(default=None, max_length=300)
    telefon: str | None = Field(default=None, pattern=r"^\+?[0-9 ]{5,20}$")
    epost: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    sprak: list[SprakInn] | None = Field(default=None, min_length=1, max_length=20)

    _kommune = field_validator("kommunenummer")(
        classmethod(lambda cls, v: None if v is None else validate_kommunenummer(v)))
    _sprak = field_validator("sprak")(classmethod(lambda cls, v: _unique_languages(v)))

    @field_validator("navn", "kommunenummer", "sprak")
    @classmethod
    def _required(cls, value):
        if value is None:  # only when sent as null: these cannot be removed
            raise ValueError("Feltet kan ikke fjernes.")
        return value


class SprakUt(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sprak: str
    kategori: str
    bevis: list[Bevis]


class TolkRead(BaseModel):
    """An interpreter as IMDi sees it (scope imdi:tolkeregister.read)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": "0f8d3c0e-8a53-4d59-9c0e-4b0f3a5b2a11", "ekstern_id": "NTR-000123", "fodselsnummer": "41017510078",
        "navn": "Amina Hassan", "kjonn": "K", "kommunenummer": "1201", "fylkesnummer": "12",
        "adresse": "Strandgaten 1, 5013 Bergen", "telefon": "+47 400 00 000", "epost": "amina@example.no",
        "kategoriordning": "2017", "hoyeste_kategori": "1", "tre_hoyeste": True, "status": "aktiv",
        "oppfort_dato": "2016-03-01", "status_dato": "2016-03-01", "status_arsak": "Oppført", "versjon": 1,
        "sprak": [{"sprak": "so", "kategori": "1", "bevis": [{"type": "statsautorisasjon", "dato": "2015-06-01",
                                                              "referanse": None}]}]}]})

    id: str
    ekstern_id: str | None
    fodselsnummer: str
    navn: str
    kjonn: str
    kommunenummer: str
    fylkesnummer: str
    adresse: str | None
    telefon: str | None
    epost: str | None
    kategoriordning: str
    hoyeste_kategori: str = Field(description="Derived: the highest category over the languages.")
    tre_hoyeste: bool = Field(description="The highest category is one of the scheme's three highest (SP10).")
    status: Status
    oppfort_dato: date
    status_dato: date
    status_arsak: str | None
    versjon: int
    sprak: list[SprakUt]


class TolkListe(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"tolker": [], "antall": 0, "neste": None}]})

    tolker: list[TolkRead]
    antall: int
    neste: str | None = Field(default=None, description="Pass as `etter` for the next page.")


class StatusEndring(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"status": "suspendert", "dato": "2017-04-01", "arsak": "Under klagebehandling."}]})

    status: Status
    dato: date
    arsak: str = Field(min_length=1, max_length=500)

    _dato = field_validator("dato")(classmethod(lambda cls, v: not_future(v)))


class IdKortInn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kortnummer": "NTR2017000123", "utstedt": "2017-03-01", "utloper": "2020-02-29"}]})

    kortnummer: str = Field(pattern=KORT)
    utstedt: date
    utloper: date

    _dato = field_validator("utstedt")(classmethod(lambda cls, v: not_future(v)))

    @model_validator(mode="after")
    def _order(self) -> IdKortInn:
        if self.utloper <= self.utstedt:
            raise ValueError("Utløpsdato må være etter utstedelsesdato.")
        return self


class IdKortTilbakekall(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"dato": "2017-06-01", "arsak": "Kortet er meldt tapt."}]})

    dato: date
    arsak: str = Field(min_length=1, max_length=500)

    _dato = field_validator("dato")(classmethod(lambda cls, v: not_future(v)))


class IdKortUt(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"kortnummer": "NTR2017000123", "tolk_id": "0f8d3c0e-8a53-4d59-9c0e-4b0f3a5b2a11", "utstedt": "2017-03-01",
         "utloper": "2020-02-29", "tilbakekalt": None, "tilbakekalt_arsak": None}]})

    kortnummer: str
    tolk_id: str
    utstedt: date
    utloper: date
    tilbakekalt: date | None
    tilbakekalt_arsak: str | None


class KlageInn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"mottatt": "2017-03-10", "klager": "offentlig_etat", "klagetype": "taushetsplikt",
         "beskrivelse": "Tolken omtalte saken utenfor oppdraget."}]})

    mottatt: date
    klager: Klager = Field(description="Who complained.")
    klagetype: Klagetype
    beskrivelse: str | None = Field(default=None, max_length=4000, description="Free text (never leaves IMDi).")

    _dato = field_validator("mottatt")(classmethod(lambda cls, v: not_future(v)))


class KlageAvgjorelse(BaseModel):
    """The decision; ``suspensjon`` and ``avregistrering`` change the interpreter's status from the decision's
    date."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"avgjort": "2017-04-20", "utfall": "medhold", "konsekvens": "advarsel"}]})

    avgjort: date
    utfall: Utfall
    konsekvens: Konsekvens

    _dato = field_validator("avgjort")(classmethod(lambda cls, v: not_future(v)))


class KlageUt(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": "5a0c0f0e-1b2c-4d5e-8f90-112233445566", "tolk_id": "0f8d3c0e-8a53-4d59-9c0e-4b0f3a5b2a11",
         "mottatt": "2017-03-10", "klager": "offentlig_etat", "klagetype": "taushetsplikt",
         "beskrivelse": "Tolken omtalte saken utenfor oppdraget.", "avgjort": "2017-04-20", "utfall": "medhold",
         "konsekvens": "advarsel"}]})

    id: str
    tolk_id: str
    mottatt: date
    klager: str
    klagetype: str
    beskrivelse: str | None
    avgjort: date | None
    utfall: str | None
    konsekvens: str | None


class EtatInn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"navn": "Utlendingsdirektoratet", "tolkeretningslinjer_med_register": True}]})

    navn: str = Field(min_length=1, max_length=200)
    tolkeretningslinjer_med_register: bool = Field(
        description="Its guidelines for ordering and using interpreters include Nasjonalt tolkeregister.")


class EtatUt(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"organisasjonsnummer": "974760673", "ar": 2017, "navn": "Utlendingsdirektoratet",
         "tolkeretningslinjer_med_register": True}]})

    organisasjonsnummer: str
    ar: int
    navn: str
    tolkeretningslinjer_med_register: bool


class TestresultatInn(BaseModel):
    """A test sitting's result for one language: how many sat the test and how many passed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"testet": 14, "bestatt": 9}]})

    testet: int = Field(ge=0, le=100_000)
    bestatt: int = Field(ge=0, le=100_000)

    @model_validator(mode="after")
    def _passed(self) -> TestresultatInn:
        if self.bestatt > self.testet:
            raise ValueError("Flere beståtte enn testede.")
        return self


class TestresultatUt(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"testtype": "tospot", "dato": "2017-05-10", "sprak": "ti", "testet": 14, "bestatt": 9}]})

    testtype: str
    dato: date
    sprak: str
    testet: int
    bestatt: int


class AutorisasjonInn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"antall": 6}]})

    antall: int = Field(ge=0, le=100_000, description="Authorisations as state-authorised interpreter granted.")


class AutorisasjonUt(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"ar": 2017, "sprak": "ti", "antall": 6}]})

    ar: int
    sprak: str
    antall: int


class Nokkeltall(BaseModel):
    navn: str
    tekst: str
    dimensjon: str
    kategori: str
    antall: int


class NokkeltallListe(BaseModel):
    """R10/R11's counts for a year, as published to rapportering (objekt R10)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"ar": 2017, "objekt": "R10", "tall": [
        {"navn": "tester", "tekst": "Gjennomførte tester (ToSPoT og tospråktest)", "dimensjon": "sprak",
         "kategori": "ti", "antall": 14}]}]})

    ar: int
    objekt: str
    tall: list[Nokkeltall]


# --- public --------------------------------------------------------------------------------------------------
class OffentligSprak(BaseModel):
    sprak: str
    kategori: str


class Kontakt(BaseModel):
    telefon: str | None
    epost: str | None


class OffentligTolk(BaseModel):
    """What anyone may see of an active interpreter."""

    navn: str
    sprak: list[OffentligSprak]
    fylkesnummer: str = Field(description="County of residence (2017 division).")
    fylke: str
    kontakt: Kontakt = Field(description="Contact for assignments.")


class Sokeresultat(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "treff": 1, "side": 1, "per_side": 20, "tolker": [{
            "navn": "Amina Hassan", "sprak": [{"sprak": "so", "kategori": "1"}], "fylkesnummer": "12",
            "fylke": "Hordaland", "kontakt": {"telefon": "+47 400 00 000", "epost": "amina@example.no"}}]}]})

    treff: int = Field(description="Active interpreters matching the search.")
    side: int
    per_side: int
    tolker: list[OffentligTolk]


class IdKortVerifisering(BaseModel):
    """Whether a card is valid today, and which languages and categories it shows. Nothing else."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kortnummer": "NTR2017000123", "gyldig": True, "sprak": [{"sprak": "so", "kategori": "1"}]}]})

    kortnummer: str
    gyldig: bool
    sprak: list[OffentligSprak] = Field(description="Empty when the card is not valid.")


def orgnr_path(value: str) -> str:
    return validate_orgnr(value)
