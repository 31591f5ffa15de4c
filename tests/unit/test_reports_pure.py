from rapportering.reports import diff


def test_diff_lists_changed_leaves():
    a = {"x": 1, "l": [{"v": 1}, {"v": 2}], "gone": True}
    b = {"x": 2, "l": [{"v": 1}, {"v": 3}], "new": "n"}
    assert diff(a, b) == [{"sti": "/gone", "fra": True, "til": None}, {"sti": "/l/1/v", "fra": 2, "til": 3},
                          {"sti": "/new", "fra": None, "til": "n"}, {"sti": "/x", "fra": 1, "til": 2}]

