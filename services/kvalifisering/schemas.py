"""API models. Field names are the domain's (Norwegian); validation messages are Norwegian. Values from fixed
lists are checked by ``rules`` so a refusal can list the allowed values."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kvalifisering import rules
from shared.dates import today_oslo

Kjonn = Literal["K", "M"]
Kategori = Literal["overforingsflyktning", "asyl", "familiegjenforent"]
KOMMUNE = r"^[0-9]{4}$"
PERSON_REF = r"^p-[0-9a-f]{32}$"


def _enum(values: tuple[str, ...], description: str) -> dict:
    return {"description": f"{description} One of: {', '.join(values)}.", "json_schema_extra": {"enum": list(values)}}


def _duf(value: str) -> str:
    value = value.strip()
    if len(value) != 12 or not value.isdigit() or not 1950 <= int(value[:4]) <= today_oslo().year:
        raise ValueError("DUF-nummeret må ha 12 siffer og begynne med årstallet for første søknad.")
    return value


class _Person(BaseModel):
    """Who the person is: the pseudonymous reference shared with bosetting, or the DUF-nummer (turned into the
    reference here and not stored)."""

    person_ref: str | None = Field(default=None, pattern=PERSON_REF,
                                   description="Pseudonymous person reference, as in bosetting's events.")
    duf_nummer: str | None = Field(default=None, description="UDI's 12-digit person number; used only to make "
                                   "the person reference, never stored or sent on.")
    ekstern_id: str | None = Field(default=None, min_length=1, max_length=100,
                                   description="The source system's id. Imports are idempotent by it.")

    @model_validator(mode="after")
    def _one_identity(self):
        if (self.person_ref is None) == (self.duf_nummer is None):
            raise ValueError("Oppgi enten person_ref eller duf_nummer.")
        if self.duf_nummer is not None:
            self.duf_nummer = _duf(self.duf_nummer)
        return self


class OpplaeringInn(_Person):
    """A person's training in Norwegian and social studies: the whole current state."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "ekstern_id": "NIR-OPP-1", "duf_nummer": "201612345678", "kommunenummer": "0301", "kjonn": "K",
        "fodselsar": 1990, "grunnlag": "asyl", "rett_fra": "2017-02-01", "tilbud_dato": "2017-02-15",
        "start_dato": "2017-03-01", "timer_norsk": 120, "timer_samfunnskunnskap": 50}]})

    kommunenummer: str = Field(pattern=KOMMUNE)
    kjonn: Kjonn
    fodselsar: int | None = Field(default=None, ge=1900, le=2100)
    grunnlag: str = Field(max_length=24, **_enum(rules.GRUNNLAG, "The permit the right and duty rests on."))
    rett_fra: date = Field(description="When the right and duty began.")
    tilbud_dato: date | None = Field(default=None, description="When training was offered.")
    start_dato: date | None = Field(default=None, description="When training started.")
    timer_norsk: int = Field(default=0, ge=0, le=10000)
    timer_samfunnskunnskap: int = Field(default=0, ge=0, le=10000)
    fritak_arsak: str | None = Field(default=None, max_length=32, **_enum(rules.FRITAK_ARSAKER, "Exemption."))
    oppfylt_dato: date | None = Field(default=None, description="When the duty was fulfilled.")
    oppfylt_grunnlag: str | None = Field(default=None, max_length=8,
                                         **_enum(rules.OPPFYLT_GRUNNLAG, "Hours completed or test passed."))

    def training(self) -> rules.Training:
        return rules.Training(**{f: getattr(self, f) for f in rules.Training.__dataclass_fields__})


