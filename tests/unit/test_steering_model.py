"""The steering model holds everything in the letter."""

from __future__ import annotations

import re
from pathlib import Path

from rapportering.steering import load

# The letter itself, kept beside the model that encodes it (a copy of shared/seed/tildelingsbrev-imdi-2017.txt).
LETTER = Path(__file__).resolve().parents[2] / "services/rapportering/styringsmodell/tildelingsbrev-imdi-2017.txt"
MODEL = load(2017)


def letter_ids() -> tuple[set[str], set[str], set[str]]:
    text = LETTER.read_text(encoding="utf-8")
    sps = {"SP" + m for m in re.findall(r"STYRINGSPARAMETER: SP ([0-9.]+)", text)}
    rs: set[str] = set()
    for first, second in re.findall(r"^\s*R ([0-9.]+)(?: og ([0-9]+))?\t", text, flags=re.M):
        rs.add("R" + first)
        if second:
            rs.add("R" + second)
    # The letter writes assignments as O1 or 01 (a zero for the letter O) and spells OPPDRAG/OPPDRAK.
    os_ = {"O" + str(int(m)) for m in re.findall(r"OPPDRA[GK]:\s*(?:</p>\s*<p>)?\s*[O0]([0-9]+)", text)}
    return sps, rs, os_


def test_every_sp_r_and_o_in_the_letter_is_in_the_model():
    sps, rs, os_ = letter_ids()
    assert len(sps) == 12 and len(os_) == 12 and len(rs) == 13
    assert sps == {s.id for s in MODEL.styringsparametere}
    assert rs == {i for r in MODEL.rapporteringskrav for i in (r.id, *r.ogsa)}
    assert os_ == {o.id for o in MODEL.oppdrag}


def test_the_letters_own_baselines_and_targets():
    assert (MODEL.sp("SP1").maleutgangspunkt.verdi, MODEL.sp("SP1").resultatkrav.verdi) == (0.79, 0.90)
    assert MODEL.sp("SP1").maleutgangspunkt.historikk == {2013: 0.50, 2014: 0.49, 2015: 0.51}
    assert MODEL.sp("SP3").resultatkrav.verdi == 0.80
    assert MODEL.sp("SP8").maleutgangspunkt.etter_kjonn == {"M": 0.72, "K": 0.50}
    assert MODEL.sp("SP10").resultatkrav.tilleggskrav == {"andel_tre_hoyeste_kategorier": 0.60}
    assert MODEL.sp("SP11").maleutgangspunkt.verdi == 0.26  # 78 of 302


def test_assignments_milestones_and_calendar():
    o10 = MODEL.oppdrag_by_id("O10")
    assert [str(m.frist) for m in o10.milepaeler] == ["2017-02-28", "2017-04-30", "2017-05-30"]
    assert "manedlig" in o10.rapportering
    assert MODEL.manedsrapport.oppdrag == ["O5", "O6", "O7", "O10"]
    half = next(k for k in MODEL.rapporteringskalender if k.type == "halvarsrapport")
    assert (str(half.telletidspunkt), str(half.frist)) == ("2017-06-30", "2017-08-19")
    assert MODEL.oppdrag_by_id("O2").alle_milepaeler[0].frist == MODEL.oppdrag_by_id("O2").frist


def test_budget_frame():
    chapters = {k.kapittel: k for k in MODEL.budsjett.kapitler}
    for kap in (495, 497):
        assert sum(p.belop or 0 for p in chapters[kap].poster) == chapters[kap].sum
    posts = {p.post: p.belop for p in chapters[496].poster}
    assert posts["60"] == 12134571 and posts["61"] == 3768338


def test_r10_and_r11_are_one_requirement_as_the_letter_has_it():
    assert MODEL.krav("R10") is MODEL.krav("R11")
    assert "ToSPoT" in MODEL.krav("R11").tekst and "tolkelov" in MODEL.krav("R10").tekst
    assert [r.id for r in MODEL.rapporteringskrav].count("R11") == 0


def test_every_number_and_date_says_where_it_comes_from():
    for sp in MODEL.styringsparametere:
        assert sp.resultatkrav.kilde.fra == "tildelingsbrev" and sp.resultatkrav.kilde.avsnitt.startswith("3.")
        assert sp.toleranse.kilde.fra == "imdi"
    by_id = {o.id: o for o in MODEL.oppdrag}
    assert {o for o, a in by_id.items() if a.start_kilde.fra == "imdi"} == {"O6", "O7"}
    assert {o for o, a in by_id.items() if a.frist_kilde.fra == "imdi"} == {"O10"}
    assert all(m.kilde.fra == "tildelingsbrev" for o in MODEL.oppdrag for m in o.milepaeler)
    assert MODEL.manedsrapport.kilde.fra == "imdi" and "10 dager" in MODEL.manedsrapport.kilde.merknad
    assert MODEL.risiko.oppdrag.kilde.fra == "imdi"
    assert all(k.kilde.avsnitt == "4.1" for k in MODEL.rapporteringskalender)
