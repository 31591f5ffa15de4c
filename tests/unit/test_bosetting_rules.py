"""The settlement process's rules, without a database."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from bosetting import rules
from bosetting.models import Sak
from bosetting.schemas import SakCreate
from bosetting.service import build
from shared.events import schemas as ev

KEY = "test-key"


def case(**overrides) -> SakCreate:
    base = dict(duf_nummer="201612345678", kjonn="K", fodselsar=1990, vedtaksdato=date(2017, 1, 10))
    base.update(overrides)
    return SakCreate(**base)


def new(**overrides) -> Sak:
    return build(case(**overrides), KEY)[0]


def test_a_case_walks_every_stage_and_each_is_an_event():
    sak, events = build(case(klar_dato=date(2017, 1, 20), utvalgt_dato=date(2017, 3, 1), utvalgt_kommune="0301",
                             akseptert_dato=date(2017, 3, 15), bosettingsdato=date(2017, 5, 2),
                             kommunenummer="0301"), KEY)
    assert [type(e) for e in events] == [ev.SakRegistrertV1, ev.PersonKlarV1, ev.PersonUtvalgtV1,
                                         ev.PersonAkseptertV1, ev.PersonBosattV1]
    assert sak.status == "bosatt"
    bosatt = events[-1]
    assert bosatt.tilskuddsgruppe == "enslig_voksen" and bosatt.fodselsar == 1990
    assert bosatt.klar_dato == date(2017, 1, 20) and bosatt.akseptert_dato == date(2017, 3, 15)


def test_stages_may_be_skipped_but_never_go_back():
    sak = new()
    rules.apply(sak, rules.Change("utvalgt", date(2017, 2, 1), "0301"), KEY)
    with pytest.raises(rules.RuleViolation, match="kan ikke gå tilbake"):
        rules.apply(sak, rules.Change("klar", date(2017, 2, 2)), KEY)
    rules.apply(sak, rules.Change("utvalgt", date(2017, 2, 10), "1201"), KEY)  # a new proposal replaces it
    assert sak.utvalgt_kommune == "1201"
    with pytest.raises(rules.RuleViolation, match="nytt forslag"):
        rules.apply(sak, rules.Change("bosatt", date(2017, 3, 1), "0301"), KEY)  # proposed elsewhere


def test_dates_never_precede_the_decision_or_the_previous_stage():
    sak = new()
    with pytest.raises(rules.RuleViolation) as err:
        rules.apply(sak, rules.Change("bosatt", date(2016, 12, 31), "0301"), KEY)
    assert err.value.field == "dato"
    rules.apply(sak, rules.Change("klar", date(2017, 2, 1)), KEY)
    with pytest.raises(rules.RuleViolation, match="forrige stadium"):
        rules.apply(sak, rules.Change("utvalgt", date(2017, 1, 31), "0301"), KEY)


def test_only_the_proposed_municipality_accepts_and_settles():
    sak = new()
    with pytest.raises(rules.RuleViolation, match="utvalgt person"):
        rules.apply(sak, rules.Change("akseptert", date(2017, 2, 1)), KEY)
    rules.apply(sak, rules.Change("utvalgt", date(2017, 2, 1), "0301"), KEY)
    with pytest.raises(rules.RuleViolation):
        rules.apply(sak, rules.Change("akseptert", date(2017, 2, 2), "1201"), KEY)
    rules.apply(sak, rules.Change("akseptert", date(2017, 2, 2)), KEY)
    with pytest.raises(rules.RuleViolation, match="annen kommune"):
        rules.apply(sak, rules.Change("bosatt", date(2017, 3, 1), "1201"), KEY)


def test_a_settlement_can_be_corrected_but_a_closed_case_cannot_change():
    sak = new(bosettingsdato=date(2017, 5, 2), kommunenummer="0301")
    event = rules.apply(sak, rules.Change("bosatt", date(2017, 4, 2), "1201"), KEY)
    assert isinstance(event, ev.PersonBosattV1) and event.kommunenummer == "1201"
    with pytest.raises(rules.RuleViolation, match="bare bosettingen"):
        rules.apply(sak, rules.Change("avsluttet", date(2017, 6, 1), None, "trukket"), KEY)
    closed = new(avsluttet_dato=date(2017, 3, 1), avslutningsarsak="selvbosatt", kommunenummer="1201")
    assert closed.status == "avsluttet" and closed.kommunenummer == "1201"
    with pytest.raises(rules.RuleViolation, match="avsluttet"):
        rules.apply(closed, rules.Change("bosatt", date(2017, 4, 1), "0301"), KEY)


def test_em_age_groups_and_grant_groups():
    def em(born: date) -> Sak:
        return new(enslig_mindrearig=True, fodselsar=None, fodselsdato=born)

    assert rules.em_aldersgruppe(em(date(2002, 6, 1))) == "under_15"  # 14 at the decision (2017-01-10)
    assert rules.em_aldersgruppe(em(date(2002, 1, 10))) == "15_18"    # 15 that very day
    assert rules.em_aldersgruppe(new()) is None
    child = new(fodselsar=2010, familie_id="F1", bosettingsdato=date(2017, 5, 2), kommunenummer="0301")
    assert rules.tilskuddsgruppe(child) == "barn"
    assert rules.tilskuddsgruppe(new(familie_id="F1")) == "voksen"
    with pytest.raises(ValidationError, match="under 18"):
        case(enslig_mindrearig=True, fodselsar=1990)
    with pytest.raises(ValidationError, match="fødselsdato eller fødselsår"):
        case(enslig_mindrearig=True, fodselsar=None)


def test_families_get_a_pseudonymous_reference():
    a, b = new(familie_id="FAM-7"), new(duf_nummer="201612345679", familie_id="FAM-7")
    ga, gb = rules.group(a, KEY), rules.group(b, KEY)
    assert ga["familie_ref"] == gb["familie_ref"] and "FAM-7" not in ga["familie_ref"]
    assert ga["person_ref"] != gb["person_ref"]


def fnr(ddmmyy: str, individual: str) -> str:
    """A valid fødselsnummer (or D-nummer, with 40 added to the day) with computed check digits."""
    from stdnum.no import fodselsnummer

    body = ddmmyy + individual
    k1 = fodselsnummer.calc_check_digit1(body)
    return body + k1 + fodselsnummer.calc_check_digit2(body + k1)


@pytest.mark.parametrize("number, kjonn, ok", [
    (fnr("150765", "004"), "K", True),    # even third individual digit: a woman
    (fnr("150765", "005"), "M", True),    # odd: a man
    (fnr("150765", "004"), "M", False),   # gender does not match
    (fnr("550765", "004"), "K", True),    # D-nummer: day + 40
    (fnr("150765", "004")[:-1] + "0" if not fnr("150765", "004").endswith("0") else fnr("150765", "004")[:-1] + "1",
     "K", False),                         # wrong check digit
    ("1507650", "K", False),              # too short
])
def test_fodselsnummer_and_d_nummer_are_validated_and_must_match(number, kjonn, ok):
    if ok:
        c = case(fodselsnummer=number, kjonn=kjonn, fodselsar=None)
        assert c.fodselsdato == date(1965, 7, 15) and c.fodselsar == 1965
    else:
        with pytest.raises(ValidationError):
            case(fodselsnummer=number, kjonn=kjonn, fodselsar=None)


def test_birth_date_must_agree_with_fodselsnummer():
    with pytest.raises(ValidationError, match="Fødselsdato stemmer ikke"):
        case(fodselsnummer=fnr("150765", "004"), kjonn="K", fodselsar=None, fodselsdato=date(1965, 7, 16))


def test_snapshot_changes_for_import():
    sak = new(klar_dato=date(2017, 1, 20))
    row = case(klar_dato=date(2017, 1, 20), bosettingsdato=date(2017, 5, 2), kommunenummer="0301").model_dump()
    assert [c.stadium for c in rules.changes_to(row, sak)] == ["bosatt"]
    same = case(klar_dato=date(2017, 1, 20)).model_dump()
    assert rules.changes_to(same, sak) == []
    with pytest.raises(rules.RuleViolation, match="allerede registrert"):
        rules.changes_to(case(klar_dato=date(2017, 1, 25)).model_dump(), sak)
