"""Nasjonalt tolkeregister's rules, as pure functions over plain data (tested without a database).

* **Categories are data.** A scheme (``kategorier/<ordning>.yaml``) lists the qualification categories from the
  highest down, each with the evidence it needs: every group under ``krever`` is met by at least one evidence
  type of the group. For each language, the category is the highest one the language's evidence meets; an
  interpreter's highest category is the highest over their languages. Neither is ever typed in. Which
  categories are "the three highest" (the letter's SP10) is part of the scheme. A later scheme (2020: A–E) is a
  new file and a setting, not a code change.
* **Status**: ``aktiv`` ⇄ ``suspendert``, and either → ``avregistrert``, which is final. Each change has a date
  (not before the entry in the register, nor before the previous change) and a reason. An interpreter is in
  the register (SP10) from the entry date until removal; a suspended interpreter is still entered but is not
  shown in the public search and their ID card does not verify.
* **Complaints** end in a decision with a consequence: ``ingen``, ``advarsel``, ``suspensjon`` (status →
  suspendert) or ``avregistrering`` (status → avregistrert), dated the decision's date.
* **ID cards** are valid on a day when issued on or before it, not expired (the expiry day is the last valid
  one), not revoked on or before it, and the interpreter is active.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMES = Path(__file__).parent / "kategorier"
STATUSES = ("aktiv", "suspendert", "avregistrert")
TRANSITIONS = {"aktiv": {"suspendert", "avregistrert"}, "suspendert": {"aktiv", "avregistrert"},
               "avregistrert": set()}
CONSEQUENCE_STATUS = {"ingen": None, "advarsel": None, "suspensjon": "suspendert", "avregistrering": "avregistrert"}


class RuleViolation(ValueError):
    """A rule is broken; ``field`` names the field the caller should fix (message in Norwegian)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


# --- the category scheme -----------------------------------------------------------------------------------
class Kategori(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kode: str = Field(pattern=r"^[0-9A-Z]{1,3}$")
    navn: str
    krever: tuple[tuple[str, ...], ...] = Field(min_length=1)


class Ordning(BaseModel):
    """A category scheme: the categories from the highest down, the evidence types they use, the top three."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ordning: str = Field(pattern=r"^[0-9]{4}$")
    navn: str
    bevistyper: dict[str, str] = Field(min_length=1)
    kategorier: tuple[Kategori, ...] = Field(min_length=1)
    tre_hoyeste: tuple[str, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Ordning:
        codes = [k.kode for k in self.kategorier]
        if len(set(codes)) != len(codes):
            raise ValueError("category codes repeat")
        if not set(self.tre_hoyeste) <= set(codes) or len(set(self.tre_hoyeste)) != 3:
            raise ValueError("tre_hoyeste must name three of the scheme's categories")
        if set(codes[:3]) != set(self.tre_hoyeste):
            raise ValueError("tre_hoyeste must be the first three categories (the list runs from the highest)")
        for k in self.kategorier:
            unknown = {t for group in k.krever for t in group} - set(self.bevistyper)
            if unknown or not all(k.krever):
                raise ValueError(f"category {k.kode} needs unknown or empty evidence groups")
        return self

    def rank(self, kode: str) -> int:
        """0 for the highest category."""
        return [k.kode for k in self.kategorier].index(kode)

    def category_for(self, evidence: Iterable[str]) -> str | None:
        """The highest category that ``evidence`` (evidence types held for one language) meets, or None."""
        held = set(evidence)
        for k in self.kategorier:
            if all(held & set(group) for group in k.krever):
                return k.kode
        return None

    def highest(self, categories: Iterable[str]) -> str | None:
        """The highest of an interpreter's categories (over languages), or None if they hold none."""
        found = sorted(set(categories), key=self.rank)
        return found[0] if found else None


def load(path: Path) -> Ordning:
    """A scheme file, validated (pydantic.ValidationError if it is not consistent)."""
    return Ordning.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def scheme(ordning: str) -> Ordning:
    """The scheme in ``kategorier/<ordning>.yaml``; a broken or missing file stops the service at start-up."""
    return load(SCHEMES / f"{ordning}.yaml")


def categorise(ordning: Ordning, languages: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Per language, the category its evidence meets. Raises :class:`RuleViolation` for a language whose evidence
    meets none (it cannot be registered), or an evidence type the scheme does not know."""
    out = {}
    for i, (language, evidence) in enumerate(languages.items()):
        evidence = list(evidence)
        unknown = sorted(set(evidence) - set(ordning.bevistyper))
        if unknown:
            raise RuleViolation(f"Ukjent bevistype i kategoriordning {ordning.ordning}: {', '.join(unknown)}.",
                                f"sprak.{i}.bevis")
        category = ordning.category_for(evidence)
        if category is None:
            raise RuleViolation("Bevisene for språket gir ingen kvalifikasjonskategori.", f"sprak.{i}.bevis")
        out[language] = category
    return out


# --- status ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatusChange:
    status: str
    dato: date
    arsak: str


def check_status_change(current: str, last_change: date, entered: date, change: StatusChange) -> None:
    """Raise :class:`RuleViolation` unless ``change`` may follow the current status (changed on ``last_change``)."""
    if change.status == current:
        raise RuleViolation(f"Tolken har allerede status {current}.", "status")
    if change.status not in TRANSITIONS[current]:
        raise RuleViolation("En avregistrert tolk kan ikke få ny status; registrer tolken på nytt.", "status")
    if change.dato < entered:
        raise RuleViolation("Datoen kan ikke være før tolken ble oppført.", "dato")
    if change.dato < last_change:
        raise RuleViolation("Datoen kan ikke være før forrige statusendring.", "dato")


def removal_date(status: str, status_date: date) -> date | None:
    """When the interpreter left the register (SP10's stock ends), or None while entered."""
    return status_date if status == "avregistrert" else None


def status_after_decision(consequence: str) -> str | None:
    """The status a complaint's consequence gives the interpreter, or None if it leaves it as it is."""
    return CONSEQUENCE_STATUS[consequence]


# --- ID cards ----------------------------------------------------------------------------------------------
def card_valid(*, on: date, issued: date, expires: date, revoked: date | None, interpreter_status: str) -> bool:
    return (issued <= on <= expires and (revoked is None or revoked > on) and interpreter_status == "aktiv")
