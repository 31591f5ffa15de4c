"""The qualification rules as pure functions over plain data, tested without a database.

Training in Norwegian and social studies (introduksjonsloven §§ 17–19 as in force from 1 January 2017):
* Right and duty for persons aged 16–67 with a permit that gives it. Among the persons bosetting settles, all
  three categories have it: granted asylum (utlendingsloven § 28), resettlement refugees (§ 35), and family
  members reunited with them. From 1 January 2017 the duty also covers ages 55–67 (before: right only). A
  settlement event opens the right and duty in the settlement kommune, from the settlement date, when the
  settlement kommune becomes responsible for offering training within three months (§ 18; SP4).
* The duty is fulfilled by completing 600 hours, of them 50 of social studies (so 550 of Norwegian), or by
  passing the tests. It must be fulfilled within three years of the right's start (SP5). Exemption (fritak)
  takes the person out of the duty, and out of SP4 and SP5.
* Dates in order: offer and start not before the right began; fulfilment not without a start, nor before it.

The introduction programme: start ≤ planned end; end not before the start; leave and stops inside the
programme; elements and reasons from fixed lists. Jobbsjansen: a participant's period inside nothing but its
own order (start ≤ end); an ended participation has an outcome. Every rule names the field it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.dates import add_months, age_on
from shared.geo import kommuner_2017

CATEGORIES_WITH_RIGHT = frozenset({"asyl", "overforingsflyktning", "familiegjenforent"})
AGE_FROM, AGE_TO = 16, 67
DEADLINE_MONTHS = 36
HOURS_TOTAL, HOURS_SOCIAL_STUDIES = 600, 50

GRUNNLAG = ("asyl", "overforingsflyktning", "familiegjenforent", "humanitaert", "kollektiv_beskyttelse", "annet")
FRITAK_ARSAKER = ("tilstrekkelige_kunnskaper", "helse", "andre_tungtveiende_grunner")
OPPFYLT_GRUNNLAG = ("timer", "prove")
ELEMENTER = ("norsk", "samfunnskunnskap", "arbeidspraksis", "grunnskole", "videregaende", "annet")
SKOLE_ELEMENTER = frozenset({"grunnskole", "videregaende"})
AVSLUTNINGSARSAKER = ("fullfort", "overgang_arbeid", "overgang_utdanning", "flyttet", "avbrutt", "annet")
STATUS_ETT_AR = ("arbeid", "utdanning", "begge", "ingen")
AVBRUDD_TYPER = ("permisjon", "stans")
UTFALL = ("arbeid", "utdanning", "begge", "ingen", "annet")
DELER = ("A", "B", "C")


class RuleViolation(ValueError):
    """Input that breaks a rule; ``field`` names it. The message is Norwegian and holds no personal data."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def one_of(value: str | None, allowed: tuple[str, ...], field: str, what: str) -> None:
    """Refuse a value outside ``allowed``, listing the allowed values."""
    if value is not None and value not in allowed:
        raise RuleViolation(f"Ukjent {what}. Tillatte verdier: {', '.join(allowed)}.", field)


def check_kommune(kommunenummer: str, field: str = "kommunenummer") -> None:
    if kommunenummer not in kommuner_2017():
        raise RuleViolation("Kommunenummeret finnes ikke i 2017-inndelingen.", field)


def _not_before(later: date | None, earlier: date | None, field: str, message: str) -> None:
    if later is not None and earlier is not None and later < earlier:
        raise RuleViolation(message, field)


# --- training -------------------------------------------------------------------------------------------
def has_right_on_settlement(kategori: str, fodselsar: int | None, bosettingsdato: date) -> bool:
    """Whether settlement opens the right and duty: a category that has it, aged 16–67 in the settlement year
    (only the birth year travels with the event; the age is the one the person turns that year)."""
    age = age_on(bosettingsdato, None, fodselsar)
    return kategori in CATEGORIES_WITH_RIGHT and age is not None and AGE_FROM <= age <= AGE_TO


def deadline(rett_fra: date) -> date:
    """The three-year deadline: the right's start + 36 calendar months (the day clamped to the month's end)."""
    return add_months(rett_fra, DEADLINE_MONTHS)


