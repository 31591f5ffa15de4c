"""One status per SP: the year cut once, and what is still reachable from a constructed queue."""

from datetime import date, timedelta

import pytest

from rapportering.engine import QUEUE, QueuedPerson
from rapportering.outlook import outlook
from rapportering.status import months_counted
from shared.settlement_measures import BY_ID

AS_OF = date(2017, 6, 30)


def test_the_year_is_cut_once_the_same_way_for_every_caller():
    assert months_counted(2017, date(2017, 6, 30)) == 6
    assert months_counted(2017, date(2017, 6, 1)) == 6
    assert months_counted(2017, date(2018, 3, 31)) == 12  # after the year: all of it, not March
    assert months_counted(2017, date(2016, 12, 31)) == 0  # before the year: nothing yet


def constructed_queue(inside: int, past: int) -> list[date]:
    """``inside`` persons whose deadline is after the as-of date, ``past`` whose deadline is on or before it."""
    return ([AS_OF + timedelta(days=1 + i) for i in range(inside)]
            + [AS_OF - timedelta(days=i) for i in range(past)])


def test_a_queue_whose_answer_is_known_by_hand():
    # 80 of 100 in time so far; 30 wait inside their window, 10 past it; all 140 settled this year at best:
    # (80 + 30) / 140 = 78.57 %. Against 70 %: 0.7 · 140 − 80 = 18 of the 30 must be settled in time.
    o = outlook(80, 100, constructed_queue(30, 10), AS_OF, 0.70)
    assert (o.waiting, o.inside, o.past, o.needed, o.reachable) == (40, 30, 10, 18, True)
    assert o.best == pytest.approx(110 / 140)
    assert (o.first_deadline, o.last_deadline) == (date(2017, 7, 1), date(2017, 7, 30))
    assert o.text.startswith("Målet nås bare om 18 av de 30 som venter innenfor fristen, bosettes innen fristen")
    assert "høyst 78,6 % er mulig i år" in o.text and "10 venter allerede forbi fristen" in o.text


def test_a_target_beyond_the_best_reachable_value_is_said_to_be_lost():
    o = outlook(80, 100, constructed_queue(30, 10), AS_OF, 0.90)  # needs 46 of 30
    assert (o.needed, o.reachable) == (46, False)
    assert o.text.startswith("Målet kan ikke nås i år: høyst 78,6 % er mulig")


def test_a_deadline_on_the_as_of_date_is_past_the_window():
    o = outlook(0, 0, [AS_OF, AS_OF + timedelta(days=1)], AS_OF, 0.5)
    assert (o.inside, o.past, o.needed) == (1, 1, 1)


def test_the_queue_reads_the_measure_definition_for_population_and_deadline():
    sp1, sp3 = BY_ID["SP1"], BY_ID["SP3"]
    asyl = QueuedPerson(date(2017, 1, 31), "asyl", False, None)
    em = QueuedPerson(date(2017, 1, 31), "overforingsflyktning", True, None)
    family = QueuedPerson(date(2017, 1, 31), "familiegjenforent", False, None)
    assert [sp1.population(p) for p in (asyl, em, family)] == [True, True, False]
    assert [sp3.population(p) for p in (asyl, em, family)] == [False, True, False]
    assert sp1.deadline(asyl) == date(2017, 7, 31) and sp3.deadline(em) == date(2017, 4, 30)


def test_a_later_correction_does_not_reopen_a_settled_case():
    settled = QueuedPerson(date(2017, 1, 10), "asyl", False, date(2017, 3, 1))
    corrected = QueuedPerson(date(2017, 1, 10), "overforingsflyktning", False, None)
    assert QUEUE.merge(settled, corrected) == QueuedPerson(date(2017, 1, 10), "overforingsflyktning", False,
                                                           date(2017, 3, 1))
