"""SP4–SP11 as engine definitions, fed synthetic facts: each one's cells, and the compound targets of SP8
and SP10 (green only when every part holds; the reason names the part that fails)."""

from collections import defaultdict
from datetime import date

from rapportering import engine
from rapportering.risk import compound_risk, not_measured
from rapportering.steering import load
from shared.kvalifisering_measures import (
    JobbsjansenEnded,
    MunicipalityProgrammeYear,
    MunicipalitySurvey,
    ProgrammeEnded,
    TrainingDuty,
    TrainingRight,
)
from shared.letter_measures import BY_ID
from shared.measures import contributions
from shared.tolkeregister_measures import InterpreterGuidelines, RegisteredInterpreter


def cells(sp: str, facts: list) -> dict[tuple[str, str, str], tuple[int, int]]:
    out: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for fact in facts:
        for _, period, dimension, value, num, den in contributions((BY_ID[sp],), fact):
            out[(period, dimension, value)][0] += num
            out[(period, dimension, value)][1] += den
    return {k: (v[0], v[1]) for k, v in out.items()}


def test_every_sp_of_the_letter_is_defined_in_the_engine():
    assert set(engine.defined()) == {s.id for s in load(2017).styringsparametere}


def test_sp4_counts_in_the_month_the_three_month_window_closes():
    facts = [TrainingRight("K", date(2017, 1, 31), date(2017, 4, 30)),  # last day of the window: a hit
             TrainingRight("M", date(2017, 1, 31), date(2017, 5, 1)),  # a day late
             TrainingRight("K", date(2017, 1, 31), None)]  # no start: a miss once the window has closed
    c = cells("SP4", facts)
    assert c[("2017-04", "alle", "alle")] == (1, 3) and c[("2017", "kjonn", "K")] == (1, 2)
    assert ("2017-01", "alle", "alle") not in c


def test_sp5_hit_if_the_duty_is_fulfilled_by_the_deadline():
    c = cells("SP5", [TrainingDuty("K", date(2017, 9, 1), date(2017, 9, 1)), TrainingDuty("M", date(2017, 9, 1), None),
                      TrainingDuty("M", date(2017, 9, 1), date(2017, 9, 2))])
    assert c[("2017-09", "alle", "alle")] == (1, 3)


def test_sp6_and_sp7_count_each_municipality_once_in_its_year():
    c6 = cells("SP6", [MunicipalityProgrammeYear("0301", 2017, 5, 1), MunicipalityProgrammeYear("1201", 2017, 3, 0),
                       MunicipalityProgrammeYear("1601", 2017, 0, 0)])  # no participants: not in the population
    assert c6 == {("2017", "alle", "alle"): (1, 2)}
    c7 = cells("SP7", [MunicipalitySurvey("0301", 2017, True, True), MunicipalitySurvey("1201", 2017, True, False),
                       MunicipalitySurvey("1601", 2017, False, False)])  # offers no programme
    assert c7 == {("2017", "alle", "alle"): (1, 2)}


def test_sp8_counts_those_whose_status_one_year_after_is_known_by_sex_and_category():
    c = cells("SP8", [ProgrammeEnded("M", "asyl", date(2016, 5, 1), True),
                      ProgrammeEnded("K", "overforingsflyktning", date(2016, 8, 1), False),
                      ProgrammeEnded("K", "asyl", date(2016, 9, 1), None)])  # not known yet
    # the 2016 cohort is the figure for 2017 (its status one year after), as the letter pairs 2013 with 2014
    assert c[("2017", "alle", "alle")] == (1, 2) and c[("2017", "kjonn", "M")] == (1, 1)
    assert c[("2017", "kategori", "overforingsflyktning")] == (0, 1) and ("2016", "alle", "alle") not in c


def test_sp8_is_green_only_when_every_group_clears_its_own_bar():
    targets = BY_ID["SP8"].targets
    ok = compound_risk(targets, {("alle", "alle"): (71, 100), ("kjonn", "M"): (38, 50), ("kjonn", "K"): (33, 50)})
    assert ok.status == "gronn"
    women_behind = compound_risk(targets, {("alle", "alle"): (71, 100), ("kjonn", "M"): (46, 50),
                                           ("kjonn", "K"): (25, 50)})  # 50 % is not above the 2014 result
    assert women_behind.status == "rod"
    assert women_behind.begrunnelse.startswith("Ikke nådd: kvinner: 50,0 % (krav over 50,0 %)")
    assert "menn" not in women_behind.begrunnelse.split("Nådd:")[0]


def test_sp9_parts_a_and_c_are_separate_measures():
    facts = [JobbsjansenEnded("K", "A", date(2017, 3, 1), True), JobbsjansenEnded("M", "C", date(2017, 3, 1), False)]
    assert cells("SP9.1", facts)[("2017", "alle", "alle")] == (1, 1)
    assert cells("SP9.2", facts)[("2017", "alle", "alle")] == (0, 1)


def test_sp10_counts_the_register_on_each_count_date_by_highest_category():
    facts = [RegisteredInterpreter("2", True, date(2016, 3, 1), None),
             RegisteredInterpreter("4", False, date(2017, 7, 1), None),
             RegisteredInterpreter("1", True, date(2015, 1, 1), date(2017, 12, 31))]  # gone on the count date
    c = cells("SP10", facts)
    assert c[("2017", "alle", "alle")] == (1, 2)  # 31.12.2017: one of two in the three highest categories
    assert c[("2017-H1", "alle", "alle")] == (2, 2)  # 30.6.2017: the one who joined in July is not there yet
    assert c[("2017", "kategori", "4")] == (0, 1) and ("2016-H1", "kategori", "4") not in c


def test_sp10_needs_both_the_count_and_the_share():
    targets = BY_ID["SP10"].targets
    assert compound_risk(targets, {("alle", "alle"): (1200, 1900)}).status == "gronn"
    few = compound_risk(targets, {("alle", "alle"): (1200, 1700)})
    assert few.status == "rod" and few.begrunnelse.startswith("Ikke nådd: antall tolker: 1 700 (krav minst 1 800)")
    low = compound_risk(targets, {("alle", "alle"): (1000, 1900)})
    assert low.begrunnelse.startswith("Ikke nådd: andel i de tre høyeste kategoriene: 52,6 %")


def test_sp11_counts_municipalities_and_agencies_together_and_apart():
    c = cells("SP11", [InterpreterGuidelines("kommune", "0301", 2017, True),
                       InterpreterGuidelines("kommune", "1201", 2017, False),
                       InterpreterGuidelines("etat", "974760673", 2017, True)])
    assert c[("2017", "alle", "alle")] == (2, 3)
    assert (c[("2017", "enhetstype", "kommune")], c[("2017", "enhetstype", "etat")]) == ((1, 2), (1, 1))


def test_an_sp_without_events_says_ingen_data_and_which_events_it_waits_for():
    sp = load(2017).sp("SP4")
    status = not_measured(sp, BY_ID["SP4"])  # as SP4 said before kvalifisering published its events
    assert status.status == "ingen_data" and "no.imdi.kvalifisering.opplaering-rett.v1" in status.begrunnelse
    assert engine.awaiting("SP1") is None and engine.awaiting("SP4") is None and engine.awaiting("SP10") is None