@dataclass(frozen=True)
class Training:
    kommunenummer: str
    grunnlag: str
    rett_fra: date
    tilbud_dato: date | None = None
    start_dato: date | None = None
    timer_norsk: int = 0
    timer_samfunnskunnskap: int = 0
    fritak_arsak: str | None = None
    oppfylt_dato: date | None = None
    oppfylt_grunnlag: str | None = None


def check_training(t: Training) -> None:
    """Raise :class:`RuleViolation` for the first rule ``t`` breaks."""
    check_kommune(t.kommunenummer)
    one_of(t.grunnlag, GRUNNLAG, "grunnlag", "grunnlag for retten")
    one_of(t.fritak_arsak, FRITAK_ARSAKER, "fritak_arsak", "fritaksårsak")
    one_of(t.oppfylt_grunnlag, OPPFYLT_GRUNNLAG, "oppfylt_grunnlag", "grunnlag for oppfylt plikt")
    _not_before(t.tilbud_dato, t.rett_fra, "tilbud_dato", "Tilbudet kan ikke være gitt før retten og plikten "
                "begynte.")
    _not_before(t.start_dato, t.rett_fra, "start_dato", "Opplæringen kan ikke starte før retten og plikten "
                "begynte.")
    if t.oppfylt_dato is not None:
        if t.start_dato is None:
            raise RuleViolation("Plikten kan ikke være oppfylt uten at opplæringen har startet.", "oppfylt_dato")
        _not_before(t.oppfylt_dato, t.start_dato, "oppfylt_dato", "Plikten kan ikke være oppfylt før "
                    "opplæringen startet.")
        if t.oppfylt_grunnlag is None:
            raise RuleViolation("Oppgi om plikten er oppfylt med timer eller bestått prøve.", "oppfylt_grunnlag")
        if t.oppfylt_grunnlag == "timer" and (
                t.timer_samfunnskunnskap < HOURS_SOCIAL_STUDIES
                or t.timer_norsk + t.timer_samfunnskunnskap < HOURS_TOTAL):
            raise RuleViolation(f"Plikten oppfylles med timer først etter {HOURS_TOTAL} timer, hvorav "
                                f"{HOURS_SOCIAL_STUDIES} i samfunnskunnskap.", "timer_norsk")
    elif t.oppfylt_grunnlag is not None:
        raise RuleViolation("Oppgi datoen plikten ble oppfylt.", "oppfylt_dato")
    if t.fritak_arsak is not None and t.oppfylt_dato is not None:
        raise RuleViolation("En person med fritak kan ikke samtidig ha oppfylt plikten.", "fritak_arsak")


# --- the introduction programme ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Interruption:
    type: str
    fra: date
    til: date | None


@dataclass(frozen=True)
class Programme:
    kommunenummer: str
    kategori: str
    start_dato: date
    planlagt_slutt: date
    elementer: tuple[str, ...] = ()
    avbrudd: tuple[Interruption, ...] = ()
    avsluttet_dato: date | None = None
    avslutningsarsak: str | None = None
    status_ett_ar_etter: str | None = None


def check_programme(p: Programme) -> None:
    check_kommune(p.kommunenummer)
    for element in p.elementer:
        one_of(element, ELEMENTER, "elementer", "programelement")
    one_of(p.avslutningsarsak, AVSLUTNINGSARSAKER, "avslutningsarsak", "avslutningsårsak")
    one_of(p.status_ett_ar_etter, STATUS_ETT_AR, "status_ett_ar_etter", "status ett år etter")
    _not_before(p.planlagt_slutt, p.start_dato, "planlagt_slutt", "Planlagt slutt kan ikke være før start.")
    _not_before(p.avsluttet_dato, p.start_dato, "avsluttet_dato", "Programmet kan ikke avsluttes før det "
                "startet.")
    if (p.avsluttet_dato is None) != (p.avslutningsarsak is None):
        raise RuleViolation("Avslutningsdato og avslutningsårsak oppgis sammen.", "avslutningsarsak")
    if p.status_ett_ar_etter is not None and p.avsluttet_dato is None:
        raise RuleViolation("Status ett år etter kan bare registreres for en deltaker som har avsluttet.",
                            "status_ett_ar_etter")
    for stop in p.avbrudd:
        one_of(stop.type, AVBRUDD_TYPER, "avbrudd.type", "type avbrudd")
        _not_before(stop.fra, p.start_dato, "avbrudd.fra", "Permisjon eller stans kan ikke begynne før "
                    "programmet.")
        _not_before(stop.til, stop.fra, "avbrudd.til", "Permisjon eller stans kan ikke slutte før den begynte.")
        if p.avsluttet_dato is not None and stop.fra > p.avsluttet_dato:
            raise RuleViolation("Permisjon eller stans kan ikke begynne etter at programmet er avsluttet.",
                                "avbrudd.fra")


