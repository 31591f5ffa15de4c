"""tolkeregister's rules without a database: categories from evidence by a scheme that is data, the highest
category, status changes, complaint consequences, ID-card validity and the public rate limit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from tolkeregister import rules
from tolkeregister.ratelimit import TokenBucket

S2017 = rules.scheme("2017")


@pytest.mark.parametrize("evidence, category", [
    ({"statsautorisasjon", "tolkeutdanning"}, "1"),
    ({"statsautorisasjon", "tolkeutdanning", "tospot", "tao"}, "1"),
    ({"statsautorisasjon"}, "2"),
    ({"tolkeutdanning"}, "3"),
    ({"tolkeutdanning", "tao"}, "3"),
    ({"statsautorisert_translator", "tao"}, "4"),
    ({"sertifisert_translator", "tao"}, "4"),
    ({"tospot", "tao"}, "5"),
    ({"tospot"}, None),  # the test alone is not enough: TAO is required
    ({"sertifisert_translator"}, None),
    ({"tao"}, None),
])
def test_the_2017_categories_follow_their_evidence(evidence, category):
    assert S2017.category_for(evidence) == category


def test_the_highest_category_is_the_best_over_the_languages_and_the_top_three_are_1_to_3():
    assert S2017.highest(["5", "3", "4"]) == "3"
    assert S2017.highest(["5"]) == "5" and S2017.highest([]) is None
    assert S2017.tre_hoyeste == ("1", "2", "3")


def test_a_language_without_a_category_is_refused_naming_the_language():
    with pytest.raises(rules.RuleViolation) as exc:
        rules.categorise(S2017, {"so": ["statsautorisasjon"], "ar": ["tospot"]})
    assert exc.value.field == "sprak.1.bevis"
    with pytest.raises(rules.RuleViolation):
        rules.categorise(S2017, {"so": ["magi"]})
    assert rules.categorise(S2017, {"so": ["statsautorisasjon"], "ar": ["tospot", "tao"]}) == {"so": "2", "ar": "5"}


SCHEME_2020 = """
ordning: "2020"
navn: Kvalifikasjonskategorier 2020
bevistyper: {autorisasjon: a, utdanning: u, test: t, kurs: k}
kategorier:
  - {kode: A, navn: a, krever: [[autorisasjon], [utdanning]]}
  - {kode: B, navn: b, krever: [[autorisasjon]]}
  - {kode: C, navn: c, krever: [[utdanning]]}
  - {kode: D, navn: d, krever: [[test], [kurs]]}
  - {kode: E, navn: e, krever: [[kurs]]}
tre_hoyeste: [A, B, C]
"""


def test_a_later_scheme_is_a_file_not_code(tmp_path: Path):
    path = tmp_path / "2020.yaml"
    path.write_text(SCHEME_2020, encoding="utf-8")
    s = rules.load(path)
    assert rules.categorise(s, {"so": ["utdanning"], "ar": ["test", "kurs"]}) == {"so": "C", "ar": "D"}
    assert s.highest(["D", "C"]) == "C" and "C" in s.tre_hoyeste and "D" not in s.tre_hoyeste


@pytest.mark.parametrize("broken", [
    SCHEME_2020.replace("tre_hoyeste: [A, B, C]", "tre_hoyeste: [A, B, D]"),  # not the first three
    SCHEME_2020.replace("[[kurs]]", "[[flaks]]"),  # unknown evidence
    SCHEME_2020.replace("kode: E", "kode: D"),  # a code twice
])
def test_an_inconsistent_scheme_is_refused(tmp_path: Path, broken: str):
    path = tmp_path / "2020.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ValidationError):
        rules.load(path)


def _change(status: str, day: str) -> rules.StatusChange:
    return rules.StatusChange(status, date.fromisoformat(day), "årsak")


def test_status_changes_go_active_suspended_and_removal_is_final():
    entered, last = date(2016, 3, 1), date(2016, 3, 1)
    rules.check_status_change("aktiv", last, entered, _change("suspendert", "2017-01-01"))
    rules.check_status_change("suspendert", last, entered, _change("aktiv", "2017-01-01"))
    rules.check_status_change("suspendert", last, entered, _change("avregistrert", "2017-01-01"))
    for current, change, field in (("avregistrert", _change("aktiv", "2017-01-01"), "status"),
                                   ("aktiv", _change("aktiv", "2017-01-01"), "status"),
                                   ("aktiv", _change("suspendert", "2016-02-28"), "dato")):
        with pytest.raises(rules.RuleViolation) as exc:
            rules.check_status_change(current, last, entered, change)
        assert exc.value.field == field
    with pytest.raises(rules.RuleViolation):  # before the previous change
        rules.check_status_change("suspendert", date(2017, 5, 1), entered, _change("aktiv", "2017-04-30"))


def test_removal_ends_the_entry_and_suspension_does_not():
    assert rules.removal_date("avregistrert", date(2017, 6, 30)) == date(2017, 6, 30)
    assert rules.removal_date("suspendert", date(2017, 6, 30)) is None


def test_complaint_consequences():
    assert [rules.status_after_decision(c) for c in ("ingen", "advarsel", "suspensjon", "avregistrering")] == [
        None, None, "suspendert", "avregistrert"]


@pytest.mark.parametrize("on, revoked, status, valid", [
    ("2017-03-01", None, "aktiv", True),  # the day of issue
    ("2020-02-29", None, "aktiv", True),  # the last day
    ("2020-03-01", None, "aktiv", False),  # expired
    ("2017-02-28", None, "aktiv", False),  # not yet issued
    ("2017-06-01", "2017-06-01", "aktiv", False),  # revoked that day
    ("2017-05-31", "2017-06-01", "aktiv", True),
    ("2017-06-01", None, "suspendert", False),
])
def test_id_card_validity(on, revoked, status, valid):
    assert rules.card_valid(on=date.fromisoformat(on), issued=date(2017, 3, 1), expires=date(2020, 2, 29),
                            revoked=date.fromisoformat(revoked) if revoked else None,
                            interpreter_status=status) is valid


def test_the_token_bucket_allows_a_burst_then_the_refill_rate_per_client():
    now = [0.0]
    bucket = TokenBucket(capacity=3, rate=0.5, clock=lambda: now[0])
    assert [bucket.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take("a") == pytest.approx(2.0)  # the next token in 2 s
    assert bucket.take("b") == 0.0  # another client has its own bucket
    now[0] = 2.0
    assert bucket.take("a") == 0.0 and bucket.take("a") > 0
    now[0] = 100.0
    assert [bucket.take("a") for _ in range(4)][-1] > 0  # never more than the capacity at once
