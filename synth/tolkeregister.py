"""tolkeregister's part of the synthetic year: the register (SP10) and the state agencies' interpreter
guidelines (the agencies of SP11).

About 1 700 interpreters at scale 1 in 60+ languages, entered from 2010 on, ~5 % removed; evidence shaped so
that ~62 % hold one of the three highest categories (the letter: 1 450 and 64 % at 31.12.2015, target 1 800 and
60 %: the count misses, the share holds, so SP10 is red or yellow by its count part). Identity numbers are
valid fødselsnummer/D-nummer made by ``synth.people``; organisation numbers carry a valid check digit.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from synth.core import KOMMUNER, YEAR, NdjsonWriter, organisation_number, scaled
from synth.people import birth_date, identity_number, name

LANGUAGES = ("ar", "so", "ti", "prs", "fa", "ps", "ku", "ur", "pl", "ru", "uk", "tr", "sq", "bs", "hr", "sr", "es",
             "pt", "fr", "de", "it", "zh", "vi", "th", "tl", "am", "om", "sw", "rw", "ln", "yo", "ha", "ig", "wo",
             "ne", "bn", "hi", "pa", "ta", "si", "my", "km", "lo", "mn", "ka", "hy", "az", "uz", "tk", "kk", "ky",
             "tg", "he", "ro", "bg", "hu", "cs", "sk", "lt", "lv", "et", "fi", "el", "nl")
EVIDENCE = {  # the evidence behind each category of the 2017 scheme
    1: ("statsautorisasjon", "tolkeutdanning"), 2: ("statsautorisasjon",), 3: ("tolkeutdanning",),
    4: ("statsautorisert_translator", "tao"), 5: ("tospot", "tao")}


def interpreter(rng: random.Random, serial: int) -> dict:
    kjonn = rng.choice("KM")
    born = birth_date(rng, date(YEAR, 1, 1), 25, 66)
    entered = date(2010, 1, 1) + timedelta(days=rng.randrange((date(YEAR, 11, 30) - date(2010, 1, 1)).days))
    languages = rng.sample(LANGUAGES[:12] if rng.random() < 0.7 else LANGUAGES, rng.choice((1, 1, 1, 2)))
    sprak = []
    for code in languages:
        category = rng.choices((1, 2, 3, 4, 5), (8, 12, 42, 6, 32))[0]
        sprak.append({"sprak": code, "bevis": [{"type": t, "dato": (entered - timedelta(days=rng.randint(1, 900)))
                                               .isoformat()} for t in EVIDENCE[category]]})
    row = {"ekstern_id": f"SYN-NTR-{serial}", "fodselsnummer": identity_number(rng, born, kjonn, rng.random() < 0.2),
           "navn": name(rng, kjonn), "kjonn": kjonn, "kommunenummer": KOMMUNER.pick(rng),
           "oppfort_dato": entered.isoformat(), "sprak": sprak}
    if rng.random() < 0.05:
        row.update(status="avregistrert", status_dato=(entered + timedelta(days=rng.randint(30, 600))).isoformat(),
                   status_arsak="Avregistrert etter eget ønske.")
        if row["status_dato"] > f"{YEAR}-12-31":
            row.update(status="aktiv", status_dato=None, status_arsak=None)
            row = {k: v for k, v in row.items() if v is not None}
    return row


def generate(*, rng: random.Random, scale: float, out: Path) -> dict:
    folder = out / "tolkeregister"
    with NdjsonWriter(folder / "tolker.ndjson") as rows:
        for serial in range(scaled(1_700, scale)):
            rows.write(interpreter(rng, serial))
        interpreters = rows.rows
    with NdjsonWriter(folder / "etater.ndjson") as rows:
        for serial in range(scaled(60, min(scale, 1.0))):
            rows.write({"ar": YEAR, "organisasjonsnummer": organisation_number(serial),
                        "navn": f"Statlig etat {serial + 1}", "tolkeretningslinjer_med_register": rng.random() < 0.4})
        agencies = rows.rows
    return {"files": {"tolker": "tolkeregister/tolker.ndjson", "etater": "tolkeregister/etater.ndjson"},
            "rows": {"tolker": interpreters, "etater": agencies}}