def in_work_or_education(status: str | None) -> bool | None:
    """The register status one year after as SP8 counts it: work, education or both is a hit; unknown: None."""
    return None if status is None else status in ("arbeid", "utdanning", "begge")


def programme_years(start: date, end: date) -> range:
    """The years a participant is in the programme (from start to the end, or the planned end)."""
    return range(start.year, end.year + 1)


# --- Jobbsjansen ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Participation:
    start_dato: date
    slutt_dato: date | None = None
    utfall: str | None = None


def check_participation(p: Participation) -> None:
    one_of(p.utfall, UTFALL, "utfall", "utfall")
    _not_before(p.slutt_dato, p.start_dato, "slutt_dato", "Deltakelsen kan ikke slutte før den startet.")
    if p.slutt_dato is not None and p.utfall is None:
        raise RuleViolation("Oppgi utfallet for en deltaker som har sluttet.", "utfall")
    if p.utfall is not None and p.slutt_dato is None:
        raise RuleViolation("Utfall kan bare registreres når deltakelsen er avsluttet.", "slutt_dato")


def directly_to_work_or_education(utfall: str) -> bool:
    return utfall in ("arbeid", "utdanning", "begge")


def check_project(del_: str, eiertype: str, eier: str, fra: date, til: date) -> None:
    one_of(del_, DELER, "del", "del av Jobbsjansen")
    one_of(eiertype, ("kommune", "fylkeskommune"), "eiertype", "eiertype")
    if eiertype == "kommune":
        check_kommune(eier, "eier")
    elif eier not in {k.fylkesnummer for k in kommuner_2017().values()}:
        raise RuleViolation("Fylkesnummeret finnes ikke i 2017-inndelingen.", "eier")
    if del_ == "B" and eiertype != "fylkeskommune":
        raise RuleViolation("Jobbsjansen del B drives av fylkeskommuner.", "eiertype")
    _not_before(til, fra, "periode_til", "Prosjektperioden kan ikke slutte før den begynner.")


# --- integration reception centres (O7) -------------------------------------------------------------------
OFFER_DAYS = 14


def offer_deadline(ankomst: date) -> date:
    """A full-time individually adapted programme is to be offered within two weeks of arrival (O7)."""
    return ankomst + timedelta(days=OFFER_DAYS)


def check_resident(ankomst: date, tilbud: date | None) -> None:
    _not_before(tilbud, ankomst, "tilbud_dato", "Tilbudet kan ikke være gitt før ankomst til mottaket.")


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


# --- competence self-registration (O5/O6) -------------------------------------------------------------------
FORMAL = ("kartlegging", "karriereveiledning", "bosetting", "kvalifisering")
UTDANNING = ("ingen", "grunnskole", "videregaende", "hoyere", "ukjent")


def check_registration(formal: tuple[str, ...], utdanning: str | None, registrert: date, tilbudt: date | None,
                       gjennomfort: date | None, samtykke: bool, kommunenummer: str | None) -> None:
    if not formal:
        raise RuleViolation(f"Oppgi minst ett formål. Tillatte verdier: {', '.join(FORMAL)}.", "formal")
    for f in formal:
        one_of(f, FORMAL, "formal", "formål")
    one_of(utdanning, UTDANNING, "utdanning", "utdanningsnivå")
    _not_before(tilbudt, registrert, "karriereveiledning_tilbudt", "Karriereveiledning kan ikke være tilbudt før "
                "registreringen.")
    if gjennomfort is not None and tilbudt is None:
        raise RuleViolation("Karriereveiledning kan ikke være gjennomført uten å være tilbudt.",
                            "karriereveiledning_gjennomfort")
    _not_before(gjennomfort, tilbudt, "karriereveiledning_gjennomfort", "Karriereveiledningen kan ikke være "
                "gjennomført før den ble tilbudt.")
    if kommunenummer is not None:
        check_kommune(kommunenummer)
        if not samtykke:
            raise RuleViolation("Opplysningene kan bare deles med en kommune når personen har samtykket.",
                                "samtykke_deling")
