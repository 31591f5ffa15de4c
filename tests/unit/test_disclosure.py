"""Disclosure control without I/O: the attacker (integer programming over everything published) against
``rapportering.disclosure`` on seeded datasets, and the rules one by one."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date

import pytest
from openpyxl import load_workbook

from rapportering import disclosure, formats
from rapportering.disclosure import protect
from shared.dates import add_months
from shared.geo import fylker_2017, kommuner_2017
from shared.settlement_measures import BY_ID
from tests.disclosure_attack import Attack, report_layer, settlement_dataset

THRESHOLD = 5


def content_for(persons: list[dict], end: str) -> dict:
    """A report's person counts in the published shape, from persons settled 1.1 to ``end``."""
    rows: dict[str, dict[str, int]] = defaultdict(lambda: {"K": 0, "M": 0, "enslige_mindrearige": 0})
    sp = {s: {g: [0, 0] for g in ("alle", "K", "M")} for s in ("SP1", "SP2", "SP3")}
    for p in persons:
        if p["bosettingsdato"] > end:
            continue
        r = rows[p["kommunenummer"]]
        r[p["kjonn"]] += 1
        r["enslige_mindrearige"] += p["enslig_mindrearig"]
        settled, decided = date.fromisoformat(p["bosettingsdato"]), date.fromisoformat(p["vedtaksdato"])
        for s, months, population in (("SP1", 6, True), ("SP2", 12, True), ("SP3", 3, p["enslig_mindrearig"])):
            if population:
                for g in ("alle", p["kjonn"]):
                    sp[s][g][0] += settled <= add_months(decided, months)
                    sp[s][g][1] += 1
    kommuner = [{"kommunenummer": k, "fylkesnummer": kommuner_2017()[k].fylkesnummer, **v,
                 "totalt": v["K"] + v["M"]} for k, v in sorted(rows.items())]
    fylker: dict[str, dict[str, int]] = defaultdict(lambda: {"K": 0, "M": 0, "enslige_mindrearige": 0})
    for r in kommuner:
        for c in ("K", "M", "enslige_mindrearige"):
            fylker[r["fylkesnummer"]][c] += r[c]
    fylke_rows = [{"fylkesnummer": f, "fylkesnavn": fylker_2017()[f], **v, "totalt": v["K"] + v["M"]}
                  for f, v in sorted(fylker.items())]
    country = {c: sum(r[c] for r in kommuner) for c in ("K", "M", "totalt")}

    def cell(t: int, n: int) -> dict:
        return {"teller": t, "nevner": n, "andel": round(t / n, 6) if n else None}

    sps = [{"id": s, "verdi": {"status": "data", **cell(*v["alle"]), "etter_kjonn": {g: cell(*v[g]) for g in "KM"}},
            "koblinger": dict(BY_ID[s].links), "framskriving": {"verdi": 0.5},
            "risiko": {"beregnet": {"status": "gul", "begrunnelse": "Årsverdi"}}}
           for s, v in sp.items() if v["alle"][1]]
    return {"rapport": {"periode": end}, "mal": [{"id": "M1", "styringsparametere": sps}],
            "bosettingsstatistikk": {"etter_kommune": kommuner, "etter_fylke": fylke_rows,
                                     "bosatte_etter_kjonn": country}}


def publish_all(seed: int) -> list[tuple[str, str, dict, dict]]:
    """Half-year v1, half-year v2 after a correction, the annual report: (name, period, internal, external)."""
    base, fix = settlement_dataset(seed)
    tables = [("H1/1", "H1", content_for(base, "2017-06-30")), ("H1/2", "H1", content_for(base + fix, "2017-06-30")),
              ("year/1", "year", content_for(base + fix, "2017-12-31"))]
    out: list[tuple[str, str, dict, dict]] = []
    for name, period, full in tables:
        shown = protect(full, [(f, s) for _, _, f, s in out], THRESHOLD)
        out.append((name, period, full, shown))
    return out


@pytest.mark.parametrize("seed", [1, 2, 5, 13, 21])
def test_no_suppressed_cell_can_be_narrowed_below_the_protection_interval(seed):
    published = publish_all(seed)
    layers = [report_layer(name, period, i, shown) for i, (name, period, _, shown) in enumerate(published)]
    truth = {(name, *k): v for name, period, full, _ in published
             for k, v in report_layer(name, period, 0, full).cells.items()}
    attack = Attack(layers)
    ranges = attack.ranges(THRESHOLD - 1)
    assert attack.holds_for(truth), "the attacker's model must hold for the true figures"
    hidden = [(L.name, *k) for L in layers for k in L.hidden]
    assert len(hidden) >= 20
    for cell in hidden:
        low, high = ranges[cell]
        assert high - low >= THRESHOLD - 1, (cell, truth[cell], low, high)
    for L in layers:
        for key, value in L.cells.items():
            assert value is None or value == 0 or value >= THRESHOLD, (L.name, key, value)


