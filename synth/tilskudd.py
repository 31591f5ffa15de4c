"""tilskudd's part of the synthetic year: the 2017 grant flows IMDi handles as applications and decisions.

The letter (section 3.3.5) says IMDi administers 18 sets of grant rules in 2017; ``ORDNINGER`` holds one scheme
for each, on the frame lines of section 5 (kap. 496 posts 60, 62, 70, 71, 72, 73 and kap. 497 post 60; a scheme on
a post with bindings sits on its binding). What tilskudd derives itself is left out: integreringstilskudd and the
EM grant (496.60 and 496.61) follow from bosetting's settlement events, so the only scheme on post 60 is the one
municipalities apply to (settling persons with disabilities or behavioural problems, which O2 reviews).

Each scheme has a pot (its part of the frame line, whole kroner; ``tests/unit/test_synth_tilskudd.py`` checks the
pots against tilskudd's budget file) and a utilisation: the granted amounts are the pot × utilisation split over
the granted applications (log-normal weights; largest remainder, so they add up exactly). Applicants are
municipalities of 2017 (the Zipf-like distribution of ``synth.core``; kap. 497 post 60 goes to every municipality
by its weight, without application), Oslo kommune where the letter names it, organisations with made-up valid
organisation numbers, and for Jobbsjansen the projects kvalifisering's file runs (their ``tilskudd_ref`` is the
decision's ``ekstern_id``; part B's county authorities as organisations). Some applications are refused, some
granted in part. No personal data: the recipients are municipalities and organisations.

Money moves as tilskudd's rules allow: decisions in 2017 within their line's room, disbursed in instalments on or
after the decision (some keep a last part until the final report in 2018, so it is committed, not paid, at year
end), a few repayments (never more than was paid), cancellations of the unpaid rest, and corrections (a decision
cancelled before any payment and replaced by a smaller one, in the corrections files, loaded after the
cancellations so the room the cancellation frees is there). Utilisation per post, counted as tilskudd counts
(committed = decisions − cancellations − repayments; disbursed = payments − repayments): 496.62, 496.70, 496.72
and 497.60 at 97–100 % (green in rapportering's budget section, ±5 %), 496.71 ~90 % (yellow), 496.73 ~74 %
(red: integration reception centres were slow to start).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from math import ceil
from pathlib import Path

from synth.core import KOMMUNER, YEAR, NdjsonWriter, apportion, organisation_number, scaled

ORG_BASE = 91_300_000  # organisation numbers apart from tolkeregister's agencies
OSLO = "0301"
YEAR_START, YEAR_END = date(YEAR, 1, 1), date(YEAR, 12, 31)
LAST_PAYMENT = date(YEAR, 12, 20)
CHANGES = frozenset({"tilbakebetaling", "annullering", "korreksjon"})
SHARES = {"tilbakebetaling": 0.03, "annullering": 0.02, "korreksjon": 0.015}  # of the decisions that may have one


@dataclass(frozen=True)
class Ordning:
    """A grant scheme: its line in the frame, its pot and how the year goes on it."""

    id: str
    navn: str
    kapittel: int
    post: str
    binding: str | None
    pott: int  # whole kroner of the line this scheme may commit
    andel: float  # share of the pot granted
    mottaker: str  # oslo | kommune | alle_kommuner | organisasjon | jobbsjansen
    soknader: int  # applications at scale 1
    avslag: float = 0.0
    delvis: float = 0.0
    vindu: tuple[date, date] | None = None
    rater: int = 1  # instalments in 2017
    holdback: float = 0.0  # share paid after the final report in 2018 (committed, not paid in 2017)
    endringer: frozenset[str] = field(default_factory=frozenset)
    kommuner: tuple[str, ...] = ()  # the municipalities granted, in turn, where they are known

    @property
    def mottakere(self) -> str:
        return {"oslo": "kommune", "kommune": "kommune", "alle_kommuner": "kommune", "organisasjon": "organisasjon",
                "jobbsjansen": "begge"}[self.mottaker]

    @property
    def line_id(self) -> str:
        return f"{self.kapittel}.{self.post}" + (f"/{self.binding}" if self.binding else "")


def _d(month: int, day: int, year: int = YEAR) -> date:
    return date(year, month, day)


# The five municipalities with an integration reception centre in 2017: Steinkjer, Larvik, Bodø, Kristiansand and
# Oslo (JD's press release on the 2017 budget, regjeringen.no, 6 October 2016).
INTEGRERINGSMOTTAK = ("1702", "0709", "1804", "1001", "0301")

ORDNINGER = (
    Ordning("nedsatt-funksjonsevne", "Tilskudd ved bosetting av personer med nedsatt funksjonsevne og/eller "
            "atferdsvansker", 496, "60", None, 240_000_000, 0.96, "kommune", 450, avslag=0.12, delvis=0.25,
            vindu=(_d(1, 1), _d(12, 15)), endringer=CHANGES),
    Ordning("gronland", "Strakstiltak på Grønland", 496, "62", "gronland-oslo", 4_000_000, 1.0, "oslo", 1,
            vindu=(_d(1, 2), _d(3, 31)), rater=2),
    Ordning("grip-sjansen", "«Grip Sjansen» (Grønlandssatsingen)", 496, "62", "grip-sjansen", 2_850_000, 1.0, "oslo",
            1, rater=2),
    Ordning("kjernetid-sondre-nordstrand", "Gratis kjernetid i barnehage, bydel Søndre Nordstrand", 496, "62",
            "kjernetid-sondre-nordstrand", 8_200_000, 1.0, "oslo", 1, rater=2),
    Ordning("sfo-oslo-sor", "Forsøk med gratis deltids SFO (Oslo Sør)", 496, "62", "sfo-oslo-sor", 2_200_000, 1.0,
            "oslo", 1),
    Ordning("indre-oslo-ost", "Områdesatsing i indre Oslo øst", 496, "62", "indre-oslo-ost", 1_850_000, 1.0, "oslo",
            1),
    Ordning("jobbsjansen", "Jobbsjansen (del A, B og C)", 496, "62", "jobbsjansen", 100_000_000, 0.985,
            "jobbsjansen", 60, avslag=0.25, vindu=(_d(9, 1, YEAR - 1), _d(11, 15, YEAR - 1)), rater=2,
            holdback=0.1),
    Ordning("utviklingsmidler", "Kommunale utviklingsmidler (KUM)", 496, "62", "utviklingsmidler", 35_200_000,
            0.975, "kommune", 120, avslag=0.35, delvis=0.3, vindu=(_d(1, 15), _d(3, 1)), rater=2, holdback=0.1,
            endringer=CHANGES),
    Ordning("etablerersentre", "Regionale etablerersentre for innvandrere", 496, "62", "etablerersentre", 6_370_000,
            0.97, "organisasjon", 12, avslag=0.15, vindu=(_d(1, 10), _d(2, 28)), rater=2,
            endringer=frozenset({"tilbakebetaling"})),
    Ordning("bosetting-oppfolging", "Bosettingsordningen og integreringstilskudd, oppfølging", 496, "70", None,
            2_104_000, 1.0, "organisasjon", 1, rater=2),
    Ordning("frivillig-lokal", "Lokale innvandrerorganisasjoner og frivillig virksomhet (via kommunene)", 496, "71",
            None, 40_000_000, 0.93, "kommune", 60, avslag=0.05, vindu=(_d(1, 1), _d(2, 1)),
            endringer=frozenset({"tilbakebetaling"})),
    Ordning("nasjonale-ressursmiljoer", "Nasjonale ressursmiljøer på integreringsfeltet", 496, "71", None,
            25_000_000, 0.95, "organisasjon", 30, avslag=0.2, vindu=(_d(11, 1, YEAR - 1), _d(12, 15, YEAR - 1)),
            rater=2, endringer=CHANGES),
    Ordning("frivillig-informasjon", "Frivillige organisasjoners informasjons- og veiledningsarbeid", 496, "71",
            None, 20_460_000, 0.85, "organisasjon", 150, avslag=0.4, delvis=0.4, vindu=(_d(2, 1), _d(4, 1)),
            endringer=frozenset({"tilbakebetaling", "korreksjon"})),
    Ordning("statsautorisasjon-tolk", "Statsautorisasjonsordningen for tolker", 496, "72", None, 2_649_000, 1.0,
            "organisasjon", 1, rater=2),
    Ordning("integreringsmottak", "Kvalifiseringstiltak i integreringsmottak", 496, "73", "integreringsmottak",
            10_000_000, 0.70, "kommune", 7, avslag=0.25, vindu=(_d(3, 1), _d(9, 30)), rater=2, holdback=0.1,
            kommuner=INTEGRERINGSMOTTAK),
    Ordning("mentor-trainee", "Mentor- og traineeordninger for personer med innvandrerbakgrunn", 496, "73",
            "mentor-trainee", 4_085_000, 0.85, "organisasjon", 25, avslag=0.4, delvis=0.3,
            vindu=(_d(2, 15), _d(4, 15)), rater=2, endringer=CHANGES),
    Ordning("norsk-samfunnskunnskap", "Opplæring i norsk og samfunnskunnskap for voksne innvandrere (person- og "
            "grunntilskudd)", 497, "60", None, 2_220_000_000, 0.99, "alle_kommuner", 426, rater=4),
    Ordning("norsk-asylmottak", "Norskopplæring for beboere i asylmottak", 497, "60", None, 83_003_000, 0.90,
            "kommune", 140, avslag=0.05, vindu=(_d(1, 1), _d(11, 30)), rater=2,
            endringer=frozenset({"tilbakebetaling", "annullering"})),
)

VILKAR = "Rapport og regnskap innen 1. mars 2018; ubrukte midler betales tilbake."


def kroner(ore: int) -> str:
    return f"{ore // 100}.{ore % 100:02d}"


@dataclass(slots=True)
class Decision:
    """One decision (tilsagn) and what happens to it in 2017, in øre."""

    ekstern_id: str
    ordning: Ordning
    mottaker: dict
    belop: int
    dato: date
    payments: list[tuple[date, int]] = field(default_factory=list)
    repayment: tuple[date, int] | None = None
    cancelled: date | None = None
    corrected: Decision | None = None  # the replacing decision

    def row(self) -> dict:
        return {"ekstern_id": self.ekstern_id, "ordning": self.ordning.id, **self.mottaker,
                "belop": kroner(self.belop), "vilkar": VILKAR, "dato": self.dato.isoformat(),
                "periode_fra": self.dato.isoformat(), "periode_til": YEAR_END.isoformat()}

    def payment_rows(self) -> list[dict]:
        rows = [{"ekstern_id": f"{self.ekstern_id}-U{i}", "tilsagn_ekstern_id": self.ekstern_id,
                 "type": "utbetaling", "belop": kroner(amount), "dato": day.isoformat()}
                for i, (day, amount) in enumerate(self.payments, start=1)]
        if self.repayment:
            day, amount = self.repayment
            rows.append({"ekstern_id": f"{self.ekstern_id}-T1", "tilsagn_ekstern_id": self.ekstern_id,
                         "type": "tilbakebetaling", "belop": kroner(amount), "dato": day.isoformat()})
        return rows


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def _schedule(rng: random.Random, scheme: Ordning, amount: int, decided: date) -> list[tuple[date, int]]:
    """The instalments paid in 2017: the first 1–4 weeks after the decision, the rest spread to December;
    ``holdback`` of the amount waits for 2018. Whole kroner, none empty."""
    paid_kr = round(amount // 100 * (1 - scheme.holdback))
    parts = [p for p in apportion(paid_kr, [1.0] * scheme.rater) if p > 0]
    first = min(decided + timedelta(days=rng.randint(7, 30)), LAST_PAYMENT)
    step = (LAST_PAYMENT - first).days // max(1, len(parts))
    return [(first + timedelta(days=i * step), p * 100) for i, p in enumerate(parts)]


class Applicants:
    """Who applies: municipalities by the Zipf-like weights, Oslo, organisations (made-up numbers), and the
    Jobbsjansen projects kvalifisering's file runs."""

    def __init__(self, rng: random.Random, out: Path) -> None:
        self.rng = rng
        self.orgs = 0
        self.projects = _jobbsjansen_projects(out)

    def organisation(self) -> dict:
        self.orgs += 1
        return {"organisasjonsnummer": organisation_number(self.orgs, ORG_BASE)}

    def kommune(self) -> dict:
        return {"kommunenummer": KOMMUNER.pick(self.rng)}

    def weights(self, scheme: Ordning, count: int) -> list[float]:
        """The weight of each granted application's amount: a municipality's size for the training grant, else
        log-normal."""
        if scheme.mottaker == "alle_kommuner":
            return [KOMMUNER.weights[i % len(KOMMUNER.ranked)] + 0.002 for i in range(count)]
        return [self.rng.lognormvariate(0, 0.4 if scheme.mottaker == "jobbsjansen" else 0.6) for _ in range(count)]

    def granted(self, scheme: Ordning, i: int) -> tuple[dict, str | None]:
        """The ``i``-th granted applicant of the scheme, and the decision's ``ekstern_id`` if it is given."""
        if scheme.mottaker == "alle_kommuner":
            return {"kommunenummer": KOMMUNER.ranked[i % len(KOMMUNER.ranked)]}, None
        if scheme.mottaker == "jobbsjansen" and self.projects:
            return self.projects[i]
        if scheme.mottaker == "oslo":
            return {"kommunenummer": OSLO}, None
        if scheme.kommuner:
            return {"kommunenummer": scheme.kommuner[i % len(scheme.kommuner)]}, None
        return (self.organisation() if scheme.mottaker == "organisasjon" else self.kommune()), None


