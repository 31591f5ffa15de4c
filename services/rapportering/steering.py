"""The steering model: one YAML file per letter year under ``styringsmodell/``, validated at start-up."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

MODEL_DIR = Path(__file__).parent / "styringsmodell"
Frekvens = Literal["halvarsrapport", "arsrapport", "manedlig", "kvartalsvis", "evalueringsrapport"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Kilde(_Strict):
    """Where a number or date in the model comes from: the letter (its section), or IMDi's own setting (and
    why), so JD can see which thresholds and dates the agency chose."""

    fra: Literal["tildelingsbrev", "imdi"]
    avsnitt: str | None = Field(default=None, description="The letter's section, for fra=tildelingsbrev.")
    merknad: str | None = Field(default=None, description="Why IMDi set it, for fra=imdi.")

    @model_validator(mode="after")
    def _complete(self) -> Kilde:
        if self.fra == "tildelingsbrev" and not self.avsnitt:
            raise ValueError("a figure from the letter names its section")
        if self.fra == "imdi" and not self.merknad:
            raise ValueError("IMDi's own setting says why")
        return self


def letter(section: str) -> Kilde:
    return Kilde(fra="tildelingsbrev", avsnitt=section)


IMDI_TOLERANCE = Kilde(fra="imdi", merknad="Brevet definerer rød, gul og grønn (4.2) uten tallgrenser; "
                       "toleransen er IMDis egen innstilling.")
IMDI_MILESTONE_DAYS = Kilde(fra="imdi", merknad="Brevet sier ikke hvor forsinket et oppdrag er før det er rødt; "
                            "antall dager er IMDis egen innstilling.")


class Mal(_Strict):
    id: str
    tekst: str
    avsnitt: str


class Maleutgangspunkt(_Strict):
    tekst: str
    verdi: float | None = None
    ar: int | None = None
    historikk: dict[int, float] = Field(default_factory=dict)
    etter_kjonn: dict[str, float] = Field(default_factory=dict)
    kilde: Kilde


class Resultatkrav(_Strict):
    tekst: str
    verdi: float
    tilleggskrav: dict[str, float] = Field(default_factory=dict)
    kilde: Kilde


class Maling(_Strict):
    kilde: Literal["bosetting", "kvalifisering", "tolkeregister", "tilskudd"]
    definisjon: str


class Toleranse(_Strict):
    gul: float = Field(ge=0, description="How far below the target the projection may fall and still be yellow "
                       "(share points for a share, units for a count); further below is red.")
    kilde: Kilde = IMDI_TOLERANCE


class Styringsparameter(_Strict):
    id: str = Field(pattern=r"^SP[0-9]+(\.[0-9])?$")
    mal: str
    tekst: str
    rapportering: list[Frekvens]
    enhet: Literal["andel", "antall"]
    maleutgangspunkt: Maleutgangspunkt
    resultatkrav: Resultatkrav
    maling: Maling
    toleranse: Toleranse


class Rapporteringskrav(_Strict):
    id: str = Field(pattern=r"^R[0-9]+(\.[0-9])?$")
    ogsa: list[str] = Field(default_factory=list, description="Other ids the letter gives the same requirement "
                            "(«R 10 og 11» is one requirement, addressable as R10 and R11).")
    mal: str
    tekst: str
    frekvens: list[Frekvens]


class Milepael(_Strict):
    id: str
    tekst: str
    frist: date
    kilde: Kilde | None = None


class Oppdrag(_Strict):
    id: str = Field(pattern=r"^O[0-9]+$")
    mal: str
    tittel: str
    rapportering: list[Frekvens]
    avsnitt: str = Field(description="The letter's section that gives the assignment.")
    start: date
    frist: date
    start_kilde: Kilde
    frist_kilde: Kilde
    milepaeler: list[Milepael] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_letter(cls, data: dict) -> dict:
        """Start, deadline and milestones come from the assignment's section unless the file says otherwise."""
        if isinstance(data, dict) and "avsnitt" in data:
            section = {"fra": "tildelingsbrev", "avsnitt": data["avsnitt"]}
            data = {"start_kilde": section, "frist_kilde": section, **data}
            data["milepaeler"] = [{"kilde": section, **m} if isinstance(m, dict) else m
                                  for m in data.get("milepaeler", [])]
        return data

    @property
    def alle_milepaeler(self) -> list[Milepael]:
        """The letter's milestones, or one for the assignment itself when it names none."""
        return self.milepaeler or [Milepael(id="M1", tekst="Oppdraget gjennomført", frist=self.frist)]


