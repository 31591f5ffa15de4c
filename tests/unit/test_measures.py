from datetime import date, timedelta

import pytest

from shared.settlement_measures import SettledPerson, contributions, periods


def _s(vedtak: date, bosatt: date, em: bool = False) -> SettledPerson:
    return SettledPerson(vedtak, bosatt, "0301", "03", "K", "asyl", em, "15_18" if em else None)


def _totals(s: SettledPerson) -> dict[str, tuple[int, int]]:
    return {m: (n, d) for m, p, dim, _, n, d in contributions(s) if p == "2017" and dim == "alle"}


def test_sp1_boundary_is_inclusive_and_clamped():
    assert _totals(_s(date(2016, 8, 31), date(2017, 2, 28)))["SP1"] == (1, 1)
    assert _totals(_s(date(2016, 8, 31), date(2017, 3, 1)))["SP1"] == (0, 1)
    assert _totals(_s(date(2016, 8, 31), date(2017, 3, 1)))["SP2"] == (1, 1)


def test_sp3_counts_only_unaccompanied_minors_within_three_months():
    assert "SP3" not in _totals(_s(date(2017, 1, 1), date(2017, 2, 1)))
    assert _totals(_s(date(2017, 1, 1), date(2017, 4, 1), em=True))["SP3"] == (1, 1)
    assert _totals(_s(date(2017, 1, 1), date(2017, 4, 2), em=True))["SP3"] == (0, 1)


def test_periods_are_year_half_year_and_month():
    assert periods(date(2017, 6, 30)) == ("2017", "2017-H1", "2017-06")
    assert periods(date(2017, 7, 1)) == ("2017", "2017-H2", "2017-07")


def test_every_person_counts_in_each_breakdown_once_per_period():
    cells = [c for c in contributions(_s(date(2017, 1, 1), date(2017, 3, 1), em=True)) if c[0] == "SP1"]
    assert len(cells) == 3 * 6
    assert {(c[2], c[3]) for c in cells if c[1] == "2017"} == {
        ("alle", "alle"), ("kjonn", "K"), ("fylke", "03"), ("kommune", "0301"), ("em_aldersgruppe", "15_18"),
        ("kategori", "asyl")}


# --- SP1–SP3 boundaries with the expected dates worked out by hand (not through shared.dates) -------------
# decision → last day that still counts: the same day N calendar months later, clamped to the month's end.
BOUNDARIES = [
    # (measure, EM, decision, last day that counts)
    ("SP1", False, date(2016, 8, 31), date(2017, 2, 28)),  # 31 Aug + 6 months: February has 28 days
    ("SP1", False, date(2015, 8, 31), date(2016, 2, 29)),  # … 29 in a leap year
    ("SP1", False, date(2017, 1, 10), date(2017, 7, 10)),
    ("SP1", False, date(2016, 12, 31), date(2017, 6, 30)),
    ("SP2", False, date(2016, 5, 15), date(2017, 5, 15)),
    ("SP2", False, date(2016, 2, 29), date(2017, 2, 28)),  # a leap day + 12 months
    ("SP2", False, date(2016, 8, 31), date(2017, 8, 31)),
    ("SP3", True, date(2016, 11, 30), date(2017, 2, 28)),  # 30 Nov + 3 months
    ("SP3", True, date(2017, 1, 31), date(2017, 4, 30)),
    ("SP3", True, date(2015, 11, 30), date(2016, 2, 29)),
]


@pytest.mark.parametrize("measure, em, decision, last", BOUNDARIES, ids=lambda v: str(v))
def test_settled_on_the_last_day_counts_and_one_day_later_does_not(measure, em, decision, last):
    def share(settled: date) -> tuple[int, int]:
        return {m: (n, d) for m, p, dim, _, n, d in contributions(_s(decision, settled, em))
                if p == str(settled.year) and dim == "alle"}[measure]

    assert share(last) == (1, 1)
    assert share(last - timedelta(days=1)) == (1, 1)
    assert share(last + timedelta(days=1)) == (0, 1)


def test_between_six_and_twelve_months_is_an_sp2_hit_only():
    totals = _totals(_s(date(2016, 8, 31), date(2017, 3, 1)))
    assert (totals["SP1"], totals["SP2"]) == ((0, 1), (1, 1))
    assert _totals(_s(date(2016, 1, 31), date(2017, 2, 1)))["SP2"] == (0, 1)


def test_em_count_in_sp1_and_sp2_too_and_only_em_in_sp3():
    em = _totals(_s(date(2016, 11, 30), date(2017, 3, 1), em=True))
    assert (em["SP1"], em["SP2"], em["SP3"]) == ((1, 1), (1, 1), (0, 1))
    assert "SP3" not in _totals(_s(date(2016, 11, 30), date(2017, 2, 28)))


def test_family_reunified_are_outside_sp1_to_sp3_and_counted_beside():
    # Section 3.1 of the letter: SP1–SP3 count asylum and resettlement refugees; family-reunified persons are
    # shown beside, as information (a denominator-only cell ``<SP>:utenfor``), never in the share.
    person = SettledPerson(date(2017, 1, 10), date(2017, 3, 1), "0301", "03", "K", "familiegjenforent", False, None)
    totals = {m: (n, d) for m, p, dim, _, n, d in contributions(person) if p == "2017" and dim == "alle"}
    assert totals == {"SP1:utenfor": (0, 1), "SP2:utenfor": (0, 1)}
    em = SettledPerson(date(2017, 1, 10), date(2017, 3, 1), "0301", "03", "K", "familiegjenforent", True, "15_18")
    assert {m for m, p, dim, *_ in contributions(em) if p == "2017" and dim == "alle"} == {
        "SP1:utenfor", "SP2:utenfor", "SP3:utenfor"}


@pytest.mark.parametrize("kategori", ["asyl", "overforingsflyktning"])
def test_asylum_and_resettlement_refugees_are_in_the_population(kategori):
    person = SettledPerson(date(2017, 1, 10), date(2017, 3, 1), "0301", "03", "K", kategori, False, None)
    totals = {m: (n, d) for m, p, dim, _, n, d in contributions(person) if p == "2017" and dim == "alle"}
    assert totals == {"SP1": (1, 1), "SP2": (1, 1)}