class OpplaeringUt(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    person_ref: str
    ekstern_id: str | None
    kilde: str
    kommunenummer: str
    kjonn: str
    fodselsar: int | None
    grunnlag: str
    rett_fra: date
    frist: date
    tilbud_dato: date | None
    start_dato: date | None
    timer_norsk: int
    timer_samfunnskunnskap: int
    fritak_arsak: str | None
    oppfylt_dato: date | None
    oppfylt_grunnlag: str | None
    versjon: int


class Avbrudd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(max_length=12, **_enum(rules.AVBRUDD_TYPER, "Leave or stop."))
    fra: date
    til: date | None = None


class IntrodeltakerInn(_Person):
    """A participant in the introduction programme: the whole current state."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "ekstern_id": "NIR-INTRO-1", "duf_nummer": "201612345678", "kommunenummer": "0301", "kjonn": "K",
        "kategori": "asyl", "start_dato": "2017-03-01", "planlagt_slutt": "2019-02-28",
        "elementer": ["norsk", "samfunnskunnskap", "grunnskole"], "avbrudd": [
            {"type": "permisjon", "fra": "2017-08-01", "til": "2017-09-30"}]}]})

    kommunenummer: str = Field(pattern=KOMMUNE)
    kjonn: Kjonn
    kategori: Kategori = "asyl"
    start_dato: date
    planlagt_slutt: date
    elementer: list[str] = Field(default_factory=list, max_length=20,
                                 description=f"Programme elements, from: {', '.join(rules.ELEMENTER)}.")
    avbrudd: list[Avbrudd] = Field(default_factory=list, max_length=50, description="Leave and stops.")
    avsluttet_dato: date | None = None
    avslutningsarsak: str | None = Field(default=None, max_length=24,
                                         **_enum(rules.AVSLUTNINGSARSAKER, "Why the programme ended."))
    status_ett_ar_etter: str | None = Field(default=None, max_length=12, **_enum(
        rules.STATUS_ETT_AR, "Register status one year after the end (arrives later from the register)."))

    @field_validator("elementer", mode="before")
    @classmethod
    def _split(cls, value):
        """A CSV cell lists the elements separated by ``|``."""
        return [v.strip() for v in value.split("|") if v.strip()] if isinstance(value, str) else value

    def programme(self) -> rules.Programme:
        return rules.Programme(
            kommunenummer=self.kommunenummer, kategori=self.kategori, start_dato=self.start_dato,
            planlagt_slutt=self.planlagt_slutt, elementer=tuple(self.elementer),
            avbrudd=tuple(rules.Interruption(a.type, a.fra, a.til) for a in self.avbrudd),
            avsluttet_dato=self.avsluttet_dato, avslutningsarsak=self.avslutningsarsak,
            status_ett_ar_etter=self.status_ett_ar_etter)


class IntrodeltakerUt(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    person_ref: str
    ekstern_id: str | None
    kommunenummer: str
    kjonn: str
    kategori: str
    start_dato: date
    planlagt_slutt: date
    elementer: list[str]
    avbrudd: list[dict]
    avsluttet_dato: date | None
    avslutningsarsak: str | None
    status_ett_ar_etter: str | None
    versjon: int


class KommuneundersokelseInn(BaseModel):
    """A municipality's answer to the year's municipality survey. ``fritekst`` stays in this service."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "tilbyr_egne_innbyggere": True, "tilbyr_andre_kommuner": False, "har_resultatmal": True,
        "tolkeretningslinjer_med_register": True, "fritekst": "Målene følges opp i programrådet."}]})

    tilbyr_egne_innbyggere: bool = Field(description="Offers the introduction programme to its own residents.")
    tilbyr_andre_kommuner: bool = Field(description="Offers it to other municipalities' residents.")
    har_resultatmal: bool = Field(description="Has result goals for the programme (SP7).")
    tolkeretningslinjer_med_register: bool = Field(
        description="Has guidelines for ordering interpreters that include Nasjonalt tolkeregister (SP11).")
    fritekst: str | None = Field(default=None, max_length=10000, description="Free-text answers (kept here).")


class KommuneundersokelseUt(KommuneundersokelseInn):
    model_config = ConfigDict(from_attributes=True)

    kommunenummer: str
    ar: int
    versjon: int


class ProsjektInn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "del": "A", "eiertype": "kommune", "eier": "0301", "tilskudd_ref": "IMDI-JS-2017-14",
        "periode_fra": "2017-01-01", "periode_til": "2017-12-31"}]})

    del_: str = Field(alias="del", max_length=1, **_enum(rules.DELER, "Part of Jobbsjansen."))
    eiertype: str = Field(max_length=16, **_enum(("kommune", "fylkeskommune"), "Who runs the project."))
    eier: str = Field(pattern=r"^[0-9]{2}([0-9]{2})?$", description="Kommunenummer or fylkesnummer (2017).")
    tilskudd_ref: str = Field(min_length=1, max_length=100, description="The grant's reference.")
    periode_fra: date
    periode_til: date


