"""The settlement process's rules, as pure functions on a case: stages, groups and the events they give.

vedtak → klar → utvalgt → akseptert → bosatt, or avsluttet (selvbosatt etter avtale med kommune, selvbosatt
uten avtale, trukket, utreist) before bosatt; settling oneself by agreement counts as settled.
A case moves forward only; a stage may be skipped (a case-handling system may not record every step).
A new proposal (utvalgt) may replace one that was not accepted. A settlement may be corrected (date or
kommune): rapportering then replaces the earlier one. Dates never precede the decision or earlier stages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bosetting.models import Sak
from shared.dates import age_on
from shared.events import schemas as ev
from shared.pseudonym import family_ref

ORDER = {"vedtak": 0, "klar": 1, "utvalgt": 2, "akseptert": 3, "bosatt": 4, "avsluttet": 4}
STAGE_NAMES = {"vedtak": "vedtak", "klar": "klar for bosetting", "utvalgt": "utvalgt",
               "akseptert": "akseptert", "bosatt": "bosatt", "avsluttet": "avsluttet"}


class RuleViolation(ValueError):
    """A change the process does not allow; ``field`` names the input it concerns."""

    def __init__(self, message: str, field: str = "stadium") -> None:
        super().__init__(message)
        self.field = field


def em_aldersgruppe(sak: Sak) -> str | None:
    """EM under 15 are settled from Bufetat's care centres, 15–18 from UDI's reception centres."""
    if not sak.enslig_mindrearig:
        return None
    age = age_on(sak.vedtaksdato, sak.fodselsdato, sak.fodselsar)
    return None if age is None else ("under_15" if age < 15 else "15_18")


def tilskuddsgruppe(sak: Sak) -> str | None:
    """Integreringstilskudd year one differs for single adults, adults, children and EM."""
    if sak.enslig_mindrearig:
        return "enslig_mindrearig"
    age = age_on(sak.bosettingsdato or sak.vedtaksdato, sak.fodselsdato, sak.fodselsar)
    if age is None:
        return None
    if age < 18:
        return "barn"
    return "enslig_voksen" if sak.familie_id is None else "voksen"


def birth_year(sak: Sak) -> int | None:
    return sak.fodselsdato.year if sak.fodselsdato else sak.fodselsar


def group(sak: Sak, pseudonym_key: str) -> dict:
    return {
        "person_ref": sak.person_ref, "kjonn": sak.kjonn, "fodselsar": birth_year(sak), "kategori": sak.kategori,
        "enslig_mindrearig": sak.enslig_mindrearig, "em_aldersgruppe": em_aldersgruppe(sak),
        "nedsatt_funksjonsevne": sak.nedsatt_funksjonsevne,
        "familie_ref": family_ref(pseudonym_key, sak.familie_id) if sak.familie_id else None,
        "vedtaksdato": sak.vedtaksdato,
    }


def last_date(sak: Sak) -> date:
    return max(d for d in (sak.vedtaksdato, sak.klar_dato, sak.utvalgt_dato, sak.akseptert_dato) if d is not None)


@dataclass(frozen=True)
class Change:
    """One stage change: ``stadium`` with its date, and the municipality or reason where the stage has one."""

    stadium: str
    dato: date
    kommunenummer: str | None = None
    arsak: str | None = None


def apply(sak: Sak, change: Change, pseudonym_key: str) -> ev.EventData:
    """Apply ``change`` to ``sak`` (mutating it) and return the event that records it."""
    current = sak.status
    if current == "avsluttet":
        raise RuleViolation("Saken er avsluttet og kan ikke endres.")
    if change.dato < sak.vedtaksdato:
        raise RuleViolation(f"Datoen for {STAGE_NAMES[change.stadium]} kan ikke være før vedtaksdato.", "dato")
    correction = current == "bosatt" and change.stadium == "bosatt"
    repeat_proposal = current == "utvalgt" and change.stadium == "utvalgt"
    if current == "bosatt" and not correction:
        raise RuleViolation("Saken er bosatt; bare bosettingen kan korrigeres.")
    if not correction and not repeat_proposal and ORDER[change.stadium] <= ORDER[current]:
        raise RuleViolation(f"Saken er {STAGE_NAMES[current]}; den kan ikke gå tilbake til "
                            f"{STAGE_NAMES[change.stadium]}.")
    floor = sak.vedtaksdato if correction else last_date(sak)
    if repeat_proposal:
        floor = max(d for d in (sak.vedtaksdato, sak.klar_dato) if d is not None)
    if change.dato < floor:
        raise RuleViolation(f"Datoen for {STAGE_NAMES[change.stadium]} kan ikke være før forrige stadium "
                            f"({floor.isoformat()}).", "dato")
    g = group(sak, pseudonym_key)
    if change.stadium == "klar":
        sak.klar_dato = change.dato
        event = ev.PersonKlarV1(**g, klar_dato=change.dato)
    elif change.stadium == "utvalgt":
        _need_kommune(change)
        sak.utvalgt_dato, sak.utvalgt_kommune = change.dato, change.kommunenummer
        event = ev.PersonUtvalgtV1(**g, utvalgt_dato=change.dato, kommunenummer=change.kommunenummer)
    elif change.stadium == "akseptert":
        if current != "utvalgt":
            raise RuleViolation("Bare en utvalgt person kan aksepteres.")
        kommune = change.kommunenummer or sak.utvalgt_kommune
        if kommune != sak.utvalgt_kommune:
            raise RuleViolation("Bare kommunen personen er utvalgt til, kan akseptere.", "kommunenummer")
        sak.akseptert_dato = change.dato
        event = ev.PersonAkseptertV1(**g, akseptert_dato=change.dato, kommunenummer=kommune)
    elif change.stadium == "bosatt":
        _need_kommune(change)
        if current == "akseptert" and change.kommunenummer != sak.utvalgt_kommune:
            raise RuleViolation("Personen er akseptert av en annen kommune.", "kommunenummer")
        if current == "utvalgt" and change.kommunenummer != sak.utvalgt_kommune:
            raise RuleViolation("Personen er utvalgt til en annen kommune; registrer et nytt forslag først.",
                                "kommunenummer")
        sak.bosettingsdato, sak.kommunenummer = change.dato, change.kommunenummer
        event = settlement_event(sak, pseudonym_key)
    elif change.stadium == "avsluttet":
        event = _close(sak, change, pseudonym_key, g)
    else:  # pragma: no cover - the API's Literal forbids it
        raise RuleViolation(f"Ukjent stadium {change.stadium}.")
    sak.status = change.stadium
    return event


def _close(sak: Sak, change: Change, pseudonym_key: str, g: dict) -> ev.EventData:
    """Closing a case. Settling oneself by agreement with a municipality is a settlement by the scheme: the
    agreement's date and kommune are the settlement's, and the event is ``person-bosatt``. Without an
    agreement (or withdrawn, left the country) the case closes unsettled."""
    if change.arsak not in CLOSING_REASONS:
        raise RuleViolation("Årsak må være selvbosatt_etter_avtale, selvbosatt, trukket eller utreist.", "arsak")
    self_settled = change.arsak in ("selvbosatt", "selvbosatt_etter_avtale")
    if self_settled:
        _need_kommune(change)
    sak.avsluttet_dato, sak.avslutningsarsak = change.dato, change.arsak
    sak.kommunenummer = change.kommunenummer if self_settled else None
    if change.arsak == "selvbosatt_etter_avtale":
        sak.bosettingsdato = change.dato
        return settlement_event(sak, pseudonym_key)
    return ev.SakAvsluttetV1(**g, avsluttet_dato=change.dato, arsak=change.arsak, kommunenummer=sak.kommunenummer)


CLOSING_REASONS = ("selvbosatt_etter_avtale", "selvbosatt", "trukket", "utreist")


class NotPermitted(Exception):
    """A change the principal may not make (answered with 403)."""


def check_municipality_change(kommunenummer: str, sak: Sak, change: Change) -> None:
    """A municipality accepts and settles, in its own kommune, the persons proposed to it. Proposing, closing
    and moving a case to (or from) another municipality are IMDi's. Raises :class:`NotPermitted`."""
    if change.stadium not in ("akseptert", "bosatt") or sak.utvalgt_kommune != kommunenummer:
        raise NotPermitted("Kommunen kan bare akseptere og bosette personer som er utvalgt til den.")
    if change.kommunenummer not in (None, kommunenummer) or sak.kommunenummer not in (None, kommunenummer):
        raise NotPermitted("Kommunen kan bare bosette i egen kommune; å flytte en sak til en annen kommune er "
                           "IMDis oppgave.")


