"""The pure rules for integreringstilskudd, the EM grant and the forecast of settlements still to come."""

from __future__ import annotations

from datetime import date

from tilskudd import frame, rules


def ents(**kw) -> list[rules.Entitlement]:
    base = {"bosettingsdato": date(2017, 5, 2), "tilskuddsgruppe": "voksen", "enslig_mindrearig": False,
            "fodselsar": 1990, "rates_for": frame.rates}
    return rules.entitlements(**{**base, **kw})


def test_integreringstilskudd_five_years_year_one_by_group_later_years_flat():
    r = frame.rates(2017)
    single = ents(tilskuddsgruppe="enslig_voksen")
    child = ents(tilskuddsgruppe="barn", fodselsar=2010)
    assert [(e.ar, e.post, e.arstrinn) for e in single] == [(2017 + i, "60", i + 1) for i in range(5)]
    assert single[0].belop_ore == 233_000_00 and child[0].belop_ore == 183_000_00
    assert [e.belop_ore for e in single[1:]] == [e.belop_ore for e in child[1:]] == [
        r.senere_ar[2], r.senere_ar[3], r.senere_ar[4], r.senere_ar[5]]
    assert single[0].utbetalingsdato == date(2017, 5, 2) and single[1].utbetalingsdato == date(2018, 1, 1)
    assert [e.sats_ar for e in single] == [2017] * 5  # later years: provisional, on the newest known rates


def test_an_em_settled_at_14_gets_the_em_grant_each_year_to_20_higher_to_16():
    r = frame.rates(2017)
    em = [e for e in ents(tilskuddsgruppe="enslig_mindrearig", enslig_mindrearig=True, fodselsar=2003)
          if e.post == "61"]
    assert [(e.ar, e.ar - 2003) for e in em] == [(2017, 14), (2018, 15), (2019, 16), (2020, 17), (2021, 18),
                                                 (2022, 19), (2023, 20)]
    assert [e.belop_ore for e in em] == [r.em_hoy] * 3 + [r.em_lav] * 4
    assert r.em_hoy == 1_238_000_00 and r.em_lav == 204_000_00


def test_no_em_grant_for_others_or_without_birth_year():
    assert not [e for e in ents() if e.post == "61"]
    assert not [e for e in ents(enslig_mindrearig=True, fodselsar=None) if e.post == "61"]


def test_a_person_of_unknown_group_gets_the_adult_rate():
    assert ents(tilskuddsgruppe=None)[0].belop_ore == frame.rates(2017).ar1["voksen"]


def test_expected_settlements_per_municipality_never_below_zero():
    decided = {"0301": (100, 10), "1201": (20, 0), "5001": (5, 5)}
    settled = {"0301": (40, 12), "1201": (30, 0)}
    assert rules.expected_settlements(decided, settled) == rules.Expected(others=90 - 28, em=0 + 5)
    # never more than the queue holds (persons with a decision, not yet settled)
    assert rules.expected_settlements(decided, settled, (30, 3)) == rules.Expected(others=27, em=3)
    assert rules.expected_settlements(decided, settled, (500, 100)) == rules.Expected(others=62, em=5)


def test_month_ends_from_a_date_to_december():
    assert rules.month_ends(date(2017, 11, 15), 2017) == [date(2017, 11, 30), date(2017, 12, 31)]
    assert rules.month_ends(date(2016, 5, 1), 2017)[1] == date(2017, 2, 28)
    assert len(rules.month_ends(date(2016, 5, 1), 2017)) == 12
    assert rules.month_ends(date(2018, 1, 1), 2017) == []
