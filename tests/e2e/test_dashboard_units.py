"""The dashboard's pure parts: chart geometry, Norwegian number formats and who may see what (no browser)."""

from __future__ import annotations

from rapportering.dashboard import access, charts
from rapportering.dashboard.views import _safe, norsk_dato, num, pct
from shared.auth import Principal


def principal(*scopes: str, kommune: str | None = None) -> Principal:
    return Principal(subject="t", scopes=frozenset(scopes), kommunenummer=kommune)


def test_year_so_far_is_cumulative_and_skips_empty_months():
    shares = charts.cumulative_shares({1: (9, 10), 3: (1, 10)}, 4)
    assert shares == [(1, 0.9, 9, 10), (2, 0.9, 9, 10), (3, 0.5, 10, 20), (4, 0.5, 10, 20)]
    assert charts.cumulative_shares({2: (1, 2)}, 1) == [(1, None, 0, 0)]


def test_line_chart_puts_the_target_and_the_points_on_the_same_scale():
    chart = charts.line_chart([(1, 1.0), (2, None), (12, 0.0)], 0.9, width=344, height=140, pad=24, left=44)
    assert [(p.x, p.y) for p in chart.points] == [(44.0, 116 - 92.0), (320.0, 116.0)]
    assert chart.target_y == round(116 - 0.9 * 92, 1)
    assert chart.path == "M44.0,24.0 L320.0,116.0"
    assert [label for _, label in chart.ticks] == ["0 %", "50 %", "100 %"]


def test_bars_are_proportional_and_clipped_to_the_axis():
    chart = charts.bar_chart([("A", 0.5, "50 %"), ("B", None, "–"), ("C", 1.4, "140 %")], 0.9, width=560,
                             label_width=150)
    span = 560 - 150 - 60
    assert [b.width for b in chart.bars] == [span / 2, 0, span]
    assert chart.target_x == round(150 + 0.9 * span, 1)
    assert [b.y for b in chart.bars] == [0, 24, 48]


def test_day_bars_scale_to_the_longest_and_mark_one_bar():
    chart = charts.bar_chart([("A", 5.0, "5 dager"), ("B", 20.0, "20 dager (flaskehals)")], None, width=560,
                             label_width=130, maximum=20.0, marked="B", text_width=150)
    span = 560 - 130 - 150
    assert [b.width for b in chart.bars] == [span / 4, span]
    assert [b.marked for b in chart.bars] == [False, True] and chart.target_x is None


def test_norwegian_formats():
    assert pct(0.5234) == "52,3\u00a0%" and pct(None) == "–"
    assert num(12345) == "12\u00a0345" and num(None) == "–"
    assert norsk_dato("2017-06-30") == "30. juni 2017"


def test_roles_follow_the_api_scopes_and_a_municipality_is_confined_to_its_kommune():
    analyst, writer = principal("imdi:rapport.intern"), principal("imdi:rapport.write")
    jd = principal("imdi:rapport.read")
    kommune = principal("imdi:bosetting.read", kommune="1201")
    greedy = principal("imdi:rapport.write", "imdi:rapport.intern", kommune="1201")
    assert access.is_internal(analyst) and access.is_internal(writer) and not access.is_internal(jd)
    assert access.is_writer(writer) and not access.is_writer(analyst)
    assert access.is_reader(jd) and not access.is_reader(kommune)
    # a token with a kommunenummer sees its own kommune only, whatever scopes it also carries
    assert not access.is_internal(greedy) and not access.is_writer(greedy) and not access.is_reader(greedy)
    assert access.may_see_kommune(kommune, "1201") and not access.may_see_kommune(kommune, "0301")
    assert access.may_see_kommune(analyst, "0301") and not access.may_see_kommune(jd, "0301")
    assert access.home(kommune) == "/dashboard/kommune/1201" and access.home(jd) == "/dashboard/rapporter"
    assert access.home(analyst) == "/dashboard/"


def test_the_login_redirect_stays_inside_the_dashboard():
    assert _safe("/dashboard/sp/SP1") == "/dashboard/sp/SP1"
    for target in ("https://example.org/", "//example.org/dashboard", "/api/v1/rapporter", "/dashboard\\@x"):
        assert _safe(target) == "/dashboard/"


def test_the_map_has_the_19_fylker_of_2017_in_five_classes_of_20_points():
    shares = {"03": 0.0, "12": 0.19, "16": 0.2, "11": 0.59, "02": 0.6, "01": 0.999, "20": 1.0}
    chart = charts.choropleth(shares, {"03": "0 %"})
    by_code = {a.kode: a for a in chart.areas}
    assert len(by_code) == 19 and "50" not in by_code and {"16", "17"} <= set(by_code)  # before Trøndelag merged
    assert [by_code[k].klasse for k in shares] == [0, 0, 1, 2, 3, 4, 4]
    assert by_code["18"].klasse is None and by_code["18"].tekst == "ingen data" and by_code["03"].tekst == "0 %"
    labels = [a.label_y for a in chart.areas]  # one label per row beside the map, north to south
    assert labels == sorted(labels) and len(set(labels)) == 19
    assert chart.areas[0].navn == "Finnmark" and chart.label_x > max(a.x for a in chart.areas)
