"""bosetting's synthetic year: settlement cases (import NDJSON), corrections, requests and municipal decisions.

Scale 1 is Norway 2017: 12 522 places requested (701 EM) and 10 915 decided (759 EM) over all 426 municipalities,
about 11 000 persons settled, of whom 5–7 % unaccompanied minors (EM). The unit drawn is a household: a single
adult, an EM, a family (one or two adults and children, settled together in one municipality on one date, with a
shared ``familie_id``) or a family-reunified household. Its fate is settled in 2017, still waiting at year end,
settled by itself without an agreement (``avsluttet``/``selvbosatt``: not counted in SP1–SP3) or closed
otherwise (``trukket``, ``utreist``).

Waiting times, decision to settlement, are log-normal (median, sigma per household kind). Settlement dates are
spread evenly over 2017 and the decision is the settlement date minus the wait, which in a steady state gives the
persons settled in the year exactly the wait distribution; medians and sigmas are set so that, in the letter's
population (asylum and resettlement refugees), SP1 ≈ 79 %, SP2 ≈ 94 % and SP3 ≈ 34 % (the letter's
baselines). Persons waiting at year end are drawn the same way, kept only if their wait reaches past 31 December.

A few single persons' settlements are corrected: the second file (``korreksjoner.ndjson``) holds the whole row
again with another settlement date, or another municipality where no proposal was recorded (a proposal binds the
municipality). The manifest's expected SP1–SP3 are counted from the rows as they stand after the corrections,
with the shared definition (``shared.settlement_measures``) that bosetting and rapportering count with.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from math import log
from pathlib import Path

from shared.dates import age_on
from shared.geo import fylke_for
from shared.settlement_measures import SETTLEMENT_MEASURES, SettledPerson
from synth import people
from synth.core import KOMMUNER, YEAR, NdjsonWriter, apportion, scaled

SETTLED = 11_000
REQUESTED, REQUESTED_EM = 12_522, 701
DECIDED, DECIDED_EM = 10_915, 759
MAX_PLACES = 100_000  # the API's limit per municipality and year
EM_KOMMUNER = 150  # EM are settled in fewer municipalities: the largest by the proxy
YEAR_START, YEAR_END = date(YEAR, 1, 1), date(YEAR, 12, 31)
WAITING_FROM = date(YEAR - 2, 1, 1)
MAX_WAIT_DAYS = 1500

# household kind: (share of households, waiting time median in days, sigma)
KINDS = {
    "em": (0.135, 130.0, 0.80),
    "enslig": (0.365, 85.0, 0.90),
    "familie": (0.30, 85.0, 0.90),
    "familiegjenforent": (0.20, 40.0, 0.80),
}
FATES = {"bosatt": 0.84, "venter": 0.105, "selvbosatt": 0.04, "avsluttet": 0.015}
CORRECTED_SHARE = 0.04  # of settled single persons


@dataclass
class Timeline:
    vedtak: date
    stages: dict[str, date] = field(default_factory=dict)
    kommune: str | None = None
    arsak: str | None = None


@dataclass
class Person:
    kjonn: str
    born: date
    kategori: str
    em: bool = False


# --- places ------------------------------------------------------------------------------------------------
def places(rng: random.Random, scale: float) -> tuple[list[dict], list[dict]]:
    """Requests (anmodninger) and decisions (kommunevedtak) per municipality; every municipality decides."""
    noisy = [w * rng.lognormvariate(0, 0.25) for w in KOMMUNER.weights]
    decided = apportion(scaled(DECIDED, scale), noisy, minimum=1)
    requested = apportion(scaled(REQUESTED, scale), [w * rng.lognormvariate(0, 0.2) for w in noisy], minimum=1)
    em_weights = [w * rng.lognormvariate(0, 0.4) if i < EM_KOMMUNER else 0.0 for i, w in enumerate(noisy)]
    decided_em = apportion(scaled(DECIDED_EM, scale), em_weights)
    requested_em = apportion(scaled(REQUESTED_EM, scale), [w * rng.lognormvariate(0, 0.3) for w in em_weights])
    anmodninger, vedtak = [], []
    for i, kommune in enumerate(KOMMUNER.ranked):
        r, d = min(requested[i], MAX_PLACES), min(decided[i], MAX_PLACES)
        anmodninger.append({"ar": YEAR, "kommunenummer": kommune, "antall": r, "herav_em": min(requested_em[i], r),
                            "sendt_dato": (date(YEAR - 1, 9, 15) + timedelta(rng.randint(0, 20))).isoformat()})
        vedtak.append({"ar": YEAR, "kommunenummer": kommune, "antall": d, "herav_em": min(decided_em[i], d),
                       "vedtaksdato": (date(YEAR - 1, 10, 15) + timedelta(rng.randint(0, 150))).isoformat()})
    key = lambda row: row["kommunenummer"]  # noqa: E731
    return sorted(anmodninger, key=key), sorted(vedtak, key=key)


# --- timelines ---------------------------------------------------------------------------------------------
def wait_days(rng: random.Random, kind: str) -> int:
    _, median, sigma = KINDS[kind]
    return min(MAX_WAIT_DAYS, round(rng.lognormvariate(log(median), sigma)))


def _stages(rng: random.Random, vedtak: date, wait: int, until: date, kommune: str | None) -> dict[str, date]:
    """klar, utvalgt (with ``kommune``) and akseptert spread over the wait, those reached by ``until``."""
    fractions = sorted((rng.uniform(0, 0.3), rng.uniform(0.3, 0.9), rng.uniform(0.6, 1.0)))
    stages = {}
    for stage, fraction in zip(("klar", "utvalgt", "akseptert"), fractions, strict=True):
        day = vedtak + timedelta(int(fraction * wait))
        if day > until or (stage != "klar" and kommune is None):
            break
        stages[stage] = day
    return stages


def settled_timeline(rng: random.Random, kind: str) -> Timeline:
    """Settled in 2017; family reunification and some case systems record no stage between."""
    settle = YEAR_START + timedelta(rng.randint(0, 364))
    wait = wait_days(rng, kind)
    vedtak = settle - timedelta(wait)
    kommune = KOMMUNER.pick(rng)
    stages = {} if kind == "familiegjenforent" or rng.random() < 0.15 else _stages(rng, vedtak, wait, settle, kommune)
    return Timeline(vedtak, {**stages, "bosatt": settle}, kommune)


def waiting_timeline(rng: random.Random, kind: str) -> Timeline:
    """Decided by 31 December and not settled then: the decision drawn evenly, kept if the wait reaches past."""
    span = (YEAR_END - WAITING_FROM).days
    while True:
        vedtak = WAITING_FROM + timedelta(rng.randint(0, span))
        wait = wait_days(rng, kind)
        if vedtak + timedelta(wait) > YEAR_END:
            break
    kommune = KOMMUNER.pick(rng) if rng.random() < 0.6 else None
    stages = _stages(rng, vedtak, wait, YEAR_END, kommune)
    return Timeline(vedtak, stages, kommune if "utvalgt" in stages else None)


def closed_timeline(rng: random.Random, kind: str, arsak: str) -> Timeline:
    """Closed in 2017 before settlement: selvbosatt (with the municipality), trukket or utreist."""
    closed = YEAR_START + timedelta(rng.randint(0, 364))
    wait = wait_days(rng, kind)
    vedtak = closed - timedelta(wait)
    stages = _stages(rng, vedtak, wait, closed, None)
    return Timeline(vedtak, {**stages, "avsluttet": closed}, KOMMUNER.pick(rng) if arsak == "selvbosatt" else None,
                    arsak)


def timeline(rng: random.Random, kind: str, fate: str) -> Timeline:
    if fate == "bosatt":
        return settled_timeline(rng, kind)
    if fate == "venter":
        return waiting_timeline(rng, kind)
    if fate == "selvbosatt":
        return closed_timeline(rng, kind, "selvbosatt")
    return closed_timeline(rng, kind, rng.choice(("trukket", "utreist")))


# --- households --------------------------------------------------------------------------------------------
def _draw(rng: random.Random, table: dict[str, float]) -> str:
    point, total = rng.random() * sum(table.values()), 0.0
    for key, share in table.items():
        total += share
        if point < total:
            return key
    return key


def household(rng: random.Random, kind: str, vedtak: date) -> list[Person]:
    if kind == "em":
        under_15 = rng.random() < 0.2
        return [Person("M" if rng.random() < 0.85 else "K", people.birth_date(rng, vedtak, *(
            (10, 14) if under_15 else (15, 17))), "asyl" if rng.random() < 0.95 else "overforingsflyktning", True)]
    if kind == "enslig":
        return [Person("M" if rng.random() < 0.7 else "K", people.birth_date(rng, vedtak, 18, 55),
                       "asyl" if rng.random() < 0.75 else "overforingsflyktning")]
    if kind == "familiegjenforent":
        size = rng.choice((1, 1, 2, 2, 3))
        adult = Person("K" if rng.random() < 0.75 else "M", people.birth_date(rng, vedtak, 20, 45),
                       "familiegjenforent")
        return [adult] + [Person(rng.choice("KM"), people.birth_date(rng, vedtak, 0, 17), "familiegjenforent")
                          for _ in range(size - 1)]
    kategori = "overforingsflyktning" if rng.random() < 0.55 else "asyl"
    adults = [Person("M", people.birth_date(rng, vedtak, 22, 55), kategori)]
    if rng.random() < 0.75:
        adults.append(Person("K", people.birth_date(rng, vedtak, 20, 50), kategori))
    children = [Person(rng.choice("KM"), people.birth_date(rng, vedtak, 0, 17), kategori)
                for _ in range(rng.choice((1, 1, 2, 2, 3, 3, 4, 5)))]
    return adults + children


def identity(rng: random.Random, person: Person) -> dict:
    """fødselsnummer (half), D-nummer (three in ten) or none; without one, a birth date or only the year (not for
    EM: counted by year only, a 17-year-old born late in the year would look 18 at the decision)."""
    draw = rng.random()
    if draw < 0.8:
        number = people.identity_number(rng, person.born, person.kjonn, d_nummer=draw >= 0.5)
        return {"fodselsnummer": number, "fodselsdato": person.born.isoformat()}
    if draw < 0.96 or person.em:
        return {"fodselsdato": person.born.isoformat()}
    return {"fodselsar": person.born.year}


def row(rng: random.Random, serial: int, person: Person, family: tuple[str, str] | None, tl: Timeline) -> dict:
    """One import row in ``SakImportRad``'s field order."""
    duf_year = max(person.born.year, tl.vedtak.year - rng.choice((0, 0, 0, 1, 1, 2)))
    out = {"ekstern_id": f"SYN-{serial:08d}", "duf_nummer": people.duf_nummer(serial, duf_year),
           "navn": people.name(rng, person.kjonn, family[1] if family else None), "kjonn": person.kjonn}
    out |= identity(rng, person)
    out |= {"kategori": person.kategori, "enslig_mindrearig": person.em,
            "nedsatt_funksjonsevne": rng.random() < 0.03}
    if family:
        out["familie_id"] = family[0]
    out["vedtaksdato"] = tl.vedtak.isoformat()
    out |= stage_fields(tl)
    return out


