"""Year-end projection and red/yellow/green risk (section 4.2 of the letter).

Projection of a share SP (SP1–SP3) as of a date D in year Y:

* ``n, d``: numerator and denominator counted from 1 January to D (complete months up to D's month, since
  the read model counts by month; D is the end of a month in every report).
* The settlement rate so far continues: the rest of the year adds ``d_rest = d · months_left / months_gone``
  persons to the denominator.
* Their share ``p`` is the share of the last three complete months when those hold at least 30 persons
  (recent practice says more about the rest of the year than January does), else the share so far.
* Year-end value ``(n + p · d_rest) / (d + d_rest)``. Uncertainty of ``p`` for the rest of the year has two
  parts: the Beta posterior from the months it was taken from, and drift. The share moves from month to
  month (σ from the observed month-to-month changes, less what binomial noise explains, shrunk toward a
  prior of 2 share points a month weighted as six observations): the basis lags today's level (by
  ``5σ²/9`` for a three-month average), and the average of a random walk over the ``k`` months left has
  variance ``σ² (k+1)(2k+1) / 6k``. The remaining persons are binomial given ``p``. Mean and variance of the
  year-end value follow; an 80 % interval and the probability of meeting the target use the normal
  approximation. At year end (no months left) the value is exact.

Back-tested on simulated years (``tests/unit/test_risk.py``): 400 years of monthly shares drifting as a random
walk, projected at the end of March, June and September. With a true drift of 2 points a month the 80 %
interval covered the realised year-end value in 78–82 % of cases (three seeds); with 1 point, 94 % (too
wide); with 3 points, 68 % (too narrow). Without the drift term the first version covered 33 %. The
letter gives yearly values only, so there is no real monthly history to back-test against here.

Risk of an SP: green if the projection meets the target; yellow if it falls short by no more than the SP's
tolerance (``toleranse.gul`` in the steering model); red if further below. Risk of an assignment: from its
milestones against their deadlines (overdue → yellow, more than ``rod_etter_dager`` overdue → red, progress
far behind a straight line from start to deadline → yellow). Each status carries its reason in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from rapportering.steering import Oppdrag, Styringsparameter
from shared.measures import Measure, Target


@dataclass(frozen=True)
class Projection:
    value: float
    low: float
    high: float
    p_target: float | None
    months_gone: int
    method: str


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def project_share(monthly: dict[int, tuple[int, int]], as_of_month: int, target: float | None) -> Projection | None:
    """``monthly``: month → (numerator, denominator) for months 1..as_of_month of the year."""
    months = [m for m in range(1, as_of_month + 1)]
    n = sum(monthly.get(m, (0, 0))[0] for m in months)
    d = sum(monthly.get(m, (0, 0))[1] for m in months)
    if d == 0:
        return None
    left = 12 - as_of_month
    recent = months[-3:]
    rn = sum(monthly.get(m, (0, 0))[0] for m in recent)
    rd = sum(monthly.get(m, (0, 0))[1] for m in recent)
    if left and rd >= 30:
        a, b, basis = rn + 1, rd - rn + 1, "siste tre måneder"
    else:
        a, b, basis = n + 1, d - n + 1, "hittil i år"
    if left == 0:
        value = n / d
        met = None if target is None else float(value >= target)
        return Projection(value, value, value, met, as_of_month, "endelig verdi for året")
    d_rest = d * left / as_of_month
    p_mean = a / (a + b)
    sigma2 = drift_variance(monthly, months)
    level = 5 / 9 if basis == "siste tre måneder" else (as_of_month + 1) / 2  # lag of the basis behind today
    p_var = a * b / ((a + b) ** 2 * (a + b + 1)) + sigma2 * (level + (left + 1) * (2 * left + 1) / (6 * left))
    total = d + d_rest
    mean = (n + p_mean * d_rest) / total
    # Var(X) for X | p ~ Bin(d_rest, p), p ~ Beta(a, b): d_rest E[p(1-p)] + d_rest² Var(p)
    e_pq = p_mean - (p_var + p_mean ** 2)
    var = (d_rest * e_pq + d_rest ** 2 * p_var) / total ** 2
    sd = math.sqrt(max(var, 1e-12))
    z80 = 1.2815515655446004
    met = None if target is None else 1 - _phi((target - mean) / sd)
    return Projection(mean, max(0.0, mean - z80 * sd), min(1.0, mean + z80 * sd), met, as_of_month,
                      f"hittil i år pluss resten av året med andelen {basis}")


PRIOR_SIGMA = 0.02  # share points per month; weighs as PRIOR_WEIGHT observed month-to-month changes
PRIOR_WEIGHT = 6


def drift_variance(monthly: dict[int, tuple[int, int]], months: list[int]) -> float:
    """σ² of the month-to-month change in the share: the observed changes (net of binomial noise) shrunk
    toward the prior, since a few noisy months alone underestimate it (measured in the back-test)."""
    shares = [(monthly[m][0] / monthly[m][1], monthly[m][1]) for m in months if monthly.get(m, (0, 0))[1] >= 20]
    diffs = [b[0] - a[0] for a, b in zip(shares, shares[1:], strict=False)]
    if len(diffs) < 2:
        return PRIOR_SIGMA ** 2
    mean = sum(diffs) / len(diffs)
    observed = sum((x - mean) ** 2 for x in diffs) / (len(diffs) - 1)
    noise = sum(p * (1 - p) / d for p, d in shares) * 2 / len(shares)
    estimate = max(observed - noise, 0.0)
    dof = len(diffs) - 1
    return (PRIOR_WEIGHT * PRIOR_SIGMA ** 2 + dof * estimate) / (PRIOR_WEIGHT + dof)


def pct(x: float) -> str:
    return f"{x * 100:.1f}".replace(".", ",") + " %"


@dataclass(frozen=True)
class Status:
    status: str
    begrunnelse: str


def sp_risk(sp: Styringsparameter, projection: Projection | None, source_has_data: bool) -> Status:
    target = sp.resultatkrav.verdi
    if not source_has_data:
        return Status("ingen_data", f"Ingen data: kilden ({sp.maling.kilde}) leverer ikke data for "
                      f"{sp.id} ennå. Dette er ikke null.")
    if projection is None:
        return Status("ingen_data", "Ingen personer er talt i perioden ennå.")
    interval = f"80 %-intervall {pct(projection.low)}–{pct(projection.high)}"
    chance = "" if projection.p_target is None else f", sannsynlighet for å nå kravet {pct(projection.p_target)}"
    head = (f"Framskrevet årsverdi {pct(projection.value)} ({interval}{chance}) mot krav {pct(target)}"
            if projection.months_gone < 12 else f"Årsverdi {pct(projection.value)} mot krav {pct(target)}")
    return _against_target(sp, projection.value, head)


def _against_target(sp: Styringsparameter, value: float, head: str) -> Status:
    """Green if ``value`` meets the SP's target, yellow within its tolerance, red below; ``head`` says what
    was compared."""
    shortfall = sp.resultatkrav.verdi - value
    if shortfall <= 0:
        return Status("gronn", f"{head}: i rute.")
    gap = f"{shortfall * 100:.1f}".replace(".", ",")
    if shortfall <= sp.toleranse.gul:
        return Status("gul", f"{head}: {gap} prosentpoeng under kravet. Virksomheten må redegjøre for "
                      "korrigerende tiltak.")
    return Status("rod", f"{head}: {gap} prosentpoeng under kravet, mer enn toleransen på "
                  f"{sp.toleranse.gul * 100:.0f} prosentpoeng. Korrigering må iverksettes.")


def unit_risk(sp: Styringsparameter, value: float | None, previous: float | None, final: bool) -> Status:
    """A share of units in a year (SP6, SP7, SP11): each unit counts once, from its latest answer, so there is
    no flow to project; the value so far is the estimate, with last year's value beside it."""
    if value is None:
        return Status("ingen_data", "Ingen enheter er talt for året ennå.")
    target = sp.resultatkrav.verdi
    before = "" if previous is None else f"; i fjor {pct(previous)}"
    head = (f"{'Årsverdi' if final else 'Verdi så langt i år (siste svar per enhet)'} {pct(value)} mot krav "
            f"{pct(target)}{before}")
    return _against_target(sp, value, head)


