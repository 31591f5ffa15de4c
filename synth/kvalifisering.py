"""kvalifisering's part of the synthetic year: training in Norwegian and social studies (SP4, SP5), the
introduction programme (SP6, SP8) and the municipality survey (SP7, and the municipalities of SP11).

Shaped on the letter's figures (sections 3.2.1–3.2.2) so the demo shows every colour: training starts within
three months for ~91 % (SP4, green against 90 %), the duty is fulfilled by the deadline for ~87 % (SP5, yellow
within the 5-point tolerance), ~62 % of those who ended the programme in 2017 are in work or education a year
after (SP8, red against 70 %; men ~70 %, women ~52 %), and ~300 municipalities answer the survey. Persons are
the persons bosetting's file settles (their training from the settlement on) and new DUF-nummer (serials
apart from bosetting's) for the earlier cohorts.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from shared.geo import kommuner_2017
from synth.core import KOMMUNER, YEAR, NdjsonWriter, scaled
from synth.people import duf_nummer

SERIAL_BASE = 50_000_000  # bosetting's serials stay far below this


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def training(rng: random.Random, serial: int, kjonn: str, rett_fra: date, kommune: str) -> dict:
    row = {"ekstern_id": f"SYN-OPP-{serial}", "duf_nummer": duf_nummer(SERIAL_BASE + serial, rett_fra.year - 1),
           "kommunenummer": kommune, "kjonn": kjonn, "fodselsar": rng.randint(1955, 1999),
           "grunnlag": rng.choices(("asyl", "overforingsflyktning", "familiegjenforent"), (6, 2, 2))[0],
           "rett_fra": rett_fra.isoformat()}
    start = rett_fra + timedelta(days=rng.randint(10, 85) if rng.random() < 0.91 else rng.randint(100, 300))
    row["tilbud_dato"] = (rett_fra + timedelta(days=rng.randint(5, 30))).isoformat()
    if start <= date(YEAR, 12, 31):
        row["start_dato"] = start.isoformat()
        row["timer_norsk"] = min(550, max(0, (date(YEAR, 12, 31) - start).days // 2))
        row["timer_samfunnskunnskap"] = 50 if row["timer_norsk"] > 100 else 0
    deadline = date(rett_fra.year + 3, rett_fra.month, min(rett_fra.day, 28))
    if deadline.year == YEAR and "start_dato" in row and rng.random() < 0.87:
        done = deadline - timedelta(days=rng.randint(1, 200))
        if done >= start:
            row.update(oppfylt_dato=done.isoformat(), oppfylt_grunnlag=rng.choice(("timer", "prove")),
                       timer_norsk=550, timer_samfunnskunnskap=50)
    return row


def participant(rng: random.Random, serial: int, kommune: str, school: float) -> dict:
    kjonn = rng.choice("KM")
    start = _day(rng, date(2015, 1, 1), date(YEAR, 6, 30))
    row = {"ekstern_id": f"SYN-INTRO-{serial}", "duf_nummer": duf_nummer(SERIAL_BASE + 5_000_000 + serial, 2014),
           "kommunenummer": kommune, "kjonn": kjonn,
           "kategori": rng.choices(("asyl", "overforingsflyktning", "familiegjenforent"), (6, 2, 2))[0],
           "start_dato": start.isoformat(), "planlagt_slutt": (start + timedelta(days=730)).isoformat(),
           "elementer": ["norsk", "samfunnskunnskap"] + (["arbeidspraksis"] if rng.random() < 0.5 else [])
           + ([rng.choice(("grunnskole", "videregaende"))] if rng.random() < school else [])}
    end = start + timedelta(days=rng.randint(400, 800))
    if end <= date(YEAR, 12, 31):
        row["avsluttet_dato"] = end.isoformat()
        row["avslutningsarsak"] = rng.choices(("fullfort", "overgang_arbeid", "overgang_utdanning", "flyttet"),
                                              (6, 2, 1, 1))[0]
        hit = rng.random() < (0.70 if kjonn == "M" else 0.52)
        row["status_ett_ar_etter"] = rng.choice(("arbeid", "utdanning", "begge")) if hit else "ingen"
    return row


def settled_training(rng: random.Random, out: Path):
    """Training for the persons bosetting's file settles in the year, aged 16–67 in a category with the right:
    their right began on settlement (kvalifisering also opens it from bosetting's event; the row brings the
    offer and the start)."""
    path = out / "bosetting" / "saker.ndjson"
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        yield from _settled_rows(rng, lines)


def _settled_rows(rng: random.Random, lines):
    for line in lines:
        case = json.loads(line)
        settled = case.get("bosettingsdato")
        born = int(case.get("fodselsdato", "1900")[:4])
        if not settled or case["kategori"] not in ("asyl", "overforingsflyktning", "familiegjenforent") \
                or not 16 <= int(settled[:4]) - born <= 67:
            continue
        rett_fra = date.fromisoformat(settled)
        row = {"ekstern_id": f"SYN-OPP-{case['ekstern_id']}", "duf_nummer": case["duf_nummer"],
               "kommunenummer": case["kommunenummer"], "kjonn": case["kjonn"], "fodselsar": born,
               "grunnlag": case["kategori"], "rett_fra": rett_fra.isoformat(),
               "tilbud_dato": (rett_fra + timedelta(days=rng.randint(5, 30))).isoformat()}
        start = rett_fra + timedelta(days=rng.randint(10, 85) if rng.random() < 0.91 else rng.randint(100, 300))
        if start <= date(YEAR, 12, 31):
            row["start_dato"] = start.isoformat()
        yield row


def generate(*, rng: random.Random, scale: float, out: Path) -> dict:
    folder = out / "kvalifisering"
    with NdjsonWriter(folder / "opplaering.ndjson") as rows:
        for row in settled_training(rng, out):
            rows.write(row)
        for serial in range(scaled(9_000, scale)):
            rett_fra = _day(rng, date(2014, 1, 1), date(YEAR, 9, 30)) if rng.random() < 0.35 else \
                _day(rng, date(2016, 10, 1), date(YEAR, 9, 30))
            rows.write(training(rng, serial, rng.choice("KM"), rett_fra, KOMMUNER.pick(rng)))
        training_rows = rows.rows
    # a municipality's school share varies: some offer primary or upper-secondary education, many do not
    school = {k: rng.choice((0.0, 0.0, 0.05, 0.2)) for k in KOMMUNER.ranked}
    with NdjsonWriter(folder / "introduksjonsprogram.ndjson") as rows:
        for serial in range(scaled(12_000, scale)):
            kommune = KOMMUNER.pick(rng)
            rows.write(participant(rng, serial, kommune, school[kommune]))
        participants = rows.rows
    answering = sorted(rng.sample(KOMMUNER.ranked, min(len(KOMMUNER.ranked), scaled(300, min(scale, 1.0)))))
    with NdjsonWriter(folder / "kommuneundersokelse.ndjson") as rows:
        for kommune in answering:
            offers = rng.random() < 0.85
            rows.write({"ar": YEAR, "kommunenummer": kommune, "tilbyr_egne_innbyggere": offers,
                        "tilbyr_andre_kommuner": offers and rng.random() < 0.1,
                        "har_resultatmal": offers and rng.random() < 0.72,
                        "tolkeretningslinjer_med_register": rng.random() < 0.29})
    projects, people = jobbsjansen(rng, scale, folder)
    return {"files": {"opplaering": "kvalifisering/opplaering.ndjson",
                      "jobbsjansen_prosjekter": "kvalifisering/jobbsjansen_prosjekter.ndjson",
                      "jobbsjansen_deltakere": "kvalifisering/jobbsjansen_deltakere.ndjson",
                      "introduksjonsprogram": "kvalifisering/introduksjonsprogram.ndjson",
                      "kommuneundersokelse": "kvalifisering/kommuneundersokelse.ndjson"},
            "rows": {"opplaering": training_rows, "introduksjonsprogram": participants,
                     "jobbsjansen_prosjekter": projects, "jobbsjansen_deltakere": people,
                     "kommuneundersokelse": len(answering)}}


# Jobbsjansen (SP9.1 part A, SP9.2 part C; part B is assignment O8): directly to work or education for ~63 % in
# part A (green against 60 %) and ~66 % in part C (red against 75 %).
JOBBSJANSEN_HIT = {"A": 0.63, "B": 0.5, "C": 0.66}


def jobbsjansen(rng: random.Random, scale: float, folder: Path) -> tuple[int, int]:
    projects = []
    for i in range(scaled(60, min(scale, 1.0))):
        part = ("A", "B", "C")[i] if i < 3 else rng.choices(("A", "B", "C"), (6, 1, 3))[0]  # every part exists
        owner = KOMMUNER.pick(rng)  # part B is run by county authorities
        projects.append({"prosjekt_id": f"SYN-JS-{i}", "del": part,
                         "eiertype": "fylkeskommune" if part == "B" else "kommune",
                         "eier": kommuner_2017()[owner].fylkesnummer if part == "B" else owner,
                         "tilskudd_ref": f"IMDI-JS-{YEAR}-{i}", "periode_fra": f"{YEAR - 1}-01-01",
                         "periode_til": f"{YEAR}-12-31"})
    with NdjsonWriter(folder / "jobbsjansen_prosjekter.ndjson") as rows:
        for p in projects:
            rows.write(p)
    with NdjsonWriter(folder / "jobbsjansen_deltakere.ndjson") as rows:
        for serial in range(scaled(2_000, scale)):
            project = rng.choice(projects)
            start = _day(rng, date(YEAR - 1, 1, 1), date(YEAR, 6, 30))
            row = {"ekstern_id": f"SYN-JS-D-{serial}",
                   "duf_nummer": duf_nummer(SERIAL_BASE + 9_000_000 + serial, 2013),
                   "prosjekt_id": project["prosjekt_id"], "kjonn": rng.choice("KM"), "start_dato": start.isoformat()}
            end = start + timedelta(days=rng.randint(120, 500))
            if end <= date(YEAR, 12, 31):
                hit = rng.random() < JOBBSJANSEN_HIT[project["del"]]
                row.update(slutt_dato=end.isoformat(), utfall=rng.choice(("arbeid", "utdanning", "begge")) if hit
                           else rng.choice(("ingen", "annet")))
            rows.write(row)
        people = rows.rows
    return len(projects), people