def stage_fields(tl: Timeline) -> dict:
    out = {}
    if "klar" in tl.stages:
        out["klar_dato"] = tl.stages["klar"].isoformat()
    if "utvalgt" in tl.stages:
        out |= {"utvalgt_dato": tl.stages["utvalgt"].isoformat(), "utvalgt_kommune": tl.kommune}
    if "akseptert" in tl.stages:
        out["akseptert_dato"] = tl.stages["akseptert"].isoformat()
    if "bosatt" in tl.stages:
        out |= {"bosettingsdato": tl.stages["bosatt"].isoformat(), "kommunenummer": tl.kommune}
    if "avsluttet" in tl.stages:
        if tl.kommune:
            out["kommunenummer"] = tl.kommune
        out |= {"avsluttet_dato": tl.stages["avsluttet"].isoformat(), "avslutningsarsak": tl.arsak}
    return out


def correction(rng: random.Random, original: dict) -> dict | None:
    """The row again with its settlement corrected: another municipality where no proposal binds it,
    otherwise another date (never before the last stage, never outside 2017)."""
    if "utvalgt_kommune" not in original and rng.random() < 0.3:
        kommune = KOMMUNER.pick(rng)
        return {**original, "kommunenummer": kommune} if kommune != original["kommunenummer"] else None
    floor = max(date.fromisoformat(original[f]) for f in ("vedtaksdato", "klar_dato", "akseptert_dato",
                                                         "utvalgt_dato") if f in original)
    settled = date.fromisoformat(original["bosettingsdato"])
    moved = min(YEAR_END, max(floor, YEAR_START, settled + timedelta(rng.choice((-1, 1)) * rng.randint(1, 30))))
    return {**original, "bosettingsdato": moved.isoformat()} if moved != settled else None