def _jobbsjansen_projects(out: Path) -> list[tuple[dict, str]]:
    """(owner as a recipient, tilskudd_ref) of the projects in kvalifisering's file, if it was written."""
    path = out / "kvalifisering" / "jobbsjansen_prosjekter.ndjson"
    if not path.exists():
        return []
    projects = []
    for line in path.read_text(encoding="utf-8").splitlines():
        p = json.loads(line)
        owner = {"kommunenummer": p["eier"]} if p["eiertype"] == "kommune" else {
            "organisasjonsnummer": organisation_number(int(p["eier"]), 98_900_000)}  # the county authority
        projects.append((owner, p["tilskudd_ref"]))
    return projects


def _applied(rng: random.Random, granted: int, partly: bool) -> int:
    """What was applied for: the amount granted, or for a partly granted application more, in whole thousands."""
    return granted if not partly else ceil(granted / rng.uniform(0.45, 0.85) / 100_000) * 100_000


def counts(scheme: Ordning, scale: float, applicants: Applicants) -> tuple[int, int]:
    """(granted, refused) applications of the scheme at ``scale``; Jobbsjansen grants kvalifisering's projects."""
    total = scaled(scheme.soknader, scale)
    if scheme.mottaker == "jobbsjansen" and applicants.projects:
        granted = len(applicants.projects)
        return granted, round(granted * scheme.avslag / (1 - scheme.avslag))
    refused = 0 if total == 1 or scheme.mottaker == "alle_kommuner" else round(total * scheme.avslag)
    return total - refused, refused