class ProsjektUt(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    prosjekt_id: str
    del_: str = Field(alias="del")
    eiertype: str
    eier: str
    tilskudd_ref: str
    periode_fra: date
    periode_til: date
    versjon: int


class JobbsjansenDeltakerInn(_Person):
    """A participant in a Jobbsjansen project: the whole current state. A person takes part in each part once."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "ekstern_id": "JS-1", "duf_nummer": "201612345678", "prosjekt_id": "JS-OSLO-A", "kjonn": "K",
        "start_dato": "2017-01-15", "slutt_dato": "2017-11-30", "utfall": "arbeid"}]})

    prosjekt_id: str = Field(min_length=1, max_length=100)
    kjonn: Kjonn
    start_dato: date
    slutt_dato: date | None = None
    utfall: str | None = Field(default=None, max_length=12, **_enum(rules.UTFALL, "Outcome after the end."))


class JobbsjansenDeltakerUt(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    person_ref: str
    ekstern_id: str | None
    prosjekt_id: str
    del_: str = Field(alias="del")
    kjonn: str
    start_dato: date
    slutt_dato: date | None
    utfall: str | None
    versjon: int


class OpplaeringImportRad(OpplaeringInn):
    """One row of the training import: ``ekstern_id`` required."""

    ekstern_id: str = Field(min_length=1, max_length=100)


class IntrodeltakerImportRad(IntrodeltakerInn):
    """One row of the programme import: ``ekstern_id`` required."""

    ekstern_id: str = Field(min_length=1, max_length=100)


class MottaksbeboerInn(_Person):
    """A resident of an integration reception centre (O7): arrival, and when a full-time individually adapted
    programme was offered (within two weeks of arrival)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "duf_nummer": "201612345678", "mottak": "hobol-integreringsmottak", "ankomst_dato": "2017-03-01",
        "tilbud_dato": "2017-03-10"}]})

    mottak: str = Field(pattern=r"^[a-z0-9_-]{1,40}$", description="The reception centre's id.")
    ankomst_dato: date
    tilbud_dato: date | None = Field(default=None, description="When the full-time programme was offered.")


class MottaksbeboerUt(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    person_ref: str
    ekstern_id: str | None
    mottak: str
    ankomst_dato: date
    tilbud_dato: date | None
    versjon: int


class KompetanseInn(_Person):
    """A self-registration of competence (O5/O6), with its purposes and the person's consent to share it with the
    settlement municipality (``kommunenummer``: only with consent)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "duf_nummer": "201612345678", "mottak": "hobol", "registrert_dato": "2017-03-02",
        "formal": ["kartlegging", "bosetting"], "samtykke_deling": True, "kommunenummer": "0301",
        "utdanning": "hoyere", "sprak": ["arabisk", "engelsk"], "karriereveiledning_tilbudt": "2017-03-20"}]})

    mottak: str = Field(pattern=r"^[a-z0-9_-]{1,40}$", description="The reception centre's id.")
    registrert_dato: date
    formal: list[str] = Field(max_length=4, description=f"Purposes, from: {', '.join(rules.FORMAL)}.")
    samtykke_deling: bool = Field(description="Consent to share the registration with the settlement municipality.")
    kommunenummer: str | None = Field(default=None, pattern=KOMMUNE, description="Municipality it may be shared "
                                      "with (needs consent).")
    utdanning: str | None = Field(default=None, max_length=24, **_enum(rules.UTDANNING, "Highest education."))
    sprak: list[str] = Field(default_factory=list, max_length=20)
    arbeidserfaring: str | None = Field(default=None, max_length=4000)
    karriereveiledning_tilbudt: date | None = None
    karriereveiledning_gjennomfort: date | None = None


class KompetanseUt(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    person_ref: str
    mottak: str
    registrert_dato: date
    formal: list[str]
    samtykke_deling: bool
    kommunenummer: str | None
    utdanning: str | None
    sprak: list[str]
    arbeidserfaring: str | None
    karriereveiledning_tilbudt: date | None
    karriereveiledning_gjennomfort: date | None
    versjon: int


class MalgruppeInn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    antall: int = Field(ge=0, le=10_000_000, description="Persons in the target group in the month.")
