from datetime import date

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
    assert periods(date(2017, 6, 30)) == ["2017", "2017-H1", "2017-06"]
    assert periods(date(2017, 7, 1)) == ["2017", "2017-H2", "2017-07"]


def test_every_person_counts_in_each_breakdown_once_per_period():
    cells = [c for c in contributions(_s(date(2017, 1, 1), date(2017, 3, 1), em=True)) if c[0] == "SP1"]
    assert len(cells) == 3 * 6
    assert {(c[2], c[3]) for c in cells if c[1] == "2017"} == {
        ("alle", "alle"), ("kjonn", "K"), ("fylke", "03"), ("kommune", "0301"), ("em_aldersgruppe", "15_18"),
        ("kategori", "asyl")}
