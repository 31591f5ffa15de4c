"""The synthetic year's kvalifisering and tolkeregister files are what those services accept: every row
validates against the service's own import row model and rules (the load in ``make demo`` would report any
rejection; this finds it without a running system), and the shape the demo relies on holds."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kvalifisering import rules as kv_rules
from kvalifisering.schemas import (
    IntrodeltakerImportRad,
    JobbsjansenDeltakerInn,
    KommuneundersokelseInn,
    OpplaeringImportRad,
    ProsjektInn,
)
from synth import generate
from tolkeregister import rules as tk_rules
from tolkeregister.schemas import EtatInn, TolkImportRad


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(0.05, 2017, out)
    return out


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_kvalifisering_rows_pass_the_services_models_and_rules(year):
    training = rows(year / "kvalifisering" / "opplaering.ndjson")
    assert len({r["ekstern_id"] for r in training}) == len(training)
    for r in training:
        kv_rules.check_training(OpplaeringImportRad.model_validate(r).training())
    settled = [r for r in training if r["ekstern_id"].startswith("SYN-OPP-SYN-")]
    assert settled, "training for the persons bosetting settles"
    for r in rows(year / "kvalifisering" / "introduksjonsprogram.ndjson"):
        kv_rules.check_programme(IntrodeltakerImportRad.model_validate(r).programme())
    projects = {r["prosjekt_id"]: ProsjektInn.model_validate({k: v for k, v in r.items() if k != "prosjekt_id"})
                for r in rows(year / "kvalifisering" / "jobbsjansen_prosjekter.ndjson")}
    for p in projects.values():
        kv_rules.check_project(p.del_, p.eiertype, p.eier, p.periode_fra, p.periode_til)
    assert {p.del_ for p in projects.values()} == {"A", "B", "C"}
    for r in rows(year / "kvalifisering" / "jobbsjansen_deltakere.ndjson"):
        row = JobbsjansenDeltakerInn.model_validate(r)
        assert row.prosjekt_id in projects
        kv_rules.check_participation(kv_rules.Participation(row.start_dato, row.slutt_dato, row.utfall))
    for r in rows(year / "kvalifisering" / "kommuneundersokelse.ndjson"):
        KommuneundersokelseInn.model_validate({k: v for k, v in r.items() if k not in ("ar", "kommunenummer")})


def test_tolkeregister_rows_pass_the_services_models_and_give_a_realistic_register(year):
    scheme = tk_rules.scheme("2017")
    highest = Counter()
    for r in rows(year / "tolkeregister" / "tolker.ndjson"):
        row = TolkImportRad.model_validate(r)
        categories = tk_rules.categorise(scheme, {s.sprak: [b.type for b in s.bevis] for s in row.sprak})
        assert categories, "every interpreter holds a category for at least one language"
        highest[min(categories.values())] += 1
    top_three = sum(highest[c] for c in ("1", "2", "3")) / sum(highest.values())
    assert 0.5 < top_three < 0.8, highest
    for r in rows(year / "tolkeregister" / "etater.ndjson"):
        EtatInn.model_validate({"navn": r["navn"], "tolkeretningslinjer_med_register": r[
            "tolkeretningslinjer_med_register"]})
