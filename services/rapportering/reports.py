"""Reports: half-year, annual and monthly, built from the read model as of their count date.

Content is deterministic (sorted keys, rounded shares, nothing from the moment of publishing), so a version
reproduces byte for byte from the same events. What external readers get is the rendering
``rapportering.disclosure`` makes at publish time; internal users see the content as it is.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from rapportering import budget, queries, status
from rapportering.risk import assignment_risk
from rapportering.steering import Kilde, Styringsmodell
from shared.geo import fylker_2017, kommuner_2017

Rapporttype = Literal["halvarsrapport", "arsrapport", "manedsrapport"]
MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
          "november", "desember"]


class UnknownPeriod(ValueError):
    pass


def period_info(model: Styringsmodell, report_type: str, period: str) -> dict[str, Any]:
    """Title, count date and deadline for a report from the steering model's calendar."""
    if report_type == "manedsrapport":
        try:
            year, month = int(period[:4]), int(period[5:7])
            assert len(period) == 7 and period[4] == "-" and 1 <= month <= 12
        except (ValueError, AssertionError) as exc:
            raise UnknownPeriod("Månedsrapporter har periode ÅÅÅÅ-MM.") from exc
        if year != model.ar:
            raise UnknownPeriod(f"Styringsmodellen for {model.ar} gjelder ikke {period}.")
        count = date(year, month, calendar.monthrange(year, month)[1])
        return {"tittel": f"Månedsrapport {MONTHS[month - 1]} {year}", "telletidspunkt": count,
                "frist": count + timedelta(days=model.manedsrapport.frist_dager_etter_maned), "start": date(year, 1, 1)}
    entry = next((k for k in model.rapporteringskalender if k.type == report_type and k.periode == period), None)
    if entry is None or int(period[:4]) != model.ar:
        raise UnknownPeriod(f"Kalenderen for {model.ar} har ingen {report_type} for {period}.")
    title = ("Halvårsrapport" if report_type == "halvarsrapport" else "Årsrapport") + f" {period[:4]}"
    return {"tittel": title, "telletidspunkt": entry.telletidspunkt, "frist": entry.frist,
            "start": date(int(period[:4]), 1, 1)}


def _share(n: int, d: int) -> float | None:
    return round(n / d, 6) if d else None


def _cell(n: int, d: int) -> dict[str, Any]:
    return {"teller": n, "nevner": d, "andel": _share(n, d)}


async def build(session: AsyncSession, model: Styringsmodell, report_type: str, period: str) -> dict[str, Any]:
    info = period_info(model, report_type, period)
    as_of: date = info["telletidspunkt"]
    year = model.ar
    assessed = await queries.assessments(session, year, as_of)
    content: dict[str, Any] = {"rapport": {
        "type": report_type, "periode": period, "tittel": info["tittel"], "ar": year,
        "telletidspunkt": as_of.isoformat(), "frist": info["frist"].isoformat(), "styringsdokument": model.dokument}}

    if report_type != "manedsrapport":
        goals = []
        for goal in model.mal:
            sps = []
            for sp in (s for s in model.styringsparametere if s.mal == goal.id):
                sps.append(await _sp_section(session, model, sp, as_of, assessed.get(sp.id), period))
            goals.append({"id": goal.id, "tekst": goal.tekst, "styringsparametere": sps})
        content["mal"] = goals

    wanted = [o for o in model.oppdrag if report_type != "manedsrapport" or o.id in model.manedsrapport.oppdrag]
    content["oppdrag"] = [{**await _assignment_section(session, model, o, as_of, assessed.get(o.id)),
                           "nokkeltall": await _key_figures(session, year, o.id, period, as_of)} for o in wanted]

    if report_type != "manedsrapport":
        content["budsjett"] = await budget.section(session, model, as_of)
        narrative = await queries.texts(session, report_type, period)
        content["rapporteringskrav"] = [
            {"id": r.id, "ogsa": r.ogsa, "mal": r.mal, "tekst": r.tekst, "virksomhetens_tekst": narrative.get(r.id),
             "nokkeltall": await _key_figures(session, year, r.id, period, as_of)}
            for r in model.rapporteringskrav if report_type in r.frekvens]
        content["bosettingsstatistikk"] = await _settlement_statistics(session, year, info["start"], as_of)
    return content