# --- the year ----------------------------------------------------------------------------------------------
@dataclass
class Tally:
    """What the manifest says about the rows, counted as they stream past (the final version of each)."""

    rows: int = 0
    households: int = 0
    families: int = 0
    fates: Counter = field(default_factory=Counter)
    settled_by_kategori: Counter = field(default_factory=Counter)
    settled_em: Counter = field(default_factory=Counter)
    settled_by_kommune: Counter = field(default_factory=Counter)
    measures: dict = field(default_factory=lambda: {m.id: [0, 0] for m in SETTLEMENT_MEASURES})
    in_population_by_kommune: dict = field(default_factory=lambda: {m.id: Counter() for m in SETTLEMENT_MEASURES})

    def add(self, fate: str, final: dict) -> None:
        self.rows += 1
        self.fates[fate] += 1
        if fate != "bosatt":
            return
        person = settled_person(final)
        self.settled_by_kategori[person.kategori] += 1
        self.settled_by_kommune[person.kommunenummer] += 1
        if person.enslig_mindrearig:
            self.settled_em[person.em_aldersgruppe] += 1
        for measure in SETTLEMENT_MEASURES:
            if measure.population(person):
                self.measures[measure.id][0] += measure.hit(person)
                self.measures[measure.id][1] += 1
                self.in_population_by_kommune[measure.id][person.kommunenummer] += 1