class Post(_Strict):
    post: str
    navn: str
    belop: int | None
    bindinger: list[str] = Field(default_factory=list)
    merknad: str | None = None


class Kapittel(_Strict):
    kapittel: int
    navn: str
    sum: int
    poster: list[Post]


class Budsjett(_Strict):
    enhet: str
    kapitler: list[Kapittel]


class Kalenderpunkt(_Strict):
    type: Literal["halvarsrapport", "arsrapport"]
    periode: str
    tekst: str
    telletidspunkt: date
    frist: date
    kilde: Kilde = letter("4.1")


class Manedsrapport(_Strict):
    oppdrag: list[str]
    frist_dager_etter_maned: int
    kilde: Kilde


class OppdragRisiko(_Strict):
    gul_etter_dager: int
    rod_etter_dager: int
    kilde: Kilde = IMDI_MILESTONE_DAYS


class Risiko(_Strict):
    rod: str
    gul: str
    gronn: str
    oppdrag: OppdragRisiko


class Styringsmodell(_Strict):
    ar: int
    dokument: str
    dato: date
    merknader: list[str] = Field(default_factory=list)
    mal: list[Mal]
    styringsparametere: list[Styringsparameter]
    rapporteringskrav: list[Rapporteringskrav]
    oppdrag: list[Oppdrag]
    budsjett: Budsjett
    rapporteringskalender: list[Kalenderpunkt]
    manedsrapport: Manedsrapport
    risiko: Risiko

    @model_validator(mode="after")
    def _consistent(self) -> Styringsmodell:
        goals = {m.id for m in self.mal}
        for item in [*self.styringsparametere, *self.rapporteringskrav, *self.oppdrag]:
            if item.mal not in goals:
                raise ValueError(f"{item.id} names unknown goal {item.mal}")
        requirement_ids = [i for r in self.rapporteringskrav for i in (r.id, *r.ogsa)]
        for ids in ([s.id for s in self.styringsparametere], requirement_ids, [o.id for o in self.oppdrag]):
            if len(ids) != len(set(ids)):
                raise ValueError(f"duplicate ids: {ids}")
        assignments = {o.id for o in self.oppdrag}
        if not set(self.manedsrapport.oppdrag) <= assignments:
            raise ValueError("monthly report names an unknown assignment")
        for o in self.oppdrag:
            if o.frist < o.start or any(m.frist < o.start for m in o.milepaeler):
                raise ValueError(f"{o.id}: a deadline before the start")
        return self

    def sp(self, sp_id: str) -> Styringsparameter:
        return next(s for s in self.styringsparametere if s.id == sp_id)

    def krav(self, r_id: str) -> Rapporteringskrav | None:
        """A reporting requirement by any id the letter gives it (R11 is R10's requirement)."""
        return next((r for r in self.rapporteringskrav if r_id == r.id or r_id in r.ogsa), None)

    def oppdrag_by_id(self, o_id: str) -> Oppdrag:
        return next(o for o in self.oppdrag if o.id == o_id)


@cache
def load(year: int) -> Styringsmodell:
    path = MODEL_DIR / f"{year}.yaml"
    if not path.exists():
        raise KeyError(year)
    return Styringsmodell.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def years() -> list[int]:
    return sorted(int(p.stem) for p in MODEL_DIR.glob("*.yaml"))


def load_all() -> dict[int, Styringsmodell]:
    """Load and validate every year's model (called at start-up: a broken file stops the service)."""
    return {y: load(y) for y in years()}