async def _sp_section(session, model, sp, as_of: date, assessed: dict | None, period: str) -> dict[str, Any]:
    section: dict[str, Any] = {
        "id": sp.id, "tekst": sp.tekst, "enhet": sp.enhet, "kilde": sp.maling.kilde,
        "definisjon": sp.maling.definisjon,
        "maleutgangspunkt": {"tekst": sp.maleutgangspunkt.tekst, "verdi": sp.maleutgangspunkt.verdi,
                             "kilde": source(sp.maleutgangspunkt.kilde)},
        "resultatkrav": {"tekst": sp.resultatkrav.tekst, "verdi": sp.resultatkrav.verdi,
                         "kilde": source(sp.resultatkrav.kilde)},
        "toleranse": {"gul": sp.toleranse.gul, "kilde": source(sp.toleranse.kilde)}}
    st = await status.sp_status(session, model, sp, as_of)
    section.update(render_status(st, period))
    section["risiko"] = {"beregnet": {"status": st.risk.status, "begrunnelse": st.risk.begrunnelse},
                         "virksomhetens_vurdering": assessed}
    return section


async def _key_figures(session, year: int, objekt: str, period: str, as_of: date) -> dict[str, Any] | None:
    """The figures a service counts for an assignment or requirement (``nokkeltall`` events): those for the
    report's period, else those of the latest month up to the count date (a monthly-followed assignment in a
    half-year or annual report). None when the source service has sent none."""
    by_period = await queries.key_figures(session, year, objekt)
    chosen = period if period in by_period else max(
        (p for p in by_period if len(p) == 7 and p[4] == "-" and p <= as_of.strftime("%Y-%m")), default=None)
    if chosen is None:
        return None
    return {"periode": chosen, "tall": [{**f, "andel": _share(f["antall"], f["nevner"]) if f["nevner"] is not None
                                         else None} for f in by_period[chosen]]}


def render_status(st: status.SpStatus, period: str) -> dict[str, Any]:
    """An SP's value, projection and outlook as reports and the overview show them."""
    if st.measure is None or st.total is None:
        return {"verdi": {"status": "ingen_data", "teller": None, "nevner": None, "andel": None, "etter_kjonn": {}},
                "framskriving": None}
    zero = status.Count(0, 0)
    # by kjønn only for a measure broken down by it (persons); a unit-per-year or stock measure has none
    verdi = {"status": "data" if st.total.nevner else "ingen_data", **_cell(st.total.teller, st.total.nevner),
             "etter_kjonn": {k: _cell(st.by_sex.get(k, zero).teller, st.by_sex.get(k, zero).nevner)
                             for k in ("K", "M")} if st.by_sex or not st.total.nevner else {},
             "hendelser": f"/api/v1/styringsparametere/{st.sp.id}/verdi/hendelser?periode={period}"}
    if st.previous is not None:
        verdi["i_fjor"] = _cell(st.previous.teller, st.previous.nevner)
    if st.beside is not None:
        verdi["utenfor_populasjonen"] = {"tekst": st.measure.beside_text, "antall": st.beside.nevner,
                                         "etter_kjonn": {k: st.beside_by_sex.get(k, zero).nevner for k in ("K", "M")}}
    p, o = st.projection, st.outlook
    return {
        "verdi": verdi, "subjekt": st.measure.subject, "koblinger": dict(st.measure.links),
        "framskriving": None if p is None else {
            "verdi": round(p.value, 6), "lav": round(p.low, 6), "hoy": round(p.high, 6),
            "sannsynlighet_for_krav": None if p.p_target is None else round(p.p_target, 4), "metode": p.method},
        "mulig_i_ar": None if o is None else {
            "venter": o.waiting, "innenfor_frist": o.inside, "forbi_frist": o.past,
            "beste_mulige": None if o.best is None else round(o.best, 6), "trengs_i_tide": o.needed,
            "kan_nas": o.reachable, "forste_frist": o.first_deadline.isoformat() if o.first_deadline else None,
            "siste_frist": o.last_deadline.isoformat() if o.last_deadline else None, "tekst": o.text}}


def source(kilde: Kilde) -> str:
    """Provenance in words: the letter's section, or IMDi's own setting and why."""
    if kilde.fra == "tildelingsbrev":
        return f"Tildelingsbrevet, avsnitt {kilde.avsnitt}"
    return f"IMDis egen innstilling: {kilde.merknad}"


