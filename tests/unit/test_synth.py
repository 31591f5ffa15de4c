"""The synthetic-year generator: deterministic, realistic at scale 1, streamed, and every row one bosetting takes."""

from __future__ import annotations

import hashlib
import json
import tracemalloc
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from stdnum.no import fodselsnummer

from bosetting import service
from bosetting.schemas import SakImportRad
from shared.dates import add_months
from shared.geo import kommuner_2017
from synth import generate, people
from synth.core import apportion, module_rng


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def final_rows(folder: Path) -> list[dict]:
    """The cases as they stand after the corrections file."""
    by_id = {r["ekstern_id"]: r for r in read(folder / "bosetting" / "saker.ndjson")}
    for r in read(folder / "bosetting" / "korreksjoner.ndjson"):
        by_id[r["ekstern_id"]] = r
    return list(by_id.values())


def settled(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r.get("bosettingsdato")]


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("synth-1")
    return out, generate(1, 2017, out)


def test_the_same_seed_gives_byte_identical_files(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(0.1, 7, first)
    generate(0.1, 7, second)
    generate(0.1, 8, other)
    assert digests(first) == digests(second)
    assert len(digests(first)) == 19  # bosetting 5, kvalifisering 5, tolkeregister 2, tilskudd 7
    assert digests(first)["bosetting/saker.ndjson"] != digests(other)["bosetting/saker.ndjson"]


def test_scale_1_has_norways_2017_totals(year):
    out, manifest = year
    rows = final_rows(out)
    assert 10_900 <= len(settled(rows)) <= 11_100
    anmodet, vedtatt = read(out / "bosetting" / "anmodninger.ndjson"), read(out / "bosetting" / "kommunevedtak.ndjson")
    assert (sum(r["antall"] for r in anmodet), sum(r["herav_em"] for r in anmodet)) == (12_522, 701)
    assert (sum(r["antall"] for r in vedtatt), sum(r["herav_em"] for r in vedtatt)) == (10_915, 759)
    assert manifest["bosetting"]["places"] == {"anmodet": 12_522, "anmodet_em": 701, "vedtatt": 10_915,
                                               "vedtatt_em": 759}
    assert all(r["herav_em"] <= r["antall"] for r in anmodet + vedtatt)


def test_scale_1_em_share_and_categories(year):
    out, _ = year
    done = settled(final_rows(out))
    em = [r for r in done if r["enslig_mindrearig"]]
    assert 0.05 <= len(em) / len(done) <= 0.07
    ages = {"under_15" if add_months(date.fromisoformat(r["fodselsdato"]), 15 * 12) > date.fromisoformat(
        r["vedtaksdato"]) else "15_18" for r in em}
    assert ages == {"under_15", "15_18"}
    for kategori in ("overforingsflyktning", "asyl", "familiegjenforent"):
        assert 0.10 <= sum(r["kategori"] == kategori for r in done) / len(done) <= 0.60


def test_every_municipality_decides_and_many_settle_only_a_few(year):
    out, manifest = year
    vedtatt = read(out / "bosetting" / "kommunevedtak.ndjson")
    assert sorted(r["kommunenummer"] for r in vedtatt) == sorted(kommuner_2017())
    assert all(r["antall"] >= 1 for r in vedtatt)
    per_kommune = defaultdict(int)
    for r in settled(final_rows(out)):
        per_kommune[r["kommunenummer"]] += 1
    small = sum(1 for n in per_kommune.values() if 1 <= n <= 4)
    assert small >= 40
    assert max(per_kommune.values()) > 40 * sorted(per_kommune.values())[len(per_kommune) // 2]  # skewed
    assert manifest["bosetting"]["kommuner_with_1_4_settled"] == small


def test_every_municipality_decides_at_a_tenth_of_the_scale_too(tmp_path):
    generate(0.1, 2017, tmp_path)
    vedtatt = read(tmp_path / "bosetting" / "kommunevedtak.ndjson")
    assert len(vedtatt) == 426 and all(r["antall"] >= 1 for r in vedtatt)


def test_families_settle_together_and_the_other_fates_occur(year):
    out, manifest = year
    rows = final_rows(out)
    families = defaultdict(set)
    for r in settled(rows):
        if r.get("familie_id"):
            families[r["familie_id"]].add((r["kommunenummer"], r["bosettingsdato"]))
    assert len(families) > 500
    assert all(len(places) == 1 for places in families.values())
    reasons = {r.get("avslutningsarsak") for r in rows}
    assert {"selvbosatt", "trukket", "utreist"} <= reasons
    assert all(r.get("kommunenummer") for r in rows if r.get("avslutningsarsak") == "selvbosatt")
    waiting = [r for r in rows if not r.get("bosettingsdato") and not r.get("avsluttet_dato")]
    assert len(waiting) > 500
    assert manifest["bosetting"]["persons"]["venter"] == len(waiting)


def test_corrections_change_only_a_settlement(year):
    out, manifest = year
    original = {r["ekstern_id"]: r for r in read(out / "bosetting" / "saker.ndjson")}
    corrections = read(out / "bosetting" / "korreksjoner.ndjson")
    assert len(corrections) == manifest["bosetting"]["corrections"] > 50
    changed = set()
    for c in corrections:
        diff = {k for k in c if c[k] != original[c["ekstern_id"]][k]}
        assert diff and diff <= {"bosettingsdato", "kommunenummer"}
        assert c["bosettingsdato"][:4] == "2017"
        changed |= diff
    assert changed == {"bosettingsdato", "kommunenummer"}


def test_waiting_times_land_near_the_letters_baselines_and_the_manifest_says_so(year):
    out, manifest = year
    # The letter's population (section 3.1): asylum and resettlement refugees; family-reunified persons are not
    # in SP1–SP3.
    done = [r for r in settled(final_rows(out)) if r["kategori"] != "familiegjenforent"]

    def share(rows: list[dict], months: int) -> tuple[int, int]:
        hits = sum(date.fromisoformat(r["bosettingsdato"]) <= add_months(date.fromisoformat(r["vedtaksdato"]), months)
                   for r in rows)
        return hits, len(rows)

    counted = {"SP1": share(done, 6), "SP2": share(done, 12),
               "SP3": share([r for r in done if r["enslig_mindrearig"]], 3)}
    expected = manifest["bosetting"]["expected"]
    assert {sp: (v["teller"], v["nevner"]) for sp, v in expected.items()} == counted
    assert 0.77 <= expected["SP1"]["andel"] <= 0.81
    assert 0.925 <= expected["SP2"]["andel"] <= 0.955
    assert 0.29 <= expected["SP3"]["andel"] <= 0.39
    waits = sorted((date.fromisoformat(r["bosettingsdato"]) - date.fromisoformat(r["vedtaksdato"])).days
                   for r in done)
    assert waits[-len(waits) // 100] > 3 * waits[len(waits) // 2]  # a long tail: p99 well beyond 3 × median


def test_every_row_passes_bosettings_validation_and_rules(year):
    out, _ = year
    for name in ("saker", "korreksjoner"):
        for record in read(out / "bosetting" / f"{name}.ndjson"):
            service.build(SakImportRad.model_validate(record), "test-key")


def test_identifiers_are_valid_and_match_birth_date_and_sex():
    rng = module_rng(1, "test")
    for born in (date(1940, 1, 1), date(1999, 12, 31), date(2000, 2, 29), date(2016, 7, 14)):
        for kjonn in "KM":
            for d_nummer in (False, True):
                number = people.identity_number(rng, born, kjonn, d_nummer)
                assert fodselsnummer.validate(number) == number
                assert fodselsnummer.get_birth_date(number) == born
                assert {"M": "M", "F": "K"}[fodselsnummer.get_gender(number)] == kjonn
                assert (int(number[0]) >= 4) == d_nummer
    dufs = {people.duf_nummer(serial, 2016) for serial in range(1, 200_001)}
    assert len(dufs) == 200_000 and all(len(d) == 12 and d.isdigit() for d in dufs)


def test_apportion_keeps_the_total_and_the_minimum():
    assert apportion(10, [5, 3, 2]) == [5, 3, 2]
    parts = apportion(1000, [1 / r for r in range(1, 427)], minimum=1)
    assert sum(parts) == 1000 and min(parts) == 1 and parts[0] > parts[-1]
    assert sum(apportion(7, [1.0] * 10, minimum=1)) == 7


def test_generation_streams_memory_does_not_grow_with_scale(tmp_path):
    peaks = []
    for scale in (0.05, 0.4):
        tracemalloc.start()
        generate(scale, 3, tmp_path / str(scale))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0] + 1_000_000, peaks


def test_the_cli_writes_the_files_and_reports_the_expected_figures(tmp_path):
    from typer.testing import CliRunner

    from synth.cli import app

    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path), "--scale", "0.02", "--seed", "4"])

    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert (manifest["seed"], manifest["scale"]) == (4, 0.02)
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["rows"] == manifest["bosetting"]["rows"] == len(read(tmp_path / "bosetting" / "saker.ndjson"))
    assert summary["expected"] == {sp: v["andel"] for sp, v in manifest["bosetting"]["expected"].items()}


def test_the_demo_generates_again_when_its_files_lack_a_services_part(tmp_path):
    from synth.cli import outdated

    assert outdated(tmp_path)
    generate(0.02, 4, tmp_path)
    assert not outdated(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    del manifest["tilskudd"]  # a folder written before tilskudd had a module
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert outdated(tmp_path)
