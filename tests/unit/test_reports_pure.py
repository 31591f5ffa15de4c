from rapportering.reports import diff


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