FAMILY_STAGES = ("utvalgt", "akseptert", "bosatt")


def family_kommune(sak: Sak) -> str | None:
    """The municipality a case is proposed to (utvalgt, akseptert) or settled in (bosatt); None before that."""
    if sak.status not in FAMILY_STAGES:
        return None
    return sak.kommunenummer if sak.status == "bosatt" else sak.utvalgt_kommune


def check_family_together(sak: Sak, others: Iterable[Sak]) -> None:
    """A family is settled together: no member may be proposed to or settled in another municipality than
    the others (``others``: the family's other cases). Raises :class:`RuleViolation`."""
    kommune = family_kommune(sak)
    if sak.familie_id is None or kommune is None:
        return
    for other in others:
        theirs = family_kommune(other)
        if theirs is not None and theirs != kommune:
            raise RuleViolation(f"Familien skal bosettes samlet: et familiemedlem er allerede "
                                f"{STAGE_NAMES[other.status]} i kommune {theirs}.", "kommunenummer")


def _need_kommune(change: Change) -> None:
    if not change.kommunenummer:
        raise RuleViolation("Kommunenummer må oppgis.", "kommunenummer")


def changes_to(sak_dates: dict, current: Sak | None) -> list[Change]:
    """The stage changes that bring a case (or a new one, ``current`` None) to a snapshot of its dates.

    Used by the import: a row is the full state of a case in the source system.
    """
    wanted = []
    if sak_dates.get("klar_dato"):
        wanted.append(Change("klar", sak_dates["klar_dato"]))
    if sak_dates.get("utvalgt_dato"):
        wanted.append(Change("utvalgt", sak_dates["utvalgt_dato"], sak_dates.get("utvalgt_kommune")))
    if sak_dates.get("akseptert_dato"):
        wanted.append(Change("akseptert", sak_dates["akseptert_dato"], sak_dates.get("utvalgt_kommune")))
    if sak_dates.get("bosettingsdato"):
        wanted.append(Change("bosatt", sak_dates["bosettingsdato"], sak_dates.get("kommunenummer")))
    elif sak_dates.get("avsluttet_dato"):
        wanted.append(Change("avsluttet", sak_dates["avsluttet_dato"], sak_dates.get("kommunenummer"),
                             sak_dates.get("avslutningsarsak")))
    if current is None:
        return wanted
    stored = {"klar": (current.klar_dato, None), "utvalgt": (current.utvalgt_dato, current.utvalgt_kommune),
              "akseptert": (current.akseptert_dato, current.utvalgt_kommune),
              "bosatt": (current.bosettingsdato, current.kommunenummer),
              "avsluttet": (current.avsluttet_dato, current.avslutningsarsak)}
    out = []
    for change in wanted:
        have_date, have_other = stored[change.stadium]
        if have_date is None:
            out.append(change)
            continue
        other = change.arsak if change.stadium == "avsluttet" else change.kommunenummer
        same = have_date == change.dato and (other is None or other == have_other)
        if same:
            continue
        if change.stadium == "bosatt" or (change.stadium == "utvalgt" and current.status == "utvalgt"):
            out.append(change)  # a correction of the settlement, or a new proposal
        else:
            raise RuleViolation(f"{STAGE_NAMES[change.stadium].capitalize()} er allerede registrert med en "
                                f"annen dato ({have_date.isoformat()}).", "dato")
    return out


def settlement_event(sak: Sak, pseudonym_key: str) -> ev.PersonBosattV1:
    """The settlement as it stands now (re-sent after a correction; rapportering replaces the earlier one)."""
    return ev.PersonBosattV1(**group(sak, pseudonym_key), bosettingsdato=sak.bosettingsdato,
                             kommunenummer=sak.kommunenummer, tilskuddsgruppe=tilskuddsgruppe(sak),
                             klar_dato=sak.klar_dato, utvalgt_dato=sak.utvalgt_dato,
                             akseptert_dato=sak.akseptert_dato,
                             selvbosatt_etter_avtale=sak.avslutningsarsak == "selvbosatt_etter_avtale")
