"""tolkeregister's events: the register's entries and state agencies' interpreter guidelines. Pseudonymous
interpreter references only; names and identity numbers never leave the service."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from shared.events.schemas import EventData, fact_spec


class TolkOppfortV1(EventData):
    """SP10: an interpreter's entry in Nasjonalt tolkeregister: the highest qualification category in the
    category scheme in force, whether it is one of the scheme's three highest, and when the entry began and
    (if it has) ended. A later event for the interpreter replaces the earlier one."""

    tolk_ref: str = Field(pattern=r"^t-[0-9a-f]{32}$", description="Pseudonymous interpreter reference.")
    kategoriordning: str = Field(pattern=r"^[0-9]{4}$", description="The category scheme (2017: categories 1–5).")
    hoyeste_kategori: str = Field(pattern=r"^[0-9A-Z]{1,3}$",
                                  description="The highest category over the interpreter's languages.")
    tre_hoyeste: bool = Field(description="The highest category is one of the scheme's three highest.")
    oppfort_dato: date
    avregistrert_dato: date | None = Field(default=None, description="Removed from the register (exclusive).")


class EtatTolkeretningslinjerV1(EventData):
    """SP11: a state agency on the list, and whether its guidelines for ordering interpreters include the
    register, for a year (the latest answer counts)."""

    etat: str = Field(pattern=r"^[0-9]{9}$", description="The agency's organisation number.")
    ar: int = Field(ge=2000, le=2100)
    tolkeretningslinjer_med_register: bool

TOLK_OPPFORT_V1 = fact_spec(
    "tolkeregister", "tolk-oppfort", TolkOppfortV1, lambda d: d.tolk_ref, "Tolk oppført i registeret",
    "SP10: an interpreter's entry in the register and highest category. Keyed by interpreter reference.",
    TolkOppfortV1(tolk_ref="t-0a1b2c3d4e5f60718293a4b5c6d7e8f9", kategoriordning="2017", hoyeste_kategori="2",
                  tre_hoyeste=True, oppfort_dato=date(2016, 3, 1)))
ETAT_TOLKERETNINGSLINJER_V1 = fact_spec(
    "tolkeregister", "etat-tolkeretningslinjer", EtatTolkeretningslinjerV1, lambda d: d.etat,
    "Statlig etats retningslinjer for tolkebruk", "SP11: whether a state agency's guidelines for ordering "
    "interpreters include the register, for a year. Keyed by organisation number.",
    EtatTolkeretningslinjerV1(etat="974760673", ar=2017, tolkeretningslinjer_med_register=True))
