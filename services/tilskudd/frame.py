"""The budget frame and the rates as data per year: ``data/budsjett-<year>.yaml`` and ``data/satser-<year>.yaml``.

Amounts in the files are text in the letter's own unit; everything here is integer øre (``tilskudd.money``).
A line of the frame is a post (``binding`` None) or a binding within a post; its id is "496.62" or
"496.62/gronland-oslo".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from tilskudd.money import to_ore

DATA = Path(__file__).parent / "data"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Amount(_Strict):
    """An amount as the letter prints it: in thousands (the table) or millions (the text)."""

    tusen: str | None = None
    mill: str | None = None

    @model_validator(mode="after")
    def _one_unit(self) -> Amount:
        if (self.tusen is None) == (self.mill is None):
            raise ValueError("give exactly one of tusen and mill")
        return self

    @property
    def ore(self) -> int:
        return to_ore(self.tusen, "tusen") if self.tusen is not None else to_ore(self.mill, "mill")


class Range(_Strict):
    navn: str
    fra: Amount
    til: Amount


class Milestone(_Strict):
    oppdrag: str = Field(pattern=r"^O[0-9]+$")
    milepael: str = Field(pattern=r"^M[0-9]+$")


class Binding(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]{2,40}$")
    navn: str
    belop: Amount
    mottaker_kommune: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    herav: Range | None = None
    milepael: Milestone | None = None


class Post(_Strict):
    post: str = Field(pattern=r"^[0-9]{2}$")
    navn: str
    tildelt: Amount | None
    bevilget: Amount | None = None
    disponerer_tekst: Amount | None = None
    merknad: str | None = None
    bindinger: list[Binding] = Field(default_factory=list)


class Kapittel(_Strict):
    kapittel: int
    navn: str
    sum: Amount
    sum_merknad: str | None = None
    poster: list[Post]

    @property
    def posts_total_ore(self) -> int:
        return sum(p.tildelt.ore for p in self.poster if p.tildelt is not None)


class BudgetFile(_Strict):
    ar: int
    kilde: str
    kapitler: list[Kapittel]

    @model_validator(mode="after")
    def _adds_up(self) -> BudgetFile:
        for k in self.kapitler:
            if k.posts_total_ore != k.sum.ore and k.sum_merknad is None:
                raise ValueError(f"kap. {k.kapittel}: the posts add up to {k.posts_total_ore} øre, not the sum "
                                 f"{k.sum.ore}, and no sum_merknad says why")
            for p in k.poster:
                bound = sum(b.belop.ore for b in p.bindinger)
                if p.tildelt is not None and bound > p.tildelt.ore:
                    raise ValueError(f"{k.kapittel}.{p.post}: bindings exceed the post")
        return self


@dataclass(frozen=True)
class Line:
    """A post or a binding: what a decision is committed against."""

    ar: int
    kapittel: int
    post: str
    binding: str | None
    navn: str
    belop_ore: int | None  # None: the letter gives no amount IMDi disposes of (496.21)
    bevilget_ore: int | None = None
    mottaker_kommune: str | None = None
    milepael: Milestone | None = None

    @property
    def post_id(self) -> str:
        return f"{self.kapittel}.{self.post}"

    @property
    def id(self) -> str:
        return self.post_id if self.binding is None else f"{self.post_id}/{self.binding}"


@cache
def budget(year: int) -> BudgetFile:
    path = DATA / f"budsjett-{year}.yaml"
    if not path.exists():
        raise KeyError(year)
    return BudgetFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def budget_years() -> list[int]:
    return sorted(int(p.stem.split("-")[1]) for p in DATA.glob("budsjett-*.yaml"))


@cache
def lines(year: int) -> dict[str, Line]:
    """Every post and binding of the year's frame, by id, in the letter's order."""
    out: dict[str, Line] = {}
    for k in budget(year).kapitler:
        for p in k.poster:
            post = Line(year, k.kapittel, p.post, None, p.navn, p.tildelt.ore if p.tildelt else None,
                        p.bevilget.ore if p.bevilget else None)
            out[post.id] = post
            for b in p.bindinger:
                line = Line(year, k.kapittel, p.post, b.id, b.navn, b.belop.ore, None, b.mottaker_kommune,
                            b.milepael)
                out[line.id] = line
    return out


# --- rates -------------------------------------------------------------------------------------------
class Integreringstilskudd(_Strict):
    ar1: dict[str, str]
    senere_ar: dict[int, str]


class EmTilskudd(_Strict):
    hoy: str
    lav: str
    hoy_til_og_med_alder: int
    til_og_med_alder: int


class Prognose(_Strict):
    ar1_snitt: str
    em_sats: str = Field(pattern=r"^(hoy|lav)$")


class RatesFile(_Strict):
    ar: int
    integreringstilskudd: Integreringstilskudd
    em_tilskudd: EmTilskudd
    utbetalingsmaned_senere_ar: int = Field(ge=1, le=12)
    prognose: Prognose


@dataclass(frozen=True)
class Rates:
    """A year's rates in øre."""

    ar: int
    ar1: dict[str, int]
    senere_ar: dict[int, int]
    em_hoy: int
    em_lav: int
    em_hoy_til_og_med_alder: int
    em_til_og_med_alder: int
    utbetalingsmaned_senere_ar: int
    prognose_ar1: int
    prognose_em: int


def rate_years() -> list[int]:
    return sorted(int(p.stem.split("-")[1]) for p in DATA.glob("satser-*.yaml"))


@cache
def rates(year: int) -> Rates:
    """The rates of ``year``; for a year without a file, the newest earlier year's, or before the first file the
    first year's (a provisional figure: ``Rates.ar`` says which year's rates they are)."""
    known = rate_years()
    if not known:
        raise KeyError(year)
    chosen = max((y for y in known if y <= year), default=known[0])
    f = RatesFile.model_validate(yaml.safe_load((DATA / f"satser-{chosen}.yaml").read_text(encoding="utf-8")))
    em = f.em_tilskudd
    return Rates(ar=f.ar, ar1={k: to_ore(v) for k, v in f.integreringstilskudd.ar1.items()},
                 senere_ar={k: to_ore(v) for k, v in f.integreringstilskudd.senere_ar.items()},
                 em_hoy=to_ore(em.hoy), em_lav=to_ore(em.lav), em_hoy_til_og_med_alder=em.hoy_til_og_med_alder,
                 em_til_og_med_alder=em.til_og_med_alder, utbetalingsmaned_senere_ar=f.utbetalingsmaned_senere_ar,
                 prognose_ar1=to_ore(f.prognose.ar1_snitt),
                 prognose_em=to_ore(em.hoy if f.prognose.em_sats == "hoy" else em.lav))
