"""tilskudd's events: grant decisions, disbursements and repayments, cancellations, entitlements from settlements,
and spend and forecast per post and binding. Money is integer øre. Persons appear only by pseudonymous
reference; recipients are municipalities or organisations (organisation numbers are not personal data)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.events.schemas import EventData, PersonRef, fact_spec

Kapittel = Field(ge=400, le=999, description="Budget chapter (kap.), e.g. 496.")
Post = Field(pattern=r"^[0-9]{2}$", description="Budget post within the chapter, e.g. \"62\".")
Binding = Field(default=None, pattern=r"^[a-z0-9-]{2,40}$",
                description="The binding within the post (the letter's budsjettbinding), if any.")
Ore = Field(description="Amount in øre (1 krone = 100 øre), an integer.")


class _Line(EventData):
    ar: int = Field(ge=2000, le=2100, description="Budget year.")
    kapittel: int = Kapittel
    post: str = Post
    binding: str | None = Binding


class TilsagnGittV1(_Line):
    """A grant decision (tilsagn) committed against a post (and binding)."""

    tilsagn_id: str = Field(max_length=36)
    ordning: str = Field(pattern=r"^[a-z0-9-]{2,40}$", description="The grant scheme.")
    kommunenummer: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    organisasjonsnummer: str | None = Field(default=None, pattern=r"^[0-9]{9}$")
    belop_ore: int = Field(ge=1, description="Amount in øre.")
    dato: date
    periode_fra: date
    periode_til: date


class UtbetalingGjortV1(_Line):
    """Money paid out under a decision (utbetaling), or paid back (tilbakebetaling)."""

    utbetaling_id: str = Field(max_length=36)
    tilsagn_id: str = Field(max_length=36)
    type: Literal["utbetaling", "tilbakebetaling"]
    kommunenummer: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    organisasjonsnummer: str | None = Field(default=None, pattern=r"^[0-9]{9}$")
    belop_ore: int = Field(ge=1, description="Amount in øre (always positive; the type says which way).")
    dato: date


class TilsagnAnnullertV1(_Line):
    """The unpaid rest of a decision was cancelled: the amount is no longer committed."""

    tilsagn_id: str = Field(max_length=36)
    annullert_ore: int = Field(ge=1)
    dato: date


class Rettighet(EventData):
    ar: int = Field(ge=2000, le=2100, description="The budget year the grant is for.")
    kapittel: int = Kapittel
    post: Literal["60", "61"]
    arstrinn: int = Field(ge=1, le=25, description="Year number counted from the settlement year (1).")
    belop_ore: int = Field(ge=0)
    sats_ar: int = Field(description="The year whose rates were used (provisional if before ``ar``).")


class RettighetEndretV1(EventData):
    """A settled person's entitlements to integreringstilskudd (post 60) and the EM grant (post 61), as they
    stand now; a later event for the same person replaces the earlier one (an empty list: none)."""

    person_ref: str = PersonRef
    kommunenummer: str = Field(pattern=r"^[0-9]{4}$")
    bosettingsdato: date
    saerskilt_kriterium: bool = Field(description="Paid under the special criterion of section 4.1.")
    rettigheter: list[Rettighet]


class ForbrukOppdatertV1(_Line):
    """Spend and forecast for a post (``binding`` null) or a binding, as of a month's end: disbursed to date,
    committed, and the forecast for the rest of the year. The newest event for (line, per_dato) stands."""

    per_dato: date = Field(description="The figures are as of this date (a month's last day).")
    ramme_ore: int | None = Field(description="What IMDi disposes of on the line (null: the letter gives none).")
    utbetalt_ore: int = Field(description="Disbursed to date, net of repayments.")
    forpliktet_ore: int = Field(description="Committed to date (decisions and entitlements), net of "
                                "cancellations and repayments; includes what is paid.")
    prognose_rest_ore: int = Field(description="Forecast spend for the rest of the year after per_dato.")
    prognose_ar_ore: int = Field(description="Forecast for the year: disbursed to date plus the rest.")
    saerskilt_kriterium: int = Field(default=0, ge=0, description="Post 60: entitlements of the year paid under "
                                     "the special criterion (section 4.1).")


_LINE = dict(ar=2017, kapittel=496, post="62", binding="gronland-oslo")
TILSAGN_GITT_V1 = fact_spec(
    "tilskudd", "tilsagn-gitt", TilsagnGittV1, lambda d: f"{d.ar}-{d.kapittel}.{d.post}", "Tilsagn gitt",
    "A grant decision committed against a post and binding. Keyed by year and post.",
    TilsagnGittV1(**_LINE, tilsagn_id="3b8f0c1e-6a8e-4f3c-9a55-2b0f8d1e7c10", ordning="gronland",
                  kommunenummer="0301", belop_ore=400_000_000, dato=date(2017, 2, 1),
                  periode_fra=date(2017, 2, 1), periode_til=date(2017, 12, 31)))
UTBETALING_GJORT_V1 = fact_spec(
    "tilskudd", "utbetaling-gjort", UtbetalingGjortV1, lambda d: f"{d.ar}-{d.kapittel}.{d.post}", "Utbetaling gjort",
    "Money paid out under a decision, or paid back. Keyed by year and post.",
    UtbetalingGjortV1(**_LINE, utbetaling_id="7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6",
                      tilsagn_id="3b8f0c1e-6a8e-4f3c-9a55-2b0f8d1e7c10", type="utbetaling", kommunenummer="0301",
                      belop_ore=400_000_000, dato=date(2017, 2, 20)))
TILSAGN_ANNULLERT_V1 = fact_spec(
    "tilskudd", "tilsagn-annullert", TilsagnAnnullertV1, lambda d: f"{d.ar}-{d.kapittel}.{d.post}",
    "Tilsagn annullert", "The unpaid rest of a decision was cancelled. Keyed by year and post.",
    TilsagnAnnullertV1(**_LINE, tilsagn_id="3b8f0c1e-6a8e-4f3c-9a55-2b0f8d1e7c10", annullert_ore=50_000_000,
                       dato=date(2017, 11, 1)))
RETTIGHET_ENDRET_V1 = fact_spec(
    "tilskudd", "rettighet-endret", RettighetEndretV1, lambda d: d.person_ref, "Rettighet til tilskudd endret",
    "A settled person's entitlements to integreringstilskudd and the EM grant, as they stand now. Keyed by "
    "person reference.",
    RettighetEndretV1(person_ref="p-3f2a9c1e0b7d4a6f8e5c2b1a0d9e8f7c", kommunenummer="0301",
                      bosettingsdato=date(2017, 5, 2), saerskilt_kriterium=False,
                      rettigheter=[Rettighet(ar=2017, kapittel=496, post="60", arstrinn=1, belop_ore=18_300_000,
                                             sats_ar=2017)]))
FORBRUK_OPPDATERT_V1 = fact_spec(
    "tilskudd", "prognose-oppdatert", ForbrukOppdatertV1, lambda d: f"{d.ar}-{d.kapittel}.{d.post}",
    "Forbruk og prognose oppdatert",
    "Spend to date, commitments and the forecast for the rest of the year for a post or binding, as of a "
    "month's end (the half-year report's \"forbruk per dato og planlagt forbruk resten av året\"). Keyed by year "
    "and post.",
    ForbrukOppdatertV1(**_LINE, per_dato=date(2017, 6, 30), ramme_ore=400_000_000, utbetalt_ore=400_000_000,
                       forpliktet_ore=400_000_000, prognose_rest_ore=0, prognose_ar_ore=400_000_000))