def project_stock(series: dict[int, tuple[int, int]], as_of_month: int) -> tuple[float, float] | None:
    """A stock on 31.12 (SP10) from its month-end counts so far: the count and the count in the top categories,
    each by a least-squares line through the last (up to six) month ends, to month 12. Exact in December."""
    months = [m for m in range(max(1, as_of_month - 5), as_of_month + 1) if m in series]
    if not months:
        return None
    if as_of_month == 12 or len(months) == 1:
        last = series[months[-1]]
        return float(last[1]), float(last[0])

    def line(values: list[float]) -> float:
        mx, my = sum(months) / len(months), sum(values) / len(values)
        sxx = sum((m - mx) ** 2 for m in months)
        slope = sum((m - mx) * (v - my) for m, v in zip(months, values, strict=True)) / sxx
        return max(0.0, my + slope * (12 - mx))

    total = line([series[m][1] for m in months])
    top = min(total, line([series[m][0] for m in months]))
    return total, top


def stock_risk(sp: Styringsparameter, targets: tuple[Target, ...], now: tuple[int, int],
               projected: tuple[float, float] | None, final: bool) -> Status:
    """A stock with a compound target (SP10): every part judged on the projection to the count date; green
    only when every part holds, yellow when only the count falls short and by no more than the tolerance,
    red otherwise. The reason names each part and today's figures."""
    if projected is None or not now[1]:
        return Status("ingen_data", "Ingen er i registeret ennå.")
    total, top = projected
    cells = {("alle", "alle"): (round(top), round(total))}
    judged = compound_risk(targets, cells)
    today = f"I dag {now[1]:,}".replace(",", " ") + f", {pct(now[0] / now[1])} i de høyeste kategoriene"
    where = "Ved telledatoen" if final else "Framskrevet til 31.12"
    if judged.status == "rod":
        short = [t for t in targets if not t.holds(*cells[(t.dimension, t.value)])]
        within = all(t.rule == "antall" and t.threshold - total <= sp.toleranse.gul for t in short)
        return Status("gul" if within else "rod", f"{today}. {where}: {judged.begrunnelse}")
    return Status(judged.status, f"{today}. {where}: {judged.begrunnelse}")


