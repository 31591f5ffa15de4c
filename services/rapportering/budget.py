"""The budget part of the read model: tilskudd's spend and forecast per post and binding (``prognose-oppdatert``),
kept as history rows (the newest event for a line and date stands), and the budget section of the half-year and
annual reports and of the overview: "forbruk per dato og planlagt forbruk resten av året" (section 4.1).

A report counted on a date shows, per line, the figures as of the latest month end at or before it that tilskudd
published (tilskudd republishes every later month end when a change is back-dated). Money stays integer øre
until it is shown as kroner text.

Risk per post compares the year's forecast (disbursed + the rest of the year) with the frame: beyond ``GUL`` per
mille over or under, yellow; beyond ``ROD``, red. The letter sets no tolerance for spend, so these are IMDi's own
setting (``TOLERANCE_SOURCE``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, Integer, String, select
from sqlalchemy import Table as _Table
from sqlalchemy.ext.asyncio import AsyncSession

from rapportering.models import metadata
from shared.consumer import Received
from shared.events import tilskudd as tev
from shared.types import UtcDateTime

GUL = 50  # per mille of the post's frame
ROD = 150
TOLERANCE_SOURCE = ("IMDis egen innstilling: brevet setter ingen toleranse for forbruk; gul ved prognose mer enn "
                    "5 % over eller under posten, rød ved mer enn 15 %.")

budget_figure = _Table(
    "budget_figure", metadata,
    Column("event_id", String(64), primary_key=True),
    Column("event_time", UtcDateTime, nullable=False),
    Column("ar", Integer, nullable=False),
    Column("kapittel", Integer, nullable=False),
    Column("post", String(2), nullable=False),
    Column("binding", String(40), nullable=True),
    Column("per_dato", Date, nullable=False),
    Column("ramme_ore", BigInteger, nullable=True),
    Column("utbetalt_ore", BigInteger, nullable=False),
    Column("forpliktet_ore", BigInteger, nullable=False),
    Column("prognose_rest_ore", BigInteger, nullable=False),
    Column("prognose_ar_ore", BigInteger, nullable=False),
    Column("saerskilt_kriterium", Integer, nullable=False),
    Index("ix_budget_figure_line", "ar", "kapittel", "post", "binding", "per_dato"),
)


def _on_figures(state, item: Received) -> None:
    state.appended[budget_figure].append({**item.data.model_dump(), "event_id": item.envelope.id,
                                          "event_time": item.envelope.time})


HANDLERS: dict[str, Callable] = {tev.FORBRUK_OPPDATERT_V1.type: _on_figures}


# --- queries -------------------------------------------------------------------------------------------
async def figures_as_of(session: AsyncSession, year: int, as_of: date) -> dict[tuple[int, str, str | None], dict]:
    """Per line (kapittel, post, binding): the newest figures for the latest date at or before ``as_of``."""
    rows = (await session.execute(select(budget_figure).where(
        budget_figure.c.ar == year, budget_figure.c.per_dato <= as_of))).mappings()
    best: dict[tuple[int, str, str | None], dict] = {}
    for row in rows:
        key = (row["kapittel"], row["post"], row["binding"])
        rank = (row["per_dato"], row["event_time"], row["event_id"])
        if key not in best or rank > (best[key]["per_dato"], best[key]["event_time"], best[key]["event_id"]):
            best[key] = dict(row)
    return best


def kroner(ore: int | None) -> str | None:
    if ore is None:
        return None
    sign = "-" if ore < 0 else ""
    whole, rest = divmod(abs(ore), 100)
    return f"{sign}{whole}.{rest:02d}"


def risk(forecast_ore: int, frame_ore: int | None) -> dict[str, Any]:
    """The post's spend risk: the year's forecast against the frame, with the tolerance above."""
    if frame_ore is None or frame_ore <= 0:
        return {"status": "ingen_data", "retning": None, "begrunnelse": "Posten har ingen ramme for IMDi."}
    deviation = forecast_ore - frame_ore
    per_mille = abs(deviation) * 1000 // frame_ore
    direction = "over" if deviation > 0 else "under"
    off = abs(deviation) * 1000  # compared exactly, not the rounded per mille
    status = "rod" if off > ROD * frame_ore else "gul" if off > GUL * frame_ore else "gronn"
    words = {"over": "overforbruk", "under": "mindreforbruk"}[direction]
    text = (f"Prognosen for året er {kroner(forecast_ore)} kr mot en ramme på {kroner(frame_ore)} kr: "
            f"{'ingen avvik' if deviation == 0 else f'{words} på {kroner(abs(deviation))} kr'} "
            f"({per_mille // 10},{per_mille % 10} %).")
    return {"status": status, "retning": None if status == "gronn" else direction, "begrunnelse": text}


def _figures(row: dict | None) -> dict[str, Any]:
    if row is None:
        return {"forbruk": None, "forpliktet": None, "prognose_rest": None, "prognose": None, "per_dato": None}
    return {"forbruk": kroner(row["utbetalt_ore"]), "forpliktet": kroner(row["forpliktet_ore"]),
            "prognose_rest": kroner(row["prognose_rest_ore"]), "prognose": kroner(row["prognose_ar_ore"]),
            "per_dato": row["per_dato"].isoformat()}


async def section(session: AsyncSession, model, as_of: date) -> dict[str, Any]:
    """The budget section: the letter's frame beside tilskudd's figures per post and binding as of ``as_of``."""
    found = await figures_as_of(session, model.ar, as_of)
    chapters = []
    for k in model.budsjett.kapitler:
        posts = []
        for p in k.poster:
            row = found.get((k.kapittel, p.post, None))
            frame_ore = row["ramme_ore"] if row and row["ramme_ore"] is not None else (
                None if p.belop is None else p.belop * 1000 * 100)
            post = {"post": p.post, "navn": p.navn, "tildelt": p.belop, **_figures(row),
                    "risiko": risk(row["prognose_ar_ore"], frame_ore) if row else {
                        "status": "ingen_data", "retning": None, "begrunnelse": "Ingen tall fra tilskudd."},
                    "bindinger": [{"binding": b, **_figures(r), "ramme": kroner(r["ramme_ore"])}
                                  for (kap, post_no, b), r in sorted(found.items(), key=lambda x: x[0][2] or "")
                                  if kap == k.kapittel and post_no == p.post and b is not None]}
            if row and (k.kapittel, p.post) == (496, "60"):
                post["saerskilt_kriterium"] = row["saerskilt_kriterium"]
            posts.append(post)
        chapters.append({"kapittel": k.kapittel, "navn": k.navn, "sum": k.sum, "poster": posts})
    return {"status": "data" if found else "ingen_data", "telletidspunkt": as_of.isoformat(),
            "enhet": model.budsjett.enhet, "enhet_forbruk": "kroner",
            "merknad": "Tildelt er rammen i tildelingsbrevet (1000 kroner). Forbruk (utbetalt netto), forpliktet og "
                       "prognose er tilskudd-tjenestens tall i kroner per siste månedsslutt til og med "
                       "telletidspunktet; prognose er forventet forbruk for hele året (utbetalt + resten av året).",
            "toleranse": {"gul_promille": GUL, "rod_promille": ROD, "kilde": TOLERANCE_SOURCE},
            "kapitler": chapters}
