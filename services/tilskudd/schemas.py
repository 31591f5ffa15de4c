"""API models. Money in and out is kroner as text with at most two decimals ("4000000.00"), never a JSON number:
it is stored and published as integer øre."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from stdnum.no import orgnr

from tilskudd.money import KRONER_PATTERN

TILSAGN_ID = "3b8f0c1e-6a8e-4f3c-9a55-2b0f8d1e7c10"
SOKNAD_ID = "5b0c8a5e-1f2d-4c3b-9a8e-7d6c5b4a3f21"

Kroner = Field(pattern=KRONER_PATTERN, description="Kroner as text, at most two decimals (\"4000000.00\").",
               examples=["4000000.00"])
Slug = Field(pattern=r"^[a-z0-9-]{2,40}$")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Mottaker(_In):
    kommunenummer: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    organisasjonsnummer: str | None = Field(default=None, description="Validated (mod 11) with python-stdnum.")

    @field_validator("organisasjonsnummer")
    @classmethod
    def _orgnr(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not orgnr.is_valid(value):
            raise ValueError("Organisasjonsnummeret er ikke gyldig.")
        return orgnr.compact(value)

    @model_validator(mode="after")
    def _one(self):
        if (self.kommunenummer is None) == (self.organisasjonsnummer is None):
            raise ValueError("Oppgi enten kommunenummer eller organisasjonsnummer.")
        return self


class OrdningInn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "navn": "Strakstiltak på Grønland", "ar": 2017, "kapittel": 496, "post": "62", "binding": "gronland-oslo",
        "regelverk": "Tilskudd til Oslo kommune til strakstiltak på Grønland.", "mottakere": "kommune",
        "soknad_fra": "2017-01-02", "soknad_til": "2017-02-15"}]})

    navn: str = Field(min_length=2, max_length=200)
    ar: int = Field(ge=2000, le=2100)
    kapittel: int = Field(ge=400, le=999)
    post: str = Field(pattern=r"^[0-9]{2}$")
    binding: str | None = Slug
    regelverk: str = Field(min_length=1, max_length=20000, description="The scheme's rules (regelverk).")
    mottakere: Literal["kommune", "organisasjon", "begge"]
    soknad_fra: date | None = None
    soknad_til: date | None = None

    @model_validator(mode="after")
    def _window(self):
        if self.soknad_fra and self.soknad_til and self.soknad_til < self.soknad_fra:
            raise ValueError("Søknadsfristen kan ikke være før søknadsvinduet åpner.")
        return self


class OrdningUt(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "gronland", "navn": "Strakstiltak på Grønland", "ar": 2017, "kapittel": 496, "post": "62",
        "binding": "gronland-oslo", "regelverk": "Tilskudd til Oslo kommune til strakstiltak på Grønland.",
        "mottakere": "kommune", "soknad_fra": "2017-01-02", "soknad_til": "2017-02-15"}]})

    id: str
    navn: str
    ar: int
    kapittel: int
    post: str
    binding: str | None
    regelverk: str
    mottakere: str
    soknad_fra: date | None
    soknad_til: date | None


class SoknadInn(Mottaker):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kommunenummer": "0301", "belop": "4000000.00", "mottatt": "2017-01-20"},
        {"organisasjonsnummer": "974760673", "belop": "250000.00", "mottatt": "2017-02-01"}]})

    belop: str = Kroner
    mottatt: date
    ekstern_id: str | None = Field(default=None, min_length=1, max_length=100, description=(
        "Søknadens id i fagsystemet. Sendes samme søknad igjen (for eksempel etter et tidsavbrudd), svarer tjenesten "
        "med den som er lagret, og registrerer ingen ny."))


class SoknadUt(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": SOKNAD_ID, "ordning_id": "gronland", "kommunenummer": "0301", "organisasjonsnummer": None,
        "belop": "4000000.00", "mottatt": "2017-01-20", "status": "mottatt"}]})

    id: str
    ordning_id: str
    kommunenummer: str | None
    organisasjonsnummer: str | None
    belop: str
    mottatt: date
    status: str
    ekstern_id: str | None = None


class TilsagnInn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "soknad_id": "5b0c8a5e-1f2d-4c3b-9a8e-7d6c5b4a3f21", "belop": "4000000.00",
        "vilkar": "Midlene skal brukes til strakstiltak på Grønland; rapport innen 1.3.2018.",
        "dato": "2017-02-01", "periode_fra": "2017-02-01", "periode_til": "2017-12-31"}]})

    soknad_id: str = Field(max_length=36)
    belop: str = Kroner
    vilkar: str | None = Field(default=None, max_length=20000)
    dato: date
    periode_fra: date
    periode_til: date
    ekstern_id: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _period(self):
        if self.periode_til < self.periode_fra:
            raise ValueError("Perioden slutter før den begynner.")
        return self


class TilsagnUt(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": TILSAGN_ID, "ekstern_id": None, "soknad_id": SOKNAD_ID, "ordning_id": "gronland", "ar": 2017,
        "kapittel": 496, "post": "62", "binding": "gronland-oslo", "kommunenummer": "0301",
        "organisasjonsnummer": None, "belop": "4000000.00", "vilkar": "Rapport innen 1.3.2018.",
        "dato": "2017-02-01", "periode_fra": "2017-02-01", "periode_til": "2017-12-31", "utbetalt": "4000000.00",
        "tilbakebetalt": "0.00", "annullert": "0.00", "gjenstaende": "0.00"}]})

    id: str
    ekstern_id: str | None
    soknad_id: str | None
    ordning_id: str
    ar: int
    kapittel: int
    post: str
    binding: str | None
    kommunenummer: str | None
    organisasjonsnummer: str | None
    belop: str
    vilkar: str | None
    dato: date
    periode_fra: date
    periode_til: date
    utbetalt: str
    tilbakebetalt: str
    annullert: str
    gjenstaende: str = Field(description="Not yet paid and not cancelled.")


class UtbetalingInn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"type": "utbetaling", "belop": "4000000.00", "dato": "2017-02-20"}]})

    type: Literal["utbetaling", "tilbakebetaling"] = "utbetaling"
    belop: str = Kroner
    dato: date
    ekstern_id: str | None = Field(default=None, max_length=100)


class UtbetalingUt(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6", "ekstern_id": None, "tilsagn_id": TILSAGN_ID,
        "type": "utbetaling", "belop": "4000000.00", "dato": "2017-02-20"}]})

    id: str
    ekstern_id: str | None
    tilsagn_id: str
    type: str
    belop: str
    dato: date


class AnnulleringInn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"dato": "2017-11-01"}]})

    dato: date


class SaerskiltKriteriumInn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"saerskilt_kriterium": True}]})

    saerskilt_kriterium: bool


class Linje(BaseModel):
    id: str = Field(description="\"496.62\" for a post, \"496.62/gronland-oslo\" for a binding.")
    kapittel: int
    post: str
    binding: str | None
    navn: str
    ramme: str | None
    bevilget: str | None = Field(description="The total appropriation, where the letter gives it beside IMDi's "
                                 "share.")
    utbetalt: str
    forpliktet: str
    prognose_rest: str
    prognose_ar: str
    gjenstaende_ramme: str | None = Field(description="Frame less committed.")
    saerskilt_kriterium: int


class Forbruk(BaseModel):
    ar: int
    per_dato: date
    linjer: list[Linje]


class TilsagnImportRad(Mottaker):
    """An existing decision from the case-handling system, with its scheme; idempotent by ``ekstern_id``."""

    ekstern_id: str = Field(min_length=1, max_length=100)
    ordning: str = Field(pattern=r"^[a-z0-9-]{2,40}$")
    belop: str = Kroner
    vilkar: str | None = Field(default=None, max_length=20000)
    dato: date
    periode_fra: date
    periode_til: date

    @model_validator(mode="after")
    def _period(self):
        if self.periode_til < self.periode_fra:
            raise ValueError("Perioden slutter før den begynner.")
        return self


class UtbetalingImportRad(_In):
    """An existing disbursement or repayment on an imported decision; idempotent by ``ekstern_id``."""

    ekstern_id: str = Field(min_length=1, max_length=100)
    tilsagn_ekstern_id: str = Field(min_length=1, max_length=100)
    type: Literal["utbetaling", "tilbakebetaling"] = "utbetaling"
    belop: str = Kroner
    dato: date