def not_measured(sp: Styringsparameter, definition: Measure | None) -> Status:
    """An SP without events yet: ``ingen_data`` with the reason (never 0)."""
    if definition is None:
        return sp_risk(sp, None, False)
    return Status("ingen_data", f"Ingen data: kilden ({sp.maling.kilde}) publiserer ikke "
                  f"{', '.join(definition.reads)} ennå. {sp.id} er definert i målemotoren og telles når "
                  "hendelsene kommer. Dette er ikke null.")


def compound_risk(targets: tuple[Target, ...], cells: dict[tuple[str, str], tuple[int, int]]) -> Status:
    """A compound target (SP8, SP10): green only when every part holds; the reason names each part, the
    failing ones first."""
    failing, holding, unknown = [], [], []
    for t in targets:
        num, den = cells.get((t.dimension, t.value), (0, 0))
        actual = f"{den:,}".replace(",", " ") if t.rule == "antall" else (pct(num / den) if den else "ingen data")
        bar = (f"minst {t.threshold:,.0f}".replace(",", " ") if t.rule == "antall"
               else f"{'minst' if t.rule == 'minst' else 'over'} {pct(t.threshold)}")
        text = f"{t.navn}: {actual} (krav {bar})"
        ok = t.holds(num, den)
        (unknown if ok is None else holding if ok else failing).append(text)
    if failing:
        return Status("rod", "Ikke nådd: " + "; ".join(failing) + ". Nådd: " + ("; ".join(holding) or "ingen")
                      + ". Alle delkrav må holde.")
    if unknown:
        return Status("ingen_data", "Uavklart: " + "; ".join(unknown) + ".")
    return Status("gronn", "Alle delkrav holder: " + "; ".join(holding) + ".")


@dataclass(frozen=True)
class MilestoneState:
    id: str
    tekst: str
    frist: date
    ferdig: bool
    fremdrift: int | None
    dato: date | None
    kommentar: str | None


def assignment_risk(o: Oppdrag, milestones: list[MilestoneState], as_of: date, red_after_days: int) -> Status:
    if as_of < o.start:
        return Status("gronn", "Oppdraget har ikke startet.")
    reasons_red, reasons_yellow, notes = [], [], []
    for m in milestones:
        if m.ferdig and m.dato is not None and m.dato <= as_of:
            if m.dato > m.frist:
                notes.append(f"{m.id} levert {(m.dato - m.frist).days} dager etter fristen")
            continue
        if as_of > m.frist:
            late = (as_of - m.frist).days
            text = f"{m.id} ({m.tekst}) er {late} dager over fristen {m.frist.isoformat()}"
            (reasons_red if late > red_after_days else reasons_yellow).append(text)
            continue
        span = max((m.frist - o.start).days, 1)
        expected = min(1.0, max(0.0, (as_of - o.start).days / span))
        if m.fremdrift is not None and m.fremdrift / 100 < expected - 0.25:
            reasons_yellow.append(f"{m.id} har {m.fremdrift} % framdrift; forventet om lag {expected * 100:.0f} % "
                                  f"på denne datoen")
    if reasons_red:
        return Status("rod", "Svært forsinket: " + "; ".join(reasons_red + reasons_yellow) + ". Korrigering må "
                      "iverksettes.")
    if reasons_yellow:
        return Status("gul", "Forsinket: " + "; ".join(reasons_yellow) + ". Virksomheten må redegjøre for "
                      "korrigerende tiltak.")
    done = sum(1 for m in milestones if m.ferdig and m.dato is not None and m.dato <= as_of)
    tail = f" ({'; '.join(notes)})" if notes else ""
    if done == len(milestones):
        return Status("gronn", f"Alle {done} milepæler er nådd{tail}.")
    return Status("gronn", f"I rute: {done} av {len(milestones)} milepæler nådd, ingen frist er passert{tail}.")