def test_totals_numerators_and_complements_are_primary():
    persons = [{"kommunenummer": "1265", "kjonn": "K", "enslig_mindrearig": True, "vedtaksdato": "2017-01-02",
                "bosettingsdato": "2017-02-01"}]  # Fedje: one unaccompanied minor
    persons += [{"kommunenummer": "0301", "kjonn": "KM"[i % 2], "enslig_mindrearig": False,
                 "vedtaksdato": "2016-06-01" if i == 0 else "2017-01-02", "bosettingsdato": "2017-03-01"}
                for i in range(40)]
    full = content_for(persons, "2017-06-30")
    shown = protect(full, [], THRESHOLD)
    fedje = next(r for r in shown["bosettingsstatistikk"]["etter_kommune"] if r["kommunenummer"] == "1265")
    assert fedje["totalt"] is None and fedje["K"] is None and fedje["enslige_mindrearige"] is None
    assert fedje["M"] == 0, "zeros are not secret"
    sp1 = shown["mal"][0]["styringsparametere"][0]
    assert full["mal"][0]["styringsparametere"][0]["verdi"]["nevner"] - \
        full["mal"][0]["styringsparametere"][0]["verdi"]["teller"] == 1
    assert sp1["verdi"]["teller"] is None and sp1["verdi"]["andel"] is None, "41 of 42 reveals one person"
    assert sp1["framskriving"] is None and "prikket" in sp1["risiko"]["beregnet"]["begrunnelse"]
    assert full["bosettingsstatistikk"]["etter_kommune"][0]["totalt"] == 40, "the input is not changed"


def test_a_published_pattern_is_respected_by_the_next_version():
    base, fix = settlement_dataset(4)
    h1 = content_for(base, "2017-06-30")
    h1_shown = protect(h1, [], THRESHOLD)
    year_shown = protect(content_for(base + fix, "2017-12-31"), [(h1, h1_shown)], THRESHOLD)
    alone = protect(content_for(base + fix, "2017-12-31"), [], THRESHOLD)
    hidden = sum(r.get("prikket", []).__len__() for r in year_shown["bosettingsstatistikk"]["etter_kommune"])
    hidden_alone = sum(len(r.get("prikket", [])) for r in alone["bosettingsstatistikk"]["etter_kommune"])
    assert hidden > hidden_alone, "the second half-year (year − H1) needs cells hidden that the year alone does not"


def test_excel_writes_free_text_as_text_never_as_a_formula():
    evil = ["=HYPERLINK(\"http://x\",\"klikk\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    content = {"rapport": {"tittel": evil[0], "type": "arsrapport", "periode": "2017", "telletidspunkt": "2017-12-31",
                           "frist": "2018-02-13", "styringsdokument": evil[1]},
               "oppdrag": [{"id": "O1", "tittel": evil[2], "start": "2017-01-01", "frist": "2017-12-31",
                            "risiko": {"beregnet": {"status": "gul", "begrunnelse": evil[3]}},
                            "milepaeler": [{"id": "M1", "tekst": "t", "frist": "2017-02-01", "ferdig": False,
                                            "fremdrift": 10, "dato": None, "kommentar": k} for k in evil]}],
               "rapporteringskrav": [{"id": "R1", "mal": "M1", "tekst": "x", "virksomhetens_tekst": evil[4]}]}
    wb = load_workbook(io.BytesIO(formats.excel(content)))
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                texts.append(c.value)
    assert all(e.replace("\r", "\n") in texts for e in evil), "the text itself is kept (XML reads CR as LF)"


def test_what_is_reachable_is_withheld_when_it_counts_too_few_waiting_persons():
    def content(waiting: int) -> dict:
        ahead = {"venter": waiting, "innenfor_frist": waiting, "forbi_frist": 0, "trengs_i_tide": 0, "tekst": "…"}
        sp = {"id": "SP1", "verdi": {"status": "data", "teller": 40, "nevner": 50, "andel": 0.8, "etter_kjonn": {}},
              "framskriving": None, "mulig_i_ar": ahead, "risiko": {"beregnet": {"status": "rod", "begrunnelse": ""}}}
        return {"mal": [{"styringsparametere": [sp]}]}

    shown = [disclosure.render(content(n), set(), 5)["mal"][0]["styringsparametere"][0]["mulig_i_ar"]
             for n in (3, 12)]
    assert shown[0] is None and shown[1]["venter"] == 12


