"""The 2017 budget frame as data reproduces section 5 of the steering letter; money never passes through float."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tilskudd import frame
from tilskudd.money import NotMoney, kroner, parse_kroner, to_ore

LETTER = Path("/work/shared/seed/tildelingsbrev-imdi-2017.txt")
ROOT = Path(__file__).resolve().parents[2]
if not LETTER.exists():  # the repository keeps its own copy of the letter
    LETTER = ROOT / "services/rapportering/styringsmodell/tildelingsbrev-imdi-2017.txt"


def _section_5_table() -> dict[tuple[int, str], int]:
    """(kapittel, post) → amount in thousands, read from the letter's own table."""
    text = LETTER.read_text(encoding="utf-8")
    table = text[text.index("5. BUDSJETTRAMMEN FOR 2017"):text.index("Budsjettbindinger knyttet til postene")]
    out: dict[tuple[int, str], int] = {}
    chapter = None
    for raw in table.splitlines():
        line = re.sub(r"</?i>|\*", "", raw).strip()
        if m := re.match(r"^Kap\. (49[567])", line):
            chapter = int(m.group(1))
        elif m := re.match(r"^(?:Post )?([0-9]{2})\s+.*?\s([0-9]{1,3}(?: [0-9]{3})*)$", line):
            out[(chapter, m.group(1))] = int(m.group(2).replace(" ", ""))
        elif m := re.match(r"^Sum\s+([0-9 ]+)$", line):
            out[(chapter, "sum")] = int(m.group(1).replace(" ", ""))
    return out


def test_every_figure_of_the_letters_table_is_in_the_file_exactly_in_ore():
    table = _section_5_table()
    lines = frame.lines(2017)
    assert len(table) == 14  # 1 + 8 + 2 posts with an amount, 3 sums
    for (chapter, post), thousands in table.items():
        if post == "sum":
            k = next(k for k in frame.budget(2017).kapitler if k.kapittel == chapter)
            assert k.sum.ore == thousands * 1000 * 100
        else:
            assert lines[f"{chapter}.{post}"].belop_ore == thousands * 1000 * 100, (chapter, post)
    assert lines["496.21"].belop_ore is None  # "Se omtale under"


def test_total_appropriation_beside_imdis_share():
    lines = frame.lines(2017)
    expected = {"495.01": (262_700_000, 261_549_000), "496.45": (50_000_000, 25_000_000),
                "496.62": (179_906_000, 160_670_000), "496.73": (15_000_000, 14_085_000),
                "496.21": (43_704_000, None)}
    for line_id, (total, share) in expected.items():
        assert lines[line_id].bevilget_ore == total * 100
        assert lines[line_id].belop_ore == (None if share is None else share * 100)
    post01 = frame.budget(2017).kapitler[0].poster[0]
    assert post01.disponerer_tekst.ore == 261_500_000 * 100  # "IMDi disponerer 261,5 mill." (the table: 261 549)


def test_bindings_as_the_letter_lists_them():
    lines = frame.lines(2017)
    bindings = {k: [v.belop_ore // 100 for v in lines.values() if v.post_id == k and v.binding]
                for k in ("495.01", "496.62", "496.73")}
    assert bindings == {
        "495.01": [20_000_000, 19_300_000, 500_000, 3_600_000, 21_900_000],
        "496.62": [4_000_000, 2_850_000, 8_200_000, 2_200_000, 1_850_000, 100_000_000, 35_200_000, 6_370_000],
        "496.73": [10_000_000, 4_085_000]}
    gronland = lines["496.62/gronland-oslo"]
    assert gronland.mottaker_kommune == "0301" and gronland.milepael.oppdrag == "O10"
    herav = frame.budget(2017).kapitler[1].poster[4].bindinger[0].herav
    assert (herav.fra.ore, herav.til.ore) == (1_000_000_00, 1_500_000_00)


def test_a_frame_whose_posts_do_not_add_up_is_refused_unless_it_says_why():
    data = frame.budget(2017).model_dump()
    data["kapitler"][0]["sum"] = {"tusen": "261 548", "mill": None}
    with pytest.raises(ValueError, match="add up"):
        frame.BudgetFile.model_validate(data)
    # the letter's own sum for kap. 496 is 24 975 (thousand) below its posts: kept as printed, with the note
    k496 = frame.budget(2017).kapitler[1]
    assert k496.posts_total_ore - k496.sum.ore == 24_975_000_00 and "24 975" in k496.sum_merknad


def test_money_is_exact_decimal_never_float():
    assert parse_kroner("0.1") + parse_kroner("0.2") == parse_kroner("0.3") == 30
    assert to_ore("19,3", "mill") == 1_930_000_000
    assert to_ore("4,085", "mill") == 408_500_000
    assert kroner(to_ore("0.1") + to_ore("0.2")) == "0.30"
    assert kroner(-5) == "-0.05"
    with pytest.raises(NotMoney):
        to_ore(0.1)
    with pytest.raises(NotMoney):
        kroner(0.3)
    with pytest.raises(NotMoney):
        to_ore("0.001")
    with pytest.raises(NotMoney):
        parse_kroner("1e3")


def test_no_float_in_the_money_paths():
    """No float literal, float() call or float annotation in tilskudd's code (money.py's refusal excepted), and no
    true division of numbers (a/b gives a float; shares of money use //)."""
    offenders = []
    for path in (ROOT / "services/tilskudd").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guards = {id(n.args[1]) for n in ast.walk(tree) if isinstance(n, ast.Call)
                  and getattr(n.func, "id", None) == "isinstance" and len(n.args) == 2}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                offenders.append(f"{path.name}:{node.lineno} float literal")
            if isinstance(node, ast.Name) and node.id == "float" and id(node) not in guards:
                offenders.append(f"{path.name}:{node.lineno} float")
            if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)
                    and not any(isinstance(s, ast.Constant) and isinstance(s.value, str)
                                or getattr(s, "id", "") in ("DATA", "ROOT") or isinstance(s, ast.JoinedStr)
                                or isinstance(s, ast.BinOp) and isinstance(s.op, ast.Div)
                                for s in (node.left, node.right))):
                offenders.append(f"{path.name}:{node.lineno} true division")
    assert offenders == []


def test_rates_are_configuration_per_year():
    r = frame.rates(2017)
    assert r.ar1["enslig_voksen"] == 233_000_00 and r.senere_ar[5] == 69_800_00
    assert frame.rates(2019).ar == 2017  # no 2019 file yet: the newest earlier year's, marked by its year
    assert frame.rates(2014).ar == 2017  # before the first file: the first year's (provisional)