def scheme_year(rng: random.Random, scheme: Ordning, granted_count: int, refused: int, applicants: Applicants,
                applications: NdjsonWriter) -> Iterator[Decision]:
    """The scheme's decisions, one at a time; its applications (granted, partly granted, refused) are written as
    they are made."""
    amounts = apportion(round(scheme.pott * scheme.andel), applicants.weights(scheme, granted_count), minimum=1)
    for i, amount_kr in enumerate(amounts):
        recipient, ref = applicants.granted(scheme, i)
        received, decided = _dates(rng, scheme)
        decision = Decision(ref or f"SYN-TS-{scheme.id}-{i}", scheme, recipient, amount_kr * 100, decided)
        decision.payments = _schedule(rng, scheme, decision.belop, decided)
        if received is not None:
            partly = i > 0 and rng.random() < scheme.delvis
            applications.write(_application(scheme, recipient, _applied(rng, decision.belop, partly), received,
                                            "delvis" if partly else "innvilget", decision.ekstern_id))
        yield decision
    typical = max(100_000, sum(amounts) * 100 // max(1, len(amounts)))
    for j in range(refused):
        received, _ = _dates(rng, scheme)
        who = applicants.organisation() if scheme.mottakere == "organisasjon" else applicants.kommune()
        amount = max(1, round(typical * rng.uniform(0.5, 1.5) / 100_000)) * 100_000
        applications.write({**_application(scheme, who, amount, received, "avslatt", None),
                            "ekstern_id": f"SYN-SO-{scheme.id}-{j}"})


def _dates(rng: random.Random, scheme: Ordning) -> tuple[date | None, date]:
    """(received, decided): received in the scheme's window (none for a grant without application), decided
    two to eight weeks later, in 2017."""
    if scheme.mottaker == "alle_kommuner":
        return None, date(YEAR, 1, 16)
    start, end = scheme.vindu or (date(YEAR, 1, 2), date(YEAR, 11, 15))
    received = _day(rng, start, end)
    decided = max(received + timedelta(days=rng.randint(14, 56)), date(YEAR, 1, 9))
    return received, min(decided, date(YEAR, 12, 15))


def _application(scheme: Ordning, recipient: dict, amount: int, received: date, outcome: str,
                 decision: str | None) -> dict:
    return {"ordning": scheme.id, **recipient, "belop": kroner(amount), "mottatt": received.isoformat(),
            "utfall": outcome, "tilsagn_ekstern_id": decision}


# --- what happens to decisions after they are made ---------------------------------------------------------
def choose_changes(rng: random.Random, plan: list[tuple[Ordning, int, int]]) -> dict[int, str]:
    """Which decisions (by their place in the year's order) get a repayment, a cancellation or a correction: a
    share of those whose scheme allows the change (a cancellation needs instalments left to cancel), at least one
    of each kind so a small scale has them too, at most one per decision. Chosen before the decisions are made,
    so they can be written as they are made."""
    chosen: dict[int, str] = {}
    for kind, share in SHARES.items():
        eligible, start = [], 0
        for scheme, granted, _ in plan:
            if kind in scheme.endringer and (kind != "annullering" or scheme.rater >= 2):
                eligible += [i for i in range(start, start + granted) if i not in chosen]
            start += granted
        for i in rng.sample(eligible, min(len(eligible), max(1, round(share * len(eligible))))):
            chosen[i] = kind
    return chosen


def _repay(rng: random.Random, d: Decision) -> None:
    paid = sum(a for _, a in d.payments)
    last = d.payments[-1][0]
    amount = max(100, round(paid * rng.uniform(0.05, 0.3) / 100) * 100)
    d.repayment = (min(last + timedelta(days=rng.randint(30, 120)), date(YEAR, 12, 28)), min(amount, paid))


def _cancel(rng: random.Random, d: Decision) -> None:
    """The project stopped: only the first instalment was paid; the unpaid rest is cancelled."""
    if len(d.payments) < 2:
        return  # nothing would be left to cancel
    d.payments = d.payments[:1]
    d.cancelled = min(d.payments[0][0] + timedelta(days=rng.randint(20, 90)), date(YEAR, 12, 28))


def _correct(rng: random.Random, d: Decision) -> None:
    """The decision was too large: cancelled before any payment, replaced by a smaller one."""
    day = max(d.dato, min(d.dato + timedelta(days=rng.randint(10, 40)), date(YEAR, 12, 10)))
    d.payments, d.cancelled = [], day
    amount = max(100, round(d.belop * rng.uniform(0.75, 0.97) / 100) * 100)
    d.corrected = Decision(f"{d.ekstern_id}-K", d.ordning, d.mottaker, amount, day)
    d.corrected.payments = _schedule(rng, d.ordning, amount, day)


CHANGE = {"tilbakebetaling": _repay, "annullering": _cancel, "korreksjon": _correct}


# --- the expected figures ----------------------------------------------------------------------------------
class Expected:
    """Per post and binding, as tilskudd counts them at 31.12: committed (decisions less cancellations and
    repayments) and disbursed (payments less repayments), in øre."""

    def __init__(self) -> None:
        self.figures: dict[str, dict[str, int]] = defaultdict(lambda: {"forpliktet_ore": 0, "utbetalt_ore": 0})

    def add(self, d: Decision) -> None:
        paid = sum(a for _, a in d.payments)
        repaid = d.repayment[1] if d.repayment else 0
        committed = (paid if d.cancelled else d.belop) - repaid
        lines = [f"{d.ordning.kapittel}.{d.ordning.post}"] + ([d.ordning.line_id] if d.ordning.binding else [])
        for line in lines:
            self.figures[line]["forpliktet_ore"] += committed
            self.figures[line]["utbetalt_ore"] += paid - repaid

    def result(self) -> dict[str, dict[str, int]]:
        return {k: self.figures[k] for k in sorted(self.figures)}


# --- files -------------------------------------------------------------------------------------------------
FILES = {"ordninger": "tilskudd/ordninger.ndjson", "soknader": "tilskudd/soknader.ndjson",
         "tilsagn": "tilskudd/tilsagn.ndjson", "utbetalinger": "tilskudd/utbetalinger.ndjson",
         "annulleringer": "tilskudd/annulleringer.ndjson",
         "tilsagn_korreksjoner": "tilskudd/tilsagn_korreksjoner.ndjson",
         "utbetalinger_korreksjoner": "tilskudd/utbetalinger_korreksjoner.ndjson"}


def scheme_row(scheme: Ordning) -> dict:
    """The body of ``PUT /api/v1/ordninger/{id}``, with the id."""
    start, end = scheme.vindu or (None, None)
    return {"id": scheme.id, "navn": scheme.navn, "ar": YEAR, "kapittel": scheme.kapittel, "post": scheme.post,
            "binding": scheme.binding, "regelverk": f"Regelverk for {scheme.navn[0].lower()}{scheme.navn[1:]} "
            f"({YEAR}), kap. {scheme.kapittel} post {scheme.post}.", "mottakere": scheme.mottakere,
            "soknad_fra": start and start.isoformat(), "soknad_til": end and end.isoformat()}


def generate(*, rng: random.Random, scale: float, out: Path) -> dict:
    """Write the files, each decision with its payments and changes as it is made (memory stays flat)."""
    applicants = Applicants(rng, out)
    plan = [(scheme, *counts(scheme, scale, applicants)) for scheme in ORDNINGER]
    chosen = choose_changes(rng, plan)
    expected, repayments, index = Expected(), 0, 0
    with ExitStack() as stack:
        files = {name: stack.enter_context(NdjsonWriter(out / relative)) for name, relative in FILES.items()}
        for scheme in ORDNINGER:
            files["ordninger"].write(scheme_row(scheme))
        for scheme, granted, refused in plan:
            for d in scheme_year(rng, scheme, granted, refused, applicants, files["soknader"]):
                if index in chosen:
                    CHANGE[chosen[index]](rng, d)
                index += 1
                _write_decision(files, d)
                for made in (d, d.corrected) if d.corrected else (d,):
                    expected.add(made)
                    repayments += made.repayment is not None
    return {"files": dict(FILES), "rows": {name: writer.rows for name, writer in files.items()},
            "avslag": sum(refused for _, _, refused in plan), "tilbakebetalinger": repayments,
            "expected": expected.result(),
            "expected_merknad": "Per post og binding per 31.12: forpliktet og utbetalt av tilsagnene i filene (øre). "
                                "Post 60 og 61 får i tillegg rettighetene tilskudd selv utleder av bosettingene."}


def _write_decision(files: dict[str, NdjsonWriter], d: Decision) -> None:
    files["tilsagn"].write(d.row())
    for row in d.payment_rows():
        files["utbetalinger"].write(row)
    if d.cancelled:
        files["annulleringer"].write({"tilsagn_ekstern_id": d.ekstern_id, "dato": d.cancelled.isoformat()})
    if d.corrected:
        files["tilsagn_korreksjoner"].write(d.corrected.row())
        for row in d.corrected.payment_rows():
            files["utbetalinger_korreksjoner"].write(row)
