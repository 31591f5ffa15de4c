"""Time per settlement stage (rapportering.stages) and the stage-date fact, on hand-worked cases."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from rapportering import stages
from rapportering.facts.bosetting import STAGE_DATES, StageDates
from shared.events import schemas as ev

D = date
REF = "p-" + "a" * 32


def person(vedtak: date, *, klar=None, utvalgt=None, akseptert=None, bosatt=None, avsluttet=None, kommune=None,
           em=False) -> StageDates:
    return StageDates(vedtaksdato=vedtak, kategori="asyl", enslig_mindrearig=em, klar_dato=klar,
                      utvalgt_dato=utvalgt, akseptert_dato=akseptert, bosettingsdato=bosatt,
                      avsluttet_dato=avsluttet, kommunenummer=kommune)


def by_id(result: stages.StageTimes) -> dict[str, stages.StageFigures]:
    return {f.stage.id: f for f in result.rows}


# A walks every stage: 10, 20, 5 and 15 days (50 in all). B skips klar (proposed straight from the decision):
# utvalgt→akseptert 30 days, akseptert→bosatt 40, 80 days in all; no vedtak→klar, no klar→utvalgt.
A = person(D(2017, 1, 1), klar=D(2017, 1, 11), utvalgt=D(2017, 1, 31), akseptert=D(2017, 2, 5),
           bosatt=D(2017, 2, 20), kommune="0301")
B = person(D(2017, 1, 1), utvalgt=D(2017, 1, 11), akseptert=D(2017, 2, 10), bosatt=D(2017, 3, 22), kommune="1201")


def test_each_stage_counts_the_persons_through_it_with_median_and_p90():
    fig = by_id(stages.stage_times([A, B], year=2017, as_of=D(2017, 12, 31)))
    assert (fig["vedtak_klar"].through, fig["vedtak_klar"].median) == (1, 10.0)
    assert (fig["klar_utvalgt"].through, fig["klar_utvalgt"].median) == (1, 20.0)  # B skipped it
    assert (fig["utvalgt_akseptert"].through, fig["utvalgt_akseptert"].median) == (2, 17.5)
    assert (fig["akseptert_bosatt"].through, fig["akseptert_bosatt"].median) == (2, 27.5)
    assert (fig["vedtak_bosatt"].through, fig["vedtak_bosatt"].median) == (2, 65.0)
    # inclusive quantiles of (15, 40): 15 + 0.9 · 25
    assert fig["akseptert_bosatt"].p90 == 37.5 and fig["vedtak_klar"].p90 == 10.0


def test_p90_of_ten_values_is_the_inclusive_quantile():
    assert stages.p90(list(range(1, 11))) == 9.1 and stages.median(list(range(1, 11))) == 5.5
    assert stages.p90([]) is None and stages.median([]) is None


def test_the_bottleneck_is_the_largest_median():
    result = stages.stage_times([A, B], year=2017, as_of=D(2017, 12, 31))
    assert result.bottleneck.stage.id == "akseptert_bosatt"
    assert result.most_waiting is None  # no one waits


def test_as_of_before_a_stage_the_stage_is_not_known_and_the_person_waits_in_it():
    result = stages.stage_times([A], year=2017, as_of=D(2017, 2, 1))  # proposed on 31.1, not accepted yet
    fig = by_id(result)
    assert fig["vedtak_klar"].through == 1 and fig["klar_utvalgt"].through == 1
    assert fig["utvalgt_akseptert"].through == 0 and fig["vedtak_bosatt"].through == 0
    assert (fig["utvalgt_akseptert"].waiting, fig["utvalgt_akseptert"].waiting_median) == (1, 1.0)
    assert (fig["vedtak_bosatt"].waiting, fig["vedtak_bosatt"].waiting_median) == (1, 31.0)
    assert sum(f.waiting for f in result.stages) == 1
    assert stages.stage_times([A], year=2017, as_of=D(2016, 12, 31)).whole_run.waiting == 0  # no decision yet


def test_a_person_who_skipped_klar_waits_for_acceptance_after_the_proposal():
    fig = by_id(stages.stage_times([B], year=2017, as_of=D(2017, 1, 20)))
    assert fig["utvalgt_akseptert"].waiting == 1 and fig["utvalgt_akseptert"].waiting_median == 9.0
    assert fig["vedtak_klar"].waiting == 0 and fig["klar_utvalgt"].waiting == 0


def test_a_closed_case_counts_its_completed_stages_and_then_waits_nowhere():
    closed = person(D(2017, 3, 1), klar=D(2017, 3, 31), avsluttet=D(2017, 5, 1))
    before = by_id(stages.stage_times([closed], year=2017, as_of=D(2017, 4, 30)))
    assert before["klar_utvalgt"].waiting == 1 and before["klar_utvalgt"].waiting_median == 30.0
    after = by_id(stages.stage_times([closed], year=2017, as_of=D(2017, 6, 30)))
    assert after["vedtak_klar"].through == 1 and after["vedtak_klar"].median == 30.0
    assert all(f.waiting == 0 for f in after.values())
    assert after["vedtak_bosatt"].through == 0  # never settled


def test_the_year_counts_stages_that_ended_in_it():
    late = person(D(2016, 11, 1), klar=D(2016, 12, 1), utvalgt=D(2017, 1, 10), kommune="0301")
    fig = by_id(stages.stage_times([late], year=2017, as_of=D(2017, 12, 31)))
    assert fig["vedtak_klar"].through == 0  # ended in 2016
    assert fig["klar_utvalgt"].through == 1 and fig["klar_utvalgt"].median == 40.0
    assert fig["utvalgt_akseptert"].waiting == 1 and fig["utvalgt_akseptert"].waiting_median == 355.0


def test_dates_out_of_order_leave_the_stage_out():
    odd = person(D(2017, 1, 1), utvalgt=D(2017, 2, 1), akseptert=D(2017, 3, 1), bosatt=D(2017, 2, 15))
    fig = by_id(stages.stage_times([odd], year=2017, as_of=D(2017, 12, 31)))
    assert fig["akseptert_bosatt"].through == 0 and fig["vedtak_bosatt"].through == 1


def test_em_and_kommune_and_fylke_select_their_persons():
    em = person(D(2017, 1, 1), klar=D(2017, 1, 4), em=True)
    assert stages.stage_times([A, B, em], year=2017, as_of=D(2017, 12, 31), em=True).stages[0].through == 1
    assert stages.stage_times([A, B, em], year=2017, as_of=D(2017, 12, 31), em=False).whole_run.through == 2
    oslo = by_id(stages.stage_times([A, B, em], year=2017, as_of=D(2017, 12, 31), kommunenummer="0301"))
    assert oslo["vedtak_bosatt"].through == 1 and oslo["vedtak_bosatt"].median == 50.0
    hordaland = stages.stage_times([A, B, em], year=2017, as_of=D(2017, 12, 31), fylkesnummer="12")
    assert hordaland.whole_run.median == 80.0 and hordaland.stages[0].through == 0  # em has no kommune


def test_ties_go_to_more_waiting_and_with_no_times_the_most_waiting_is_named():
    waiting = [person(D(2017, 1, 1)), person(D(2017, 1, 1), klar=D(2017, 1, 2)),
               person(D(2017, 1, 1), klar=D(2017, 1, 2))]
    result = stages.stage_times(waiting, year=2016, as_of=D(2017, 2, 1))  # nothing ended in 2016
    assert result.bottleneck.stage.id == "klar_utvalgt" and result.most_waiting is None
    assert stages.stage_times([], year=2017, as_of=D(2017, 6, 30)).bottleneck is None
    # the same median (10 days) in vedtak→klar and klar→utvalgt: the one more persons wait in now
    tie = [person(D(2017, 1, 1), klar=D(2017, 1, 11), utvalgt=D(2017, 1, 21)), person(D(2017, 2, 20),
           klar=D(2017, 3, 2))]  # vedtak→klar: 10 and 10 days; klar→utvalgt: 10; one waits in it now
    result = stages.stage_times(tie, year=2017, as_of=D(2017, 3, 5))
    assert result.bottleneck.stage.id == "klar_utvalgt"


def test_the_stage_most_wait_in_is_named_beside_a_bottleneck_elsewhere():
    slow = person(D(2017, 1, 1), klar=D(2017, 3, 1), kommune=None)  # 59 days to klar
    queue = [person(D(2017, 3, 1), utvalgt=D(2017, 3, 3), kommune="0301") for _ in range(3)]  # proposed at once
    result = stages.stage_times([slow, *queue], year=2017, as_of=D(2017, 4, 1))
    assert result.bottleneck.stage.id == "vedtak_klar"
    assert result.most_waiting.stage.id == "utvalgt_akseptert" and result.most_waiting.waiting == 3


# --- the fact: built from bosetting's events, merged forward ---------------------------------------------------
GROUP = dict(person_ref=REF, kjonn="K", vedtaksdato=D(2017, 1, 1))


def fact(data) -> StageDates:
    return STAGE_DATES.build(SimpleNamespace(data=data))[1]


def merged(*events) -> StageDates:
    out = fact(events[0])
    for e in events[1:]:
        out = STAGE_DATES.merge(out, fact(e))
    return out


def test_later_events_never_erase_a_known_date():
    got = merged(ev.SakRegistrertV1(**GROUP), ev.PersonKlarV1(**GROUP, klar_dato=D(2017, 1, 11)),
                 ev.PersonUtvalgtV1(**GROUP, utvalgt_dato=D(2017, 1, 31), kommunenummer="0301"),
                 ev.SakEndretV1(**{**GROUP, "kjonn": "M"}),
                 ev.PersonBosattV1(**GROUP, bosettingsdato=D(2017, 2, 20), kommunenummer="0301"))
    assert (got.klar_dato, got.utvalgt_dato, got.bosettingsdato) == (D(2017, 1, 11), D(2017, 1, 31), D(2017, 2, 20))
    assert got.kommunenummer == "0301"


def test_a_corrected_date_or_a_new_proposal_replaces_the_stored_one():
    got = merged(ev.PersonUtvalgtV1(**GROUP, utvalgt_dato=D(2017, 1, 31), kommunenummer="0301"),
                 ev.PersonUtvalgtV1(**GROUP, utvalgt_dato=D(2017, 2, 15), kommunenummer="1201"),
                 ev.PersonBosattV1(**GROUP, bosettingsdato=D(2017, 3, 1), kommunenummer="1201"),
                 ev.PersonBosattV1(**GROUP, bosettingsdato=D(2017, 3, 3), kommunenummer="1201",
                                   klar_dato=D(2017, 1, 5)))
    assert (got.utvalgt_dato, got.kommunenummer) == (D(2017, 2, 15), "1201")
    assert (got.bosettingsdato, got.klar_dato) == (D(2017, 3, 3), D(2017, 1, 5))
    corrected = merged(ev.SakRegistrertV1(**GROUP), ev.SakEndretV1(**{**GROUP, "enslig_mindrearig": True,
                                                                      "em_aldersgruppe": "15_18",
                                                                      "fodselsar": 2001}))
    assert corrected.enslig_mindrearig


def test_closing_is_kept_with_its_kommune_and_an_unknown_kommune_is_in_no_fylke():
    closed = fact(ev.SakAvsluttetV1(**GROUP, avsluttet_dato=D(2017, 4, 1), arsak="selvbosatt", kommunenummer="1201"))
    assert (closed.avsluttet_dato, closed.kommunenummer) == (D(2017, 4, 1), "1201")
    odd = fact(ev.PersonUtvalgtV1(**GROUP, utvalgt_dato=D(2017, 1, 31), kommunenummer="9999"))  # not rejected
    assert odd.kommunenummer == "9999"
    assert stages.stage_times([odd], year=2017, as_of=D(2017, 2, 1), fylkesnummer="12").whole_run.waiting == 0
    assert stages.stage_times([odd], year=2017, as_of=D(2017, 2, 1)).whole_run.waiting == 1


def test_no_stage_is_named_for_most_waiting_when_two_have_as_many():
    slow = person(D(2017, 1, 1), klar=D(2017, 3, 1))
    tied = [person(D(2017, 3, 1), utvalgt=D(2017, 3, 3), kommune="0301"), person(D(2017, 3, 20)),
            person(D(2017, 3, 21))]  # one waits for acceptance, two for klar
    result = stages.stage_times([slow, *tied[:2]], year=2017, as_of=D(2017, 4, 1))
    assert result.bottleneck.stage.id == "vedtak_klar" and result.most_waiting is None  # one in each of three
    result = stages.stage_times([slow, *tied], year=2017, as_of=D(2017, 4, 1))
    assert result.most_waiting is None  # vedtak→klar (2) is the bottleneck itself
    # two wait in klar→utvalgt and two in utvalgt→akseptert: neither is named
    both = [slow, person(D(2017, 3, 1), klar=D(2017, 3, 2)), *[person(D(2017, 3, 1), utvalgt=D(2017, 3, 3))] * 2]
    result = stages.stage_times(both, year=2017, as_of=D(2017, 4, 1))
    assert result.bottleneck.stage.id == "vedtak_klar" and result.most_waiting is None
