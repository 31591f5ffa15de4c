"""Projection and risk rules, including a back-test on simulated years and the letter's own baselines."""

from __future__ import annotations

import random
from datetime import date

from rapportering.risk import MilestoneState, assignment_risk, project_share, sp_risk
from rapportering.steering import load

MODEL = load(2017)


def coverage(true_sigma: float, seed: int = 42, years: int = 400) -> float:
    rng = random.Random(seed)
    hits = trials = 0
    for _ in range(years):
        p = rng.uniform(0.5, 0.95)
        monthly = {}
        for m in range(1, 13):
            p = min(0.99, max(0.05, p + rng.gauss(0, true_sigma)))
            d = rng.randint(300, 1200)
            monthly[m] = (sum(rng.random() < p for _ in range(d)), d)
        final = sum(v[0] for v in monthly.values()) / sum(v[1] for v in monthly.values())
        for month in (3, 6, 9):
            proj = project_share(monthly, month, 0.9)
            trials += 1
            hits += proj.low <= final <= proj.high
    return hits / trials


def test_backtest_interval_covers_the_realised_year_about_80_percent_of_the_time():
    assert 0.74 <= coverage(0.02) <= 0.88
    assert coverage(0.01, years=150) >= 0.80   # smaller drift than the prior: conservative
    assert coverage(0.03, years=150) >= 0.58   # larger drift: narrower than nominal, documented


def test_year_end_is_exact():
    proj = project_share({m: (80, 100) for m in range(1, 13)}, 12, 0.9)
    assert (proj.value, proj.low, proj.high, proj.p_target) == (0.8, 0.8, 0.8, 0.0)


def test_recent_months_weigh_in_when_there_are_enough():
    early_bad = {1: (10, 100), 2: (10, 100), 3: (90, 100), 4: (90, 100), 5: (90, 100), 6: (90, 100)}
    proj = project_share(early_bad, 6, 0.9)
    ytd = 380 / 600
    assert proj.value > ytd and abs(proj.value - (380 + 0.9 * 600) / 1200) < 0.01


def test_the_letters_baselines_as_sanity_cases():
    """Per 31.10.2016, 79 % within six months (SP1) against 90 %: red; 94 % within twelve (SP2) against 100 %:
    yellow; 34 % of EM within three months (SP3) against 80 %: red."""
    for sp_id, share, expected in (("SP1", 0.79, "rod"), ("SP2", 0.94, "rod"), ("SP3", 0.34, "rod")):
        monthly = {m: (round(share * 1000), 1000) for m in range(1, 11)}
        proj = project_share(monthly, 10, MODEL.sp(sp_id).resultatkrav.verdi)
        assert abs(proj.value - share) < 0.001
        assert sp_risk(MODEL.sp(sp_id), proj, True).status == expected, sp_id
    sp2 = MODEL.sp("SP2")
    near = project_share({m: (960, 1000) for m in range(1, 11)}, 10, sp2.resultatkrav.verdi)
    status = sp_risk(sp2, near, True)
    assert status.status == "gul" and "4,0 prosentpoeng under kravet" in status.begrunnelse
    met = project_share({m: (950, 1000) for m in range(1, 11)}, 10, MODEL.sp("SP1").resultatkrav.verdi)
    assert sp_risk(MODEL.sp("SP1"), met, True).status == "gronn"


def test_no_source_is_no_data_not_zero():
    status = sp_risk(MODEL.sp("SP4"), None, False)
    assert status.status == "ingen_data" and "kvalifisering" in status.begrunnelse


def _m(mid, frist, ferdig=False, dato=None, fremdrift=None):
    return MilestoneState(mid, "tekst", frist, ferdig, fremdrift, dato, None)


def test_assignment_risk_from_milestones():
    o10 = MODEL.oppdrag_by_id("O10")
    red_after = MODEL.risiko.oppdrag.rod_etter_dager
    ms = [_m("M1", date(2017, 2, 28), True, date(2017, 2, 20), 100), _m("M2", date(2017, 4, 30)),
          _m("M3", date(2017, 5, 30))]
    assert assignment_risk(o10, ms, date(2017, 3, 31), red_after).status == "gronn"
    late = assignment_risk(o10, ms, date(2017, 5, 10), red_after)
    assert late.status == "gul" and "M2" in late.begrunnelse and "10 dager" in late.begrunnelse
    assert assignment_risk(o10, ms, date(2017, 6, 30), red_after).status == "rod"
    done = [_m(m.id, m.frist, True, m.frist, 100) for m in ms]
    assert assignment_risk(o10, done, date(2017, 12, 31), red_after).begrunnelse.startswith("Alle 3")
    behind = [_m("M1", date(2017, 12, 31), fremdrift=10)]
    assert assignment_risk(MODEL.oppdrag_by_id("O9"), behind, date(2017, 10, 1), red_after).status == "gul"


def test_a_stock_is_projected_along_its_month_end_trend_and_exact_in_december():
    from rapportering.risk import project_stock
    series = {m: (60 * m, 100 + 10 * m) for m in range(1, 7)}  # +10 a month, top three +60 a month
    total, top = project_stock(series, 6)
    assert (round(total, 6), round(top, 6)) == (220.0, 220.0), "the top three cannot exceed the total"
    series = {m: (5 * m, 100 + 10 * m) for m in range(1, 13)}
    assert project_stock(series, 12) == (220.0, 60.0)
    assert project_stock({}, 5) is None