def figures(*rows: tuple[str, int, int | None], personer: bool = True) -> dict:
    return {"periode": "2017-03", "tall": [{"navn": navn, "tekst": navn, "dimensjon": "alle", "kategori": "alle",
                                            "antall": a, "nevner": n, "andel": round(a / n, 6) if n else None,
                                            "personer": personer} for navn, a, n in rows]}


def test_key_figures_that_count_persons_are_protected_with_their_complement():
    content = {"rapport": {"periode": "2017-03"}, "oppdrag": [
        {"id": "O5", "nokkeltall": figures(("registrerte", 3, 400), ("veiledet", 398, 400), ("mottak", 60, 80))},
        {"id": "O10", "nokkeltall": figures(("utbetalinger", 2, None), personer=False)}]}
    shown = protect(content, [], THRESHOLD)
    o5 = {f["navn"]: f for f in shown["oppdrag"][0]["nokkeltall"]["tall"]}
    assert o5["registrerte"]["antall"] is None and o5["registrerte"]["andel"] is None, "3 persons"
    assert o5["registrerte"]["nevner"] == 400
    assert o5["veiledet"]["antall"] is None, "398 of 400 tells that 2 were not offered guidance"
    assert o5["mottak"]["antall"] == 60 and o5["mottak"]["nevner"] == 80
    assert shown["oppdrag"][1]["nokkeltall"]["tall"][0]["antall"] == 2, "a figure that counts no persons is shown"


def test_a_key_figure_corrected_by_a_few_persons_is_protected_across_versions():
    first = {"rapport": {"periode": "2017"}, "rapporteringskrav": [
        {"id": "R10", "nokkeltall": {**figures(("bestatte_prover", 120, None)), "periode": "2017"}}]}
    second = {"rapport": {"periode": "2017"}, "rapporteringskrav": [
        {"id": "R10", "nokkeltall": {**figures(("bestatte_prover", 122, None)), "periode": "2017"}}]}
    shown_first = protect(first, [], THRESHOLD)
    assert shown_first["rapporteringskrav"][0]["nokkeltall"]["tall"][0]["antall"] == 120
    shown = protect(second, [(first, shown_first)], THRESHOLD)
    assert shown["rapporteringskrav"][0]["nokkeltall"]["tall"][0]["antall"] is None, "122 − 120 = 2 persons"


def test_an_sp_that_counts_municipalities_is_published_as_it_is():
    sp7 = {"id": "SP7", "subjekt": "kommune", "verdi": {"status": "data", "teller": 3, "nevner": 250,
                                                        "andel": 0.012, "etter_kjonn": {}},
           "koblinger": {}, "framskriving": None, "risiko": {"beregnet": {"status": "rod", "begrunnelse": "x"}}}
    sp4 = {"id": "SP4", "subjekt": "person", "verdi": {"status": "data", "teller": 3, "nevner": 250, "andel": 0.012,
                                                       "etter_kjonn": {}},
           "koblinger": {}, "framskriving": None, "risiko": {"beregnet": {"status": "rod", "begrunnelse": "x"}}}
    shown = protect({"rapport": {"periode": "2017"}, "mal": [{"id": "M2", "styringsparametere": [sp7, sp4]}]},
                    [], THRESHOLD)
    out7, out4 = shown["mal"][0]["styringsparametere"]
    assert out7["verdi"]["teller"] == 3, "three municipalities are not three persons"
    assert out4["verdi"]["teller"] is None, "three persons are hidden, even with no breakdown by kjønn"


def test_grants_under_the_special_criterion_are_a_person_count():
    def report(count: int) -> dict:
        return {"rapport": {"periode": "2017-H1"}, "budsjett": {"kapitler": [{"kapittel": 496, "poster": [
            {"post": "60", "forbruk": "1000", "saerskilt_kriterium": count}, {"post": "61", "forbruk": "10"}]}]}}

    shown = protect(report(3), [], THRESHOLD)
    post = shown["budsjett"]["kapitler"][0]["poster"][0]
    assert post["saerskilt_kriterium"] is None and post["forbruk"] == "1000"
    assert protect(report(40), [], THRESHOLD)["budsjett"]["kapitler"][0]["poster"][0]["saerskilt_kriterium"] == 40
    first = report(40)
    later = protect(report(42), [(first, protect(first, [], THRESHOLD))], THRESHOLD)
    assert later["budsjett"]["kapitler"][0]["poster"][0]["saerskilt_kriterium"] is None, "42 − 40 = 2 persons"
