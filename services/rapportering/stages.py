"""Time spent in each settlement stage, and the bottleneck (assignment O1: "identifisere flaskehalsen i
bosettingsarbeidet"). Pure functions over each person's stage dates (:class:`StageDates`, kept by the fact type
``bosetting_stadier`` from bosetting's events); no I/O.

Method, for a year Y as of a date D
-----------------------------------
*Stages.* vedtak → klar (ready for settlement), klar → utvalgt (proposed to a municipality), utvalgt →
akseptert (accepted by the municipality), akseptert → bosatt, and the whole run vedtak → bosatt. A date after
D is not known yet on D (the figures as of D are what the events said by then: replay gives the same).

*Through a stage.* A person went through a stage in Y if both its dates are known and its end date falls
between 1 January Y and D (at most 31 December Y); the time is the end date minus the start date in days.
A person who skipped a stage (no klar date, or settled by agreement without a proposal) counts in no stage
that needs the missing date, but in the stages before and after it and in the whole run. A person whose case
was closed without settlement counts in the stages completed before the closing. Dates out of order (a
settlement date corrected to before the acceptance) leave that stage out for the person. Per stage: the
number of persons, the median and the 90th percentile (``statistics.quantiles``, inclusive method: the
same as bosetting's ``/flaskehalser``).

*In a stage now.* On D, a person with a decision on or before D who is neither settled nor closed by D is in
the stage after the last one reached by D (a person proposed without a klar date waits for acceptance); the
wait is D minus that stage's start. Every waiting person is also waiting in the whole run (since the
decision): the same population and median as the queue on the settlement page.

*Bottleneck.* The stage (of the four; not the whole run) with the largest median time of the persons who
went through it in Y; a tie goes to the stage with more persons waiting in it now, then to the earlier one.
With no one through any stage yet: the stage with most persons waiting (none if no one waits). This is the
rule bosetting's ``/flaskehalser`` uses (largest median), so the two never name different stages for the
same persons; it measures time, which is what O1 asks to cut ("tidsbruken i ulike ledd"). The number
waiting was the alternative: it measures volume, which a wave of new decisions raises in the first stage
without anyone waiting long. Completed times miss those still waiting (early in a year a slow stage has
few completions), so the page shows the number waiting and their median wait beside each median, and names
the stage with most waiting too when it is another one (and no other stage has as many).

*Who sees what.* IMDi sees every kommune and fylke; a municipality only its own kommune (persons whose latest
proposal, acceptance or settlement is there: a person not yet proposed belongs to no kommune). JD sees no
live figures (only published reports, which go through :mod:`rapportering.disclosure`); these figures are
not in a report.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rapportering.facts.bosetting import StageDates
from shared.geo import kommuner_2017


@dataclass(frozen=True)
class Stage:
    id: str
    tekst: str
    kort: str
    start: str
    end: str


STAGES: tuple[Stage, ...] = (
    Stage("vedtak_klar", "Fra vedtak til klar for bosetting", "Vedtak → klar", "vedtaksdato", "klar_dato"),
    Stage("klar_utvalgt", "Fra klar til utvalgt (foreslått for en kommune)", "Klar → utvalgt", "klar_dato",
          "utvalgt_dato"),
    Stage("utvalgt_akseptert", "Fra utvalgt til akseptert av kommunen", "Utvalgt → akseptert", "utvalgt_dato",
          "akseptert_dato"),
    Stage("akseptert_bosatt", "Fra akseptert til bosatt", "Akseptert → bosatt", "akseptert_dato",
          "bosettingsdato"),
)
WHOLE_RUN = Stage("vedtak_bosatt", "Fra vedtak til bosatt (hele løpet)", "Vedtak → bosatt", "vedtaksdato",
                  "bosettingsdato")


@dataclass(frozen=True)
class StageFigures:
    stage: Stage
    through: int
    """Persons who went through the stage in the year, by the as-of date."""
    median: float | None
    p90: float | None
    waiting: int
    """Persons in the stage on the as-of date."""
    waiting_median: float | None


@dataclass(frozen=True)
class StageTimes:
    stages: tuple[StageFigures, ...]
    whole_run: StageFigures
    bottleneck: StageFigures | None
    most_waiting: StageFigures | None
    """The stage with more persons waiting than any other (no tie), when that is not the bottleneck."""

    @property
    def rows(self) -> tuple[StageFigures, ...]:
        """The four stages, then the whole run."""
        return (*self.stages, self.whole_run)


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def p90(values: list[int]) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    return round(float(statistics.quantiles(sorted(values), n=10, method="inclusive")[8]), 1)


def _known(person: StageDates, field: str, as_of: date) -> date | None:
    value = getattr(person, field)
    return value if value is not None and value <= as_of else None


def current_stage(person: StageDates, as_of: date) -> tuple[Stage, date] | None:
    """The stage the person waits in on ``as_of`` and when it began, or None (settled, closed, no decision yet)."""
    if person.vedtaksdato > as_of or _known(person, "bosettingsdato", as_of) or _known(
            person, "avsluttet_dato", as_of):
        return None
    for stage in reversed(STAGES):
        began = _known(person, stage.start, as_of)
        if began is not None:
            return stage, began
    return None  # pragma: no cover - the decision date is known on as_of


def _in_scope(person: StageDates, kommunenummer: str | None, fylkesnummer: str | None, em: bool | None) -> bool:
    if em is not None and person.enslig_mindrearig != em:
        return False
    if kommunenummer is not None and person.kommunenummer != kommunenummer:
        return False
    if fylkesnummer is not None:
        kommune = kommuner_2017().get(person.kommunenummer or "")
        return kommune is not None and kommune.fylkesnummer == fylkesnummer
    return True


def stage_times(people: Iterable[StageDates], *, year: int, as_of: date, kommunenummer: str | None = None,
                fylkesnummer: str | None = None, em: bool | None = None) -> StageTimes:
    """Per stage: persons through it in ``year`` (by ``as_of``) with median and 90th percentile days, and the
    persons in it on ``as_of`` with their median wait; the bottleneck. Optionally one kommune or fylke, and EM
    only (``em=True``) or the others (``em=False``)."""
    first, last = date(year, 1, 1), min(as_of, date(year, 12, 31))
    through: dict[str, list[int]] = {s.id: [] for s in (*STAGES, WHOLE_RUN)}
    waiting: dict[str, list[int]] = {s.id: [] for s in (*STAGES, WHOLE_RUN)}
    for person in people:
        if not _in_scope(person, kommunenummer, fylkesnummer, em):
            continue
        for stage in (*STAGES, WHOLE_RUN):
            start, end = _known(person, stage.start, as_of), _known(person, stage.end, as_of)
            if start is not None and end is not None and first <= end <= last and end >= start:
                through[stage.id].append((end - start).days)
        now = current_stage(person, as_of)
        if now is not None:
            waiting[now[0].id].append((as_of - now[1]).days)
            waiting[WHOLE_RUN.id].append((as_of - person.vedtaksdato).days)
    figures = {s.id: StageFigures(s, len(through[s.id]), median(through[s.id]), p90(through[s.id]),
                                  len(waiting[s.id]), median(waiting[s.id])) for s in (*STAGES, WHOLE_RUN)}
    steps = tuple(figures[s.id] for s in STAGES)
    bottleneck = _bottleneck(steps)
    return StageTimes(steps, figures[WHOLE_RUN.id], bottleneck, _most_waiting(steps, bottleneck))


def _most_waiting(steps: tuple[StageFigures, ...], bottleneck: StageFigures | None) -> StageFigures | None:
    """The one stage with more persons waiting than any other, if that is not the bottleneck."""
    ranked = sorted(steps, key=lambda f: f.waiting, reverse=True)
    most = ranked[0]
    if most.waiting == 0 or most.waiting == ranked[1].waiting or most is bottleneck:
        return None
    return most


def _bottleneck(steps: tuple[StageFigures, ...]) -> StageFigures | None:
    """The largest median; ties: more waiting, then the earlier stage. No medians: most waiting, if anyone."""
    timed = [f for f in steps if f.median is not None]
    if timed:
        return max(timed, key=lambda f: (f.median, f.waiting, -STAGES.index(f.stage)))
    busiest = max(steps, key=lambda f: (f.waiting, -STAGES.index(f.stage)))
    return busiest if busiest.waiting else None