async def _assignment_section(session, model, o, as_of: date, assessed: dict | None) -> dict[str, Any]:
    states = await queries.milestones(session, model.ar, o, as_of)
    status = assignment_risk(o, states, as_of, model.risiko.oppdrag.rod_etter_dager)
    sources = {m.id: m.kilde for m in o.alle_milepaeler}
    return {"id": o.id, "mal": o.mal, "tittel": o.tittel, "start": o.start.isoformat(), "frist": o.frist.isoformat(),
            "kilde": {"start": source(o.start_kilde), "frist": source(o.frist_kilde)},
            "rapportering": o.rapportering,
            "milepaeler": [{"id": m.id, "tekst": m.tekst, "frist": m.frist.isoformat(),
                            "frist_kilde": source(sources.get(m.id) or o.frist_kilde), "ferdig": m.ferdig,
                            "fremdrift": m.fremdrift, "dato": m.dato.isoformat() if m.dato else None,
                            "kommentar": m.kommentar} for m in states],
            "risiko": {"beregnet": {"status": status.status, "begrunnelse": status.begrunnelse},
                       "virksomhetens_vurdering": assessed}}


async def _settlement_statistics(session, year: int, start: date, as_of: date) -> dict[str, Any]:
    counts, em = await queries.settled_counts(session, start, as_of)
    by_kommune: dict[str, dict[str, int]] = {}
    for c in counts:
        row = by_kommune.setdefault(c["kommunenummer"], {"K": 0, "M": 0})
        row[c["kjonn"]] += c["antall"]
    kommune_rows = [{"kommunenummer": k, "kommunenavn": kommuner_2017()[k].visningsnavn,
                     "fylkesnummer": kommuner_2017()[k].fylkesnummer, "K": v["K"], "M": v["M"],
                     "totalt": v["K"] + v["M"], "enslige_mindrearige": em.get(k, 0)}
                    for k, v in sorted(by_kommune.items())]
    by_fylke: dict[str, dict[str, int]] = {}
    for r in kommune_rows:
        f = by_fylke.setdefault(r["fylkesnummer"], {"K": 0, "M": 0, "enslige_mindrearige": 0})
        for key in ("K", "M", "enslige_mindrearige"):
            f[key] += r[key]
    fylke_rows = [{"fylkesnummer": f, "fylkesnavn": fylker_2017()[f], "K": v["K"], "M": v["M"],
                   "totalt": v["K"] + v["M"], "enslige_mindrearige": v["enslige_mindrearige"]}
                  for f, v in sorted(by_fylke.items())]
    total = {"K": sum(r["K"] for r in kommune_rows), "M": sum(r["M"] for r in kommune_rows)}
    place_rows = []
    for p in await queries.places_for(session, year):
        place_rows.append({"kommunenummer": p["kommunenummer"], "kommunenavn":
                           kommuner_2017()[p["kommunenummer"]].visningsnavn,
                           "anmodet": p["anmodet"], "anmodet_em": p["anmodet_em"], "vedtatt": p["vedtatt"],
                           "vedtatt_em": p["vedtatt_em"],
                           "differanse": None if p["anmodet"] is None or p["vedtatt"] is None
                           else p["vedtatt"] - p["anmodet"],
                           "differanse_em": None if p["anmodet_em"] is None or p["vedtatt_em"] is None
                           else p["vedtatt_em"] - p["anmodet_em"]})
    return {"periode": {"fra": start.isoformat(), "til": as_of.isoformat()},
            "bosatte_etter_kjonn": {**total, "totalt": total["K"] + total["M"]},
            "etter_fylke": fylke_rows, "etter_kommune": kommune_rows,
            "anmodning_og_vedtak": {
                "kommuner": place_rows,
                "sum": {k: sum(r[k] or 0 for r in place_rows) for k in ("anmodet", "anmodet_em", "vedtatt",
                                                                       "vedtatt_em")}}}


# --- canonical form, hash, diff ------------------------------------------------------------------------
def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """Every leaf that differs between two versions, as JSON-pointer-like paths."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new)):
            out += diff(old.get(key), new.get(key), f"{path}/{key}")
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            out += diff(a, b, f"{path}/{i}")
        return out
    return [] if old == new else [{"sti": path or "/", "fra": old, "til": new}]
