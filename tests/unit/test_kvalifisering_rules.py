"""kvalifisering's rules without a database: dates in order (naming the field), the 2017 division, fixed lists
listing their values, who gets the right and duty on settlement, and the three-year deadline."""

from dataclasses import replace
from datetime import date

import pytest

from kvalifisering import rules
from kvalifisering.rules import Interruption, Participation, Programme, RuleViolation, Training
from shared.kvalifisering_measures import KVALIFISERING_MEASURES, TrainingDuty, TrainingRight
from shared.measures import contributions

T = Training(kommunenummer="0301", grunnlag="asyl", rett_fra=date(2017, 2, 1))
P = Programme(kommunenummer="0301", kategori="asyl", start_dato=date(2017, 3, 1), planlagt_slutt=date(2019, 2, 28))


def field_of(check, value) -> str:
    with pytest.raises(RuleViolation) as caught:
        check(value)
    return caught.value.field


def test_a_valid_training_record_passes():
    rules.check_training(replace(T, tilbud_dato=date(2017, 2, 1), start_dato=date(2017, 3, 1), timer_norsk=550,
                                 timer_samfunnskunnskap=50, oppfylt_dato=date(2018, 1, 1), oppfylt_grunnlag="timer"))


@pytest.mark.parametrize(("change", "field"), [
    ({"start_dato": date(2017, 1, 31)}, "start_dato"),  # a start before the right began
    ({"tilbud_dato": date(2017, 1, 31)}, "tilbud_dato"),
    ({"oppfylt_dato": date(2017, 6, 1), "oppfylt_grunnlag": "prove"}, "oppfylt_dato"),  # fulfilled without a start
    ({"start_dato": date(2017, 3, 1), "oppfylt_dato": date(2017, 2, 28), "oppfylt_grunnlag": "prove"},
     "oppfylt_dato"),  # fulfilled before the start
    ({"start_dato": date(2017, 3, 1), "oppfylt_dato": date(2017, 9, 1), "oppfylt_grunnlag": "timer",
      "timer_norsk": 560, "timer_samfunnskunnskap": 40}, "timer_norsk"),  # 600 hours but 40 of social studies
    ({"start_dato": date(2017, 3, 1), "oppfylt_dato": date(2017, 9, 1)}, "oppfylt_grunnlag"),
    ({"kommunenummer": "0000"}, "kommunenummer"),
    ({"kommunenummer": "5001"}, "kommunenummer"),  # Trondheim's number from 2018, not in the 2017 division
    ({"grunnlag": "turist"}, "grunnlag"),
    ({"fritak_arsak": "lat"}, "fritak_arsak"),
])
def test_training_rules_name_the_field(change, field):
    assert field_of(rules.check_training, replace(T, **change)) == field


def test_an_unknown_value_is_refused_listing_the_allowed_ones():
    with pytest.raises(RuleViolation) as caught:
        rules.check_programme(replace(P, elementer=("norsk", "svomming")))
    assert caught.value.field == "elementer"
    assert "norsk, samfunnskunnskap, arbeidspraksis, grunnskole, videregaende, annet" in str(caught.value)
    with pytest.raises(RuleViolation) as caught:
        rules.check_participation(Participation(date(2017, 1, 1), date(2017, 6, 1), "lotto"))
    assert caught.value.field == "utfall" and "arbeid, utdanning, begge, ingen, annet" in str(caught.value)


@pytest.mark.parametrize(("change", "field"), [
    ({"planlagt_slutt": date(2017, 2, 28)}, "planlagt_slutt"),
    ({"avsluttet_dato": date(2017, 2, 28), "avslutningsarsak": "fullfort"}, "avsluttet_dato"),  # end before start
    ({"avsluttet_dato": date(2018, 2, 28)}, "avslutningsarsak"),
    ({"status_ett_ar_etter": "arbeid"}, "status_ett_ar_etter"),  # not ended yet
    ({"avsluttet_dato": date(2018, 2, 28), "avslutningsarsak": "ferdig"}, "avslutningsarsak"),
    ({"avbrudd": (Interruption("permisjon", date(2017, 2, 1), None),)}, "avbrudd.fra"),
    ({"avbrudd": (Interruption("permisjon", date(2017, 5, 1), date(2017, 4, 1)),)}, "avbrudd.til"),
    ({"avbrudd": (Interruption("ferie", date(2017, 5, 1), None),)}, "avbrudd.type"),
])
def test_programme_rules_name_the_field(change, field):
    assert field_of(rules.check_programme, replace(P, **change)) == field


def test_participation_and_project_rules():
    assert field_of(rules.check_participation, Participation(date(2017, 5, 1), date(2017, 4, 1), "arbeid")) \
        == "slutt_dato"
    assert field_of(rules.check_participation, Participation(date(2017, 5, 1), date(2017, 6, 1))) == "utfall"
    with pytest.raises(RuleViolation) as caught:
        rules.check_project("B", "kommune", "0301", date(2017, 1, 1), date(2017, 12, 31))
    assert caught.value.field == "eiertype"
    with pytest.raises(RuleViolation) as caught:
        rules.check_project("A", "fylkeskommune", "99", date(2017, 1, 1), date(2017, 12, 31))
    assert caught.value.field == "eier"
    rules.check_project("B", "fylkeskommune", "03", date(2017, 1, 1), date(2017, 12, 31))


@pytest.mark.parametrize(("kategori", "fodselsar", "expected"), [
    ("asyl", 2001, True),  # turns 16 in 2017
    ("asyl", 2002, False),  # 15
    ("overforingsflyktning", 1950, True),  # 67: covered from 2017
    ("familiegjenforent", 1949, False),  # 68
    ("familiegjenforent", 1980, True),
    ("asyl", None, False),  # age unknown: not opened automatically
])
def test_settlement_opens_the_right_for_ages_16_to_67(kategori, fodselsar, expected):
    assert rules.has_right_on_settlement(kategori, fodselsar, date(2017, 5, 2)) is expected


def test_the_deadline_is_three_calendar_years_with_the_month_end_rule():
    assert rules.deadline(date(2017, 2, 1)) == date(2020, 2, 1)
    assert rules.deadline(date(2016, 2, 29)) == date(2019, 2, 28)


def test_an_exempted_person_is_outside_sp4_and_sp5():
    sp4, sp5 = ([m for m in KVALIFISERING_MEASURES if m.id == sp] for sp in ("SP4", "SP5"))
    assert list(contributions(sp4, TrainingRight("K", date(2017, 1, 1), None, fritatt=True))) == []
    assert list(contributions(sp5, TrainingDuty("K", date(2020, 1, 1), None, fritatt=True))) == []
    assert list(contributions(sp4, TrainingRight("K", date(2017, 1, 1), None)))  # not exempted: counted
    assert list(contributions(sp5, TrainingDuty("K", date(2020, 1, 1), None)))
