from rapportering.reports import diff, suppress_table, suppressed


def test_primary_and_secondary_suppression_protect_row_and_column_totals():
    rows = [{"id": "a", "K": 2, "M": 10, "totalt": 12}, {"id": "b", "K": 7, "M": 8, "totalt": 15},
            {"id": "c", "K": 9, "M": 0, "totalt": 9}]
    out = suppress_table(rows, ["K", "M"], 5)
    hidden = {(r["id"], c) for r in out for c in r.get("prikket", [])}
    assert ("a", "K") in hidden                       # primary: 2 < 5
    assert ("a", "M") in hidden                       # row a would reveal K from its total
    assert ("b", "K") in hidden                       # column K would reveal a's K from the column sum
    assert ("b", "M") in hidden                       # and then row b needs a second cell
    for c in ("K", "M"):
        assert sum(1 for r in out if c in r.get("prikket", [])) != 1
    for r in out:
        assert len(r.get("prikket", [])) != 1
    assert out[2]["M"] == 0 and "prikket" not in out[2]  # zeros are not secret
    assert rows[0]["K"] == 2, "the input is not changed"


def test_nothing_to_suppress():
    rows = [{"K": 5, "M": 6}, {"K": 0, "M": 9}]
    assert suppress_table(rows, ["K", "M"], 5) == rows


def test_sp_breakdown_by_sex_is_suppressed_when_small():
    content = {"mal": [{"styringsparametere": [{"verdi": {"etter_kjonn": {
        "K": {"teller": 1, "nevner": 3, "andel": 0.33}, "M": {"teller": 8, "nevner": 9, "andel": 0.89}}}}]}]}
    out = suppressed(content, 5)["mal"][0]["styringsparametere"][0]["verdi"]["etter_kjonn"]
    assert out["K"]["teller"] is None and out["M"]["teller"] is None and out["M"]["prikket"]


def test_diff_lists_changed_leaves():
    a = {"x": 1, "l": [{"v": 1}, {"v": 2}], "gone": True}
    b = {"x": 2, "l": [{"v": 1}, {"v": 3}], "new": "n"}
    assert diff(a, b) == [{"sti": "/gone", "fra": True, "til": None}, {"sti": "/l/1/v", "fra": 2, "til": 3},
                          {"sti": "/new", "fra": None, "til": "n"}, {"sti": "/x", "fra": 1, "til": 2}]


def test_measure_breakdowns_are_suppressed_with_a_second_cell():
    from shared.measure_schemas import from_cells, suppress

    value = from_cells("SP1", "2017", {("alle", "alle"): (20, 30), ("kjonn", "K"): (2, 3), ("kjonn", "M"): (18, 27),
                                       ("kommune", "0301"): (10, 12), ("kommune", "1201"): (10, 18)})
    out = suppress(value, 5)
    assert out.fordeling["kjonn"]["K"].prikket and out.fordeling["kjonn"]["M"].prikket  # M would reveal K
    assert out.fordeling["kommune"]["0301"].nevner == 12 and not out.fordeling["kommune"]["1201"].prikket
    assert out.nevner == 30 and value.fordeling["kjonn"]["K"].nevner == 3