def settled_person(final: dict) -> SettledPerson:
    vedtak = date.fromisoformat(final["vedtaksdato"])
    born = date.fromisoformat(final["fodselsdato"]) if "fodselsdato" in final else None
    group = None
    if final["enslig_mindrearig"]:
        group = "under_15" if age_on(vedtak, born, final.get("fodselsar")) < 15 else "15_18"
    return SettledPerson(vedtaksdato=vedtak, bosettingsdato=date.fromisoformat(final["bosettingsdato"]),
                         kommunenummer=final["kommunenummer"], fylkesnummer=fylke_for(final["kommunenummer"]),
                         kjonn=final["kjonn"], kategori=final["kategori"],
                         enslig_mindrearig=final["enslig_mindrearig"], em_aldersgruppe=group)


def cases(rng: random.Random, scale: float):
    """(fate, row, correction or None) for each person, household by household, until enough are settled."""
    target, settled, serial, number = scaled(SETTLED, scale), 0, 0, 0
    kinds = {k: v[0] for k, v in KINDS.items()}
    while settled < target:
        number += 1
        kind = _draw(rng, kinds)
        fate = _draw(rng, {**FATES, "selvbosatt": 0.0} if kind == "em" else FATES)
        tl = timeline(rng, kind, fate)
        members = household(rng, kind, tl.vedtak)
        family = (f"SYN-F{number:07d}", rng.choice(people.FAMILY)) if len(members) > 1 else None
        for person in members:
            serial += 1
            original = row(rng, serial, person, family, tl)
            fixed = None
            if fate == "bosatt" and family is None and rng.random() < CORRECTED_SHARE:
                fixed = correction(rng, original)
            yield fate, original, fixed
        settled += len(members) if fate == "bosatt" else 0


def generate(*, rng: random.Random, scale: float, out: Path) -> dict:
    """Write bosetting's files under ``out``/bosetting and return the manifest's section for them."""
    folder = out / "bosetting"
    anmodninger, vedtak = places(rng, scale)
    for name, rows in (("anmodninger", anmodninger), ("kommunevedtak", vedtak)):
        with NdjsonWriter(folder / f"{name}.ndjson") as writer:
            for r in rows:
                writer.write(r)
    tally = Tally()
    with NdjsonWriter(folder / "saker.ndjson") as saker, NdjsonWriter(folder / "korreksjoner.ndjson") as korr:
        last_family = None
        for fate, original, fixed in cases(rng, scale):
            saker.write(original)
            if fixed:
                korr.write(fixed)
            tally.add(fate, fixed or original)
            if original.get("familie_id") and original["familie_id"] != last_family:
                last_family = original["familie_id"]
                tally.families += 1
        corrections = korr.rows
    return section(tally, corrections, anmodninger, vedtak)


def section(tally: Tally, corrections: int, anmodninger: list[dict], vedtak: list[dict]) -> dict:
    settled = tally.fates["bosatt"]
    counts = Counter(tally.settled_by_kommune)
    return {
        "files": {"saker": "bosetting/saker.ndjson", "korreksjoner": "bosetting/korreksjoner.ndjson",
                  "anmodninger": "bosetting/anmodninger.ndjson", "kommunevedtak": "bosetting/kommunevedtak.ndjson"},
        "rows": tally.rows,
        "corrections": corrections,
        "families": tally.families,
        "persons": {fate: tally.fates[fate] for fate in FATES},
        "settled_by_kategori": dict(sorted(tally.settled_by_kategori.items())),
        "settled_em": dict(sorted(tally.settled_em.items())),
        "em_share": round(sum(tally.settled_em.values()) / settled, 6) if settled else None,
        "places": {"anmodet": sum(r["antall"] for r in anmodninger),
                   "anmodet_em": sum(r["herav_em"] for r in anmodninger),
                   "vedtatt": sum(r["antall"] for r in vedtak), "vedtatt_em": sum(r["herav_em"] for r in vedtak)},
        "kommuner_with_settled": len(counts),
        "kommuner_with_1_4_settled": sum(1 for n in counts.values() if 1 <= n <= 4),
        "settled_by_kommune": dict(sorted(counts.items())),
        "expected_nevner_by_kommune": {sp: dict(sorted(c.items())) for sp, c in tally.in_population_by_kommune.items()},
        "expected": {sp: {"periode": str(YEAR), "teller": num, "nevner": den,
                          "andel": round(num / den, 6) if den else None}
                     for sp, (num, den) in tally.measures.items()},
    }
