"""API models. Norwegian field names are the domain's; validation messages are Norwegian."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.dates import today_oslo
from shared.geo import kommuner_2017


def validate_duf(value: str) -> str:
    value = value.strip()
    if len(value) != 12 or not value.isdigit():
        raise ValueError("DUF-nummeret må ha 12 siffer.")
    year = int(value[:4])
    if not 1950 <= year <= today_oslo().year:
        raise ValueError("DUF-nummeret må begynne med årstallet for første søknad.")
    return value


def validate_kommunenummer(value: str) -> str:
    if value not in kommuner_2017():
        raise ValueError("Kommunenummeret finnes ikke i 2017-inndelingen.")
    return value


class SakCreate(BaseModel):
    """A new settlement case. If the person is already settled, give bosettingsdato and kommunenummer."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "duf_nummer": "201612345678", "kjonn": "K", "fodselsar": 1990, "enslig_mindrearig": False,
        "vedtaksdato": "2017-01-10", "bosettingsdato": "2017-05-02", "kommunenummer": "0301"}]})

    duf_nummer: str = Field(description="UDI's 12-digit person number (DUF).")
    kjonn: Literal["K", "M"] = Field(description="K = kvinne, M = mann.")
    fodselsar: int | None = Field(default=None, ge=1900, le=2100)
    enslig_mindrearig: bool = False
    vedtaksdato: date = Field(description="Vedtak or innreisetillatelse that gives the basis for settlement.")
    bosettingsdato: date | None = None
    kommunenummer: str | None = Field(default=None, description="Settlement municipality (2017 division).")

    @field_validator("duf_nummer")
    @classmethod
    def _duf(cls, v: str) -> str:
        return validate_duf(v)

    @field_validator("kommunenummer")
    @classmethod
    def _kommune(cls, v: str | None) -> str | None:
        return None if v is None else validate_kommunenummer(v)

    @field_validator("vedtaksdato", "bosettingsdato")
    @classmethod
    def _not_future(cls, v: date | None) -> date | None:
        if v is not None and v > today_oslo():
            raise ValueError("Datoen kan ikke være fram i tid.")
        return v

    @model_validator(mode="after")
    def _settlement(self) -> SakCreate:
        if (self.bosettingsdato is None) != (self.kommunenummer is None):
            raise ValueError("Bosettingsdato og kommunenummer må oppgis sammen.")
        if self.bosettingsdato is not None and self.bosettingsdato < self.vedtaksdato:
            raise ValueError("Bosettingsdato kan ikke være før vedtaksdato.")
        return self


class BosettingRegistrer(BaseModel):
    """Register that the person was settled."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"bosettingsdato": "2017-05-02", "kommunenummer": "0301"}]})

    bosettingsdato: date
    kommunenummer: str

    @field_validator("kommunenummer")
    @classmethod
    def _kommune(cls, v: str) -> str:
        return validate_kommunenummer(v)

    @field_validator("bosettingsdato")
    @classmethod
    def _not_future(cls, v: date) -> date:
        if v > today_oslo():
            raise ValueError("Datoen kan ikke være fram i tid.")
        return v


class SakRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    duf_nummer: str
    person_ref: str
    kjonn: str
    fodselsar: int | None
    enslig_mindrearig: bool
    vedtaksdato: date
    bosettingsdato: date | None
    kommunenummer: str | None
    versjon: int
    opprettet: datetime
    endret: datetime


class SakListe(BaseModel):
    saker: list[SakRead]
    antall: int
    neste: str | None = Field(default=None, description="Cursor for the next page, if any.")
