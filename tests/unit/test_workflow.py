"""The report workflow's rules without a database: transitions, separation of duties, completeness, the
calendar's obligations and their deadline status."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from rapportering import workflow
from rapportering.steering import load
from shared import errors
from shared.auth import Principal

ANNA = workflow.Actor("rapportansvarlig", "IMDi", workflow.actor_ref("k", "anna"), may_approve=True)
DINA = workflow.Actor("godkjenner", "IMDi (ledelsen)", workflow.actor_ref("k", "dina"), may_approve=True)
ANALYST = workflow.Actor("rapportansvarlig", "IMDi", workflow.actor_ref("k", "ola"))


def walk(*moves: tuple[str, workflow.Actor, str | None], report_type: str = "halvarsrapport") -> workflow.State:
    """Apply moves through check_step and fold, as the service does."""
    history: list[dict] = []
    version = 0
    for action, actor, reason in moves:
        state = workflow.fold(history)
        target = workflow.check_step(state, action, report_type, actor, reason)
        if action in ("send_til_godkjenning", "send_automatisk"):
            version += 1
        history.append({"sekvens": state.sekvens + 1, "handling": action, "til": target, "aktor_ref": actor.ref,
                        "versjon": version if target != "utkast" else state.versjon,
                        "tid": datetime(2017, 8, 1, tzinfo=UTC)})
    return workflow.fold(history)


def test_the_half_year_walk_ends_sent_with_one_sent_version():
    state = walk(("send_til_godkjenning", ANNA, None), ("avvis", DINA, "Mangler tall."),
                 ("send_til_godkjenning", ANNA, None), ("godkjenn", DINA, None), ("send", DINA, None))
    assert (state.tilstand, state.versjon, [v for v, _ in state.sendte]) == ("sendt", 2, [2])


def test_the_one_who_submitted_cannot_approve():
    with pytest.raises(errors.Forbidden, match="selv"):
        walk(("send_til_godkjenning", ANNA, None), ("godkjenn", ANNA, None))


def test_approving_needs_the_approver_scope():
    with pytest.raises(errors.Forbidden, match="godkjenn"):
        walk(("send_til_godkjenning", ANNA, None), ("godkjenn", ANALYST, None))


def test_sending_back_needs_a_reason():
    with pytest.raises(errors.Invalid):
        walk(("send_til_godkjenning", ANNA, None), ("avvis", DINA, "  "))


@pytest.mark.parametrize("moves", [
    [("send", DINA, None)],
    [("godkjenn", DINA, None)],
    [("send_til_godkjenning", ANNA, None), ("send", DINA, None)],
    [("send_til_godkjenning", ANNA, None), ("send_til_godkjenning", ANNA, None)],
])
def test_steps_out_of_order_are_conflicts(moves):
    with pytest.raises(errors.Conflict, match="Mulig nå"):
        walk(*moves)


def test_a_correction_after_sending_is_a_new_version_through_the_same_steps():
    state = walk(("send_til_godkjenning", ANNA, None), ("godkjenn", DINA, None), ("send", DINA, None),
                 ("send_til_godkjenning", ANNA, None))
    assert (state.tilstand, state.versjon, state.siste_sendte) == ("til_godkjenning", 2, 1)
    assert workflow.allowed_actions(state, "halvarsrapport") == ["godkjenn", "avvis"]


def test_monthly_reports_are_only_sent_automatically_and_half_year_reports_never():
    system = workflow.SYSTEM_ACTOR
    assert walk(("send_automatisk", system, None), report_type="manedsrapport").tilstand == "sendt"
    with pytest.raises(errors.Conflict, match="automatisk"):
        walk(("send_til_godkjenning", ANNA, None), report_type="manedsrapport")
    with pytest.raises(errors.Conflict, match="Bare månedsrapporter"):
        walk(("send_automatisk", system, None))


def _content(r1: str | None, sp1_status: str, sp1_own: dict | None, o1_status: str, o1_own: dict | None) -> dict:
    def item(id_, status, own):
        return {"id": id_, "risiko": {"beregnet": {"status": status, "begrunnelse": "…"},
                                      "virksomhetens_vurdering": own}}

    return {"rapporteringskrav": [{"id": "R1", "virksomhetens_tekst": r1}, {"id": "R2", "virksomhetens_tekst": "ok"}],
            "mal": [{"styringsparametere": [item("SP1", sp1_status, sp1_own), item("SP2", "ingen_data", None)]}],
            "oppdrag": [item("O1", o1_status, o1_own), item("O2", "gronn", None)]}


def test_completeness_lists_each_missing_narrative_assessment_and_measure():
    gaps = workflow.missing(_content(" ", "gul", None, "rod", {"status": "rod", "tiltak": ""}))
    assert [(g["objekt"], g["mangler"]) for g in gaps] == [("R1", "rapporttekst"), ("SP1", "risikovurdering"),
                                                          ("O1", "tiltak")]
    assert all(g["melding"] for g in gaps)


def test_a_complete_report_lacks_nothing_and_green_needs_no_assessment():
    own = {"status": "gul", "tiltak": "Tettere oppfølging."}
    assert workflow.missing(_content("Tekst.", "gul", own, "rod", own)) == []
    assert workflow.missing(_content("Tekst.", "gronn", None, "ingen_data", None)) == []


def test_obligations_are_the_years_calendar_and_twelve_months():
    obligations = {o.id: o for o in workflow.obligations(load(2017))}
    assert list(obligations) == ["RK-H1", "RK-AR"] + [f"RK-M{m:02d}" for m in range(1, 13)]
    assert (obligations["RK-H1"].frist, obligations["RK-AR"].frist) == (date(2017, 8, 19), date(2018, 2, 13))
    assert obligations["RK-M03"].frist == date(2017, 4, 10)


@pytest.mark.parametrize(("sent", "today", "status", "risk"), [
    (None, date(2017, 7, 1), "i_rute", "gronn"),
    (None, date(2017, 8, 5), "snart_frist", "gronn"),
    (None, date(2017, 8, 19), "snart_frist", "gronn"),
    (None, date(2017, 8, 20), "forsinket", "rod"),
    (date(2017, 8, 18), date(2017, 9, 1), "i_rute", "gronn"),
    (date(2017, 8, 25), date(2017, 9, 1), "forsinket", "gronn"),
    (date(2017, 8, 25), date(2017, 8, 21), "forsinket", "rod"),  # as of 21.8 it was not sent yet
])
def test_deadline_status(sent, today, status, risk):
    h1 = workflow.obligations(load(2017))[0]
    got_status, got_risk = workflow.deadline_status(h1, sent, today)
    assert (got_status, got_risk.status) == (status, risk)


def test_actor_takes_role_and_unit_from_claims_and_never_the_subject():
    principal = Principal("dina.nordmann", frozenset({"imdi:rapport.godkjenn"}),
                          claims={"rolle": "direktør", "enhet": "IMDi (ledelsen)"})
    actor = workflow.actor_from(principal, "k")
    assert (actor.rolle, actor.enhet, actor.may_approve) == ("direktør", "IMDi (ledelsen)", True)
    assert actor.ref == workflow.actor_ref("k", "dina.nordmann") != workflow.actor_ref("k", "anna")
    assert "dina" not in actor.ref
    odd = workflow.actor_from(Principal("x", frozenset({"imdi:rapport.write"}), claims={"rolle": "<script>"}), "k")
    assert (odd.rolle, odd.enhet, odd.may_approve) == ("rapportansvarlig", "IMDi", False)
