"""What is still reachable this year for a flow share with a deadline per person (SP1–SP3), from the queue.

As of a date D in year Y, with ``n`` hits of ``d`` counted so far this year, the queue is the persons in the
SP's population who have a decision and are not settled on D. Each has a deadline (decision + N calendar
months). A person whose deadline is after D is *inside the window*: settled by the deadline, a hit. A person
whose deadline is on or before D is *past it*: a miss whenever they are settled.

If every queued person is settled this year, the best value still reachable is ``(n + W) / (d + W + P)``
(W inside, P past the window). The target ``t`` is met only if at least ``ceil(t · (d + W + P) − n)`` of the W
are settled by their deadlines. Persons decided after D are not known yet and are left out; the status says
so. Pure functions: the projection's database reads feed them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from rapportering.risk import pct


@dataclass(frozen=True)
class Outlook:
    waiting: int
    inside: int
    past: int
    best: float | None
    needed: int | None
    reachable: bool
    first_deadline: date | None
    last_deadline: date | None
    text: str


def outlook(n: int, d: int, deadlines: list[date], as_of: date, target: float) -> Outlook:
    """``deadlines``: one per queued person in the population (the last day a settlement is in time)."""
    inside = sorted(x for x in deadlines if x > as_of)
    past = len(deadlines) - len(inside)
    total = d + len(inside) + past
    if total == 0:
        return Outlook(0, 0, 0, None, None, True, None, None, "Ingen er talt og ingen venter.")
    best = (n + len(inside)) / total
    needed = max(0, math.ceil(target * total - n - 1e-9))
    reachable = needed <= len(inside)
    first, last = (inside[0], inside[-1]) if inside else (None, None)
    return Outlook(len(deadlines), len(inside), past, best, needed, reachable, first, last,
                   _words(best, needed, reachable, len(inside), past, first, last))


def _words(best: float, needed: int, reachable: bool, inside: int, past: int, first: date | None,
           last: date | None) -> str:
    tail = (f" {past} venter allerede forbi fristen og teller som ikke bosatt i tide når de bosettes."
            if past else "")
    if not reachable:
        return (f"Målet kan ikke nås i år: høyst {pct(best)} er mulig, selv om alle {inside} som venter innenfor "
                f"fristen, bosettes i tide.{tail}")
    if needed == 0:
        return f"Målet er nådd med dem som er bosatt; høyst {pct(best)} er mulig i år.{tail}"
    window = f"{first.isoformat()}" if first == last else f"{first.isoformat()} og {last.isoformat()}"
    between = "går ut" if first == last else "går ut mellom"
    return (f"Målet nås bare om {needed} av de {inside} som venter innenfor fristen, bosettes innen fristen sin "
            f"(fristene {between} {window}); høyst {pct(best)} er mulig i år.{tail}")
