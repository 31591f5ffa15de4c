"""The dashboard's pages under /dashboard/: server-rendered (Jinja2), read through the same service functions
and scope rules as the API, and writing through the same validation and service calls.

Every page works without JavaScript (forms are GET/POST, sorting is links); the front-end packages are served
from the repository's node_modules (installed by the Makefile), never from a CDN.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from rapportering import budget, reports, service, stages, views, workflow
from rapportering.dashboard import access, charts, data
from rapportering.status import months_counted
from rapportering.steering import Styringsmodell, years
from shared import errors
from shared.auth import Principal
from shared.dates import today_oslo
from shared.db import Conflict as WriteConflict
from shared.events import schemas as ev
from shared.geo import fylker_2017, kommuner_2017
from shared.problems import Problem

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
ROOT = HERE.parents[2]
NODE_MODULES = Path(os.environ.get("IMDI_NODE_MODULES") or ROOT / "node_modules")
"""Where ``npm ci`` put the front-end packages: the repository's, or ``IMDI_NODE_MODULES`` for an installed package."""
ASSETS = {
    "designsystemet.css": NODE_MODULES / "@digdir/designsystemet-css/dist/src/index.css",
    "tema.css": NODE_MODULES / "@digdir/designsystemet-theme/brand/digdir.css",
}
MAX_FORM_BYTES = 64 * 1024
RISK = {"gronn": ("Grønn", "I rute", "success"), "gul": ("Gul", "Fare for avvik", "warning"),
        "rod": ("Rød", "Avvik", "danger"), "ingen_data": ("Grå", "Ingen data", "neutral")}
REPORT_TYPES = {"halvarsrapport": "Halvårsrapport", "arsrapport": "Årsrapport", "manedsrapport": "Månedsrapport"}
DIMENSIONS = {"fylke": "Fylke", "kommune": "Kommune", "kjonn": "Kjønn", "kategori": "Gruppe",
              "em_aldersgruppe": "Enslige mindreårige etter alder"}
SEX = {"K": "Kvinner", "M": "Menn"}
STATES = {workflow.UTKAST: "Utkast", workflow.TIL_GODKJENNING: "Til godkjenning", workflow.GODKJENT: "Godkjent",
          workflow.SENDT: "Sendt til JD"}
DEADLINES = {"i_rute": ("I rute", "success"), "snart_frist": ("Snart frist", "warning"),
             "forsinket": ("Forsinket", "danger")}
ACTIONS = {"send_til_godkjenning": "Send til godkjenning", "godkjenn": "Godkjenn", "avvis": "Send tilbake",
           "send": "Send til JD", "send_automatisk": "Sendt automatisk"}

router = APIRouter(prefix="/dashboard", include_in_schema=False)
templates = Jinja2Templates(directory=str(HERE / "templates"))


# --- formatting helpers the templates use ----------------------------------------------------------------
def pct(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.{digits}f}".replace(".", ",") + "\u00a0%"  # never wrap "%" onto a line of its own


def num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u00a0").replace(".", ",")
    return f"{value:,}".replace(",", "\u00a0")


def kroner(value: str | None) -> str:
    """Kroner text from the budget section ("4000000.00") as whole kroner with no-break thousands."""
    return "–" if value is None else num(int(value.split(".")[0]))


def norsk_dato(value: str | date | None) -> str:
    if value is None:
        return "–"
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.day}. {reports.MONTHS[d.month - 1]} {d.year}"


def sp_value(sp: dict, value: float | None) -> str:
    return pct(value) if sp.get("enhet") == "andel" else num(value)


templates.env.filters.update(pct=pct, num=num, dato=norsk_dato, kroner=kroner)
templates.env.globals.update(RISK=RISK, REPORT_TYPES=REPORT_TYPES, sp_value=sp_value, SEX=SEX, STATES=STATES,
                             DEADLINES=DEADLINES, ACTIONS=ACTIONS)


# --- plumbing ----------------------------------------------------------------------------------------------
def render(request: Request, name: str, principal: Principal | None, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    nav = []
    if principal is not None:
        if access.is_internal(principal):
            nav += [("/dashboard/", "Oversikt"), ("/dashboard/bosetting", "Bosetting")]
        if access.is_reader(principal):
            nav.append(("/dashboard/rapporter", "Rapporter"))
        if principal.kommunenummer:
            nav.append((f"/dashboard/kommune/{principal.kommunenummer}", "Min kommune"))
    return templates.TemplateResponse(request, name, {
        "principal": principal, "nav": nav, "path": request.url.path,
        "who": _who(principal), "dev_login": access.dev_login_enabled(request), **context},
        status_code=status_code)


def _who(p: Principal | None) -> str | None:
    if p is None:
        return None
    if p.kommunenummer:
        return f"Kommune: {kommuner_2017()[p.kommunenummer].visningsnavn}"
    if access.is_approver(p):
        return "IMDi (direktør, godkjenner)"
    if access.is_writer(p):
        return "IMDi (rapportansvarlig)"
    if access.is_internal(p):
        return "IMDi (analytiker)"
    if access.is_reader(p):
        return "Justis- og beredskapsdepartementet"
    return p.subject


class Refused(Exception):
    """Rendered by the page: 401 asks to log in, 403 says what the user may not see."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


async def who(request: Request, allowed) -> Principal:
    p = await access.principal(request)
    if p is None:
        raise Refused(401, "Du må logge inn for å se denne siden.")
    if not allowed(p):
        raise Refused(403, "Du har ikke tilgang til denne siden med rollen du er logget inn med.")
    return p


def refused(request: Request, exc: Refused) -> Response:
    if exc.status == 401 and access.dev_login_enabled(request):
        return RedirectResponse("/dashboard/logg-inn?" + urlencode({"neste": request.url.path}), status_code=303)
    return render(request, "feil.html", None if exc.status == 401 else _cached(request), status_code=exc.status,
                  tittel="Ikke logget inn" if exc.status == 401 else "Ingen tilgang", melding=exc.message)


def _cached(request: Request) -> Principal | None:
    return getattr(request.state, "dashboard_principal", None)


def page(allowed):
    """Decorator: verify the token and the role, render refusals and domain errors as Norwegian pages."""
    def wrap(fn):
        async def endpoint(request: Request, **kwargs):
            try:
                p = await who(request, allowed)
                request.state.dashboard_principal = p
                return await fn(request, p, **kwargs)
            except Refused as exc:
                return refused(request, exc)
            except errors.DomainError as exc:
                code = {errors.NotFound: 404, errors.Invalid: 422, errors.Forbidden: 403}.get(type(exc), 409)
                details = " ".join(f["melding"] for f in exc.extra.get("feil", []))
                return render(request, "feil.html", _cached(request), status_code=code, tittel="Kunne ikke vise siden",
                              melding=f"{exc.detail} {details}".strip())
            except Problem as exc:
                return render(request, "feil.html", _cached(request), status_code=exc.status,
                              tittel="Kunne ikke vise siden", melding=exc.detail)

        endpoint.__name__ = fn.__name__
        endpoint.__doc__ = fn.__doc__
        params = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
        params += list(inspect.signature(fn).parameters.values())[2:]
        endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        return endpoint
    return wrap


async def form(request: Request) -> dict[str, str]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise Problem(413, "Skjemaet er for stort.")
    return {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}


def year_and_date(ar: str | None, per_dato: str | None) -> tuple[Styringsmodell, date, str | None]:
    """The steering year and the as-of date from the query string (default: today, or 31.12 of a past year)."""
    available = years()
    error = None
    try:
        year = int(ar) if ar else max((y for y in available if y <= today_oslo().year), default=available[-1])
    except ValueError:
        year, error = available[-1], "Året må være et tall."
    model = service.model_for(year)
    as_of = None
    if per_dato:
        try:
            as_of = date.fromisoformat(per_dato)
        except ValueError:
            error = "Datoen må skrives som ÅÅÅÅ-MM-DD."
    return model, views.as_of_for(year, as_of), error


# --- static files from node_modules (never a CDN) ------------------------------------------------------------
@router.get("/assets/{name}")
async def asset(name: str) -> Response:
    path = ASSETS.get(name)
    if path is None or not path.exists():
        return Response(status_code=404)
    return FileResponse(path, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


# --- login -------------------------------------------------------------------------------------------------
@router.get("/logg-inn")
async def login_page(request: Request, neste: str = "/dashboard/") -> Response:
    if not access.dev_login_enabled(request):
        return Response(status_code=404)
    return render(request, "logg_inn.html", await access.principal(request), roles=access.ROLES.values(),
                  kommuner=sorted(kommuner_2017().values(), key=lambda k: k.visningsnavn), neste=_safe(neste))


def _safe(target: str) -> str:
    return target if target.startswith("/dashboard") and "//" not in target and "\\" not in target else "/dashboard/"


@router.post("/logg-inn")
async def login(request: Request) -> Response:
    if not access.dev_login_enabled(request):
        return Response(status_code=404)
    fields = await form(request)
    role = access.ROLES.get(fields.get("rolle", ""))
    kommune = fields.get("kommunenummer") or None
    problem = None
    if role is None:
        problem = "Velg en rolle."
    elif role.key == "kommune" and kommune not in kommuner_2017():
        problem = "Velg en kommune (kommunenummer i 2017-inndelingen)."
    if problem:
        return render(request, "logg_inn.html", None, status_code=422, roles=access.ROLES.values(),
                      kommuner=sorted(kommuner_2017().values(), key=lambda k: k.visningsnavn),
                      neste=_safe(fields.get("neste", "")), feil=problem)
    token = access.dev_token(request, role, kommune if role.key == "kommune" else None)
    verified = request.app.state.verifier.verify(token)
    target = _safe(fields.get("neste", ""))
    if target == "/dashboard/":
        target = access.home(verified)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(access.COOKIE, token, max_age=access.TTL_SECONDS, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/dashboard")
    return response


@router.post("/logg-ut")
async def logout(request: Request) -> Response:
    response = RedirectResponse("/dashboard/logg-inn" if access.dev_login_enabled(request) else "/dashboard/",
                                status_code=303)
    response.delete_cookie(access.COOKIE, path="/dashboard")
    return response


# --- overview ------------------------------------------------------------------------------------------------
@router.get("/")
async def overview(request: Request, ar: str | None = None, per_dato: str | None = None,
                   melding: str | None = None) -> Response:
    p = await access.principal(request)
    if p is not None and not access.is_internal(p):
        return RedirectResponse(access.home(p), status_code=303)
    return await _overview(request, ar=ar, per_dato=per_dato, melding=melding)


@page(access.is_internal)
async def _overview(request: Request, p: Principal, ar: str | None, per_dato: str | None,
                    melding: str | None) -> Response:
    model, as_of, error = year_and_date(ar, per_dato)
    async with request.app.state.db.sessions() as session:
        sps = await service.sp_overview(session=session, model=model, as_of=as_of)
        assignments = await service.assignment_overview(session=session, model=model, as_of=as_of)
        spend = await budget.section(session, model, as_of)
        obligations = await workflow.obligation_overview(session, model, as_of)
        series = {}
        for sp in sps:
            if sp["enhet"] == "andel" and sp["verdi"]["status"] == "data":
                shares = charts.cumulative_shares(await data.year_so_far(session, sp["id"], model.ar, as_of),
                                                  months_counted(model.ar, as_of))
                series[sp["id"]] = (shares, charts.line_chart([(m, v) for m, v, _, _ in shares],
                                                              sp["resultatkrav"]["verdi"]))
    goals = [(g, [s for s in sps if s["id"] in {x.id for x in model.styringsparametere if x.mal == g.id}],
              [o for o in assignments if o["mal"] == g.id]) for g in model.mal]
    return render(request, "oversikt.html", p, model=model, as_of=as_of, goals=goals, series=series,
                  feil=error, melding=melding, timeline=_timeline(model, assignments, as_of),
                  budget=spend, writer=access.is_writer(p), period=_period(model.ar, as_of),
                  obligations=obligations)


def _period(year: int, as_of: date) -> str:
    """The report period an as-of date falls in: the first half-year up to 30 June, else the year."""
    return f"{year}-H1" if as_of.year == year and as_of.month <= 6 else str(year)


def _timeline(model: Styringsmodell, assignments: list[dict], as_of: date) -> dict:
    """Positions (per cent of the steering year) of each milestone deadline and of the as-of date."""
    start, end = date(model.ar, 1, 1), date(model.ar, 12, 31)
    span = (end - start).days

    def at(d: date) -> float:
        return round(100 * min(max((d - start).days, 0), span) / span, 1)

    return {"as_of": at(as_of), "milestones": {
        o["id"]: [(m, at(date.fromisoformat(m["frist"]))) for m in o["milepaeler"]] for o in assignments}}


# --- drill-down ---------------------------------------------------------------------------------------------
SORTS = {"navn", "teller", "nevner", "andel"}


@router.get("/sp/{sp}")
@page(access.is_internal)
async def drill_down(request: Request, p: Principal, sp: str, ar: str | None = None, periode: str | None = None,
                     niva: str = "fylke", sort: str = "navn", retning: str = "stigende") -> Response:
    model, as_of, _ = year_and_date(ar, None)
    spec = next((s for s in model.styringsparametere if s.id == sp), None)
    if spec is None:
        raise errors.NotFound(f"{sp} finnes ikke i styringsmodellen for {model.ar}.")
    service.check_measured(sp)
    periods = [str(model.ar), f"{model.ar}-H1", f"{model.ar}-H2"] + [f"{model.ar}-{m:02d}" for m in range(1, 13)]
    periode = periode if periode in periods else _period(model.ar, as_of)
    niva = niva if niva in ("fylke", "kommune") else "fylke"
    sort = sort if sort in SORTS else "navn"
    async with request.app.state.db.sessions() as session:
        value = await service.get(session=session, measure=sp, period=periode)
    names = fylker_2017() if niva == "fylke" else {k: v.visningsnavn for k, v in kommuner_2017().items()}
    rows = [{"kode": code, "navn": names.get(code, code), "teller": c.teller, "nevner": c.nevner, "andel": c.andel}
            for code, c in value.fordeling.get(niva, {}).items()]
    rows.sort(key=lambda r: (r[sort] is None, r[sort] if r[sort] is not None else 0, r["navn"]),
              reverse=retning == "synkende")
    if retning == "synkende":  # missing values stay last
        rows.sort(key=lambda r: r[sort] is None)
    chart = charts.bar_chart([(r["navn"], r["andel"], pct(r["andel"])) for r in rows], spec.resultatkrav.verdi)
    kart = charts.choropleth({r["kode"]: r["andel"] for r in rows},
                             {r["kode"]: pct(r["andel"]) for r in rows}) if niva == "fylke" else None
    others = {d: [{"kode": k, "navn": SEX.get(k, k), "teller": c.teller, "nevner": c.nevner, "andel": c.andel}
                  for k, c in value.fordeling.get(d, {}).items()] for d in ("kjonn", "kategori", "em_aldersgruppe")}
    return render(request, "drilldown.html", p, model=model, sp=spec, value=value, rows=rows, niva=niva,
                  sort=sort, retning=retning, periode=periode, periods=periods, chart=chart, kart=kart, others=others,
                  DIMENSIONS=DIMENSIONS)


@router.get("/sp/{sp}/hendelser")
@page(access.is_internal)
async def lineage(request: Request, p: Principal, sp: str, periode: str, dimensjon: str = "alle",
                  verdi: str = "alle", etter: str | None = None) -> Response:
    from rapportering import queries
    from shared.dates import PERIOD

    service.check_measured(sp)
    if PERIOD.fullmatch(periode) is None:
        raise errors.NotFound("Perioden må skrives ÅÅÅÅ, ÅÅÅÅ-H1, ÅÅÅÅ-H2 eller ÅÅÅÅ-MM.")
    if dimensjon not in {"alle", *DIMENSIONS} or len(verdi) > 24 or (etter and len(etter) > 64):
        raise errors.NotFound("Ukjent inndeling.")
    limit = 200
    async with request.app.state.db.sessions() as session:
        rows = await queries.events_for_cell(session, sp, periode, dimensjon, verdi, limit, etter)
    label = verdi
    if dimensjon == "fylke":
        label = fylker_2017().get(verdi, verdi)
    elif dimensjon == "kommune" and verdi in kommuner_2017():
        label = kommuner_2017()[verdi].visningsnavn
    return render(request, "hendelser.html", p, sp=sp, periode=periode, dimensjon=dimensjon, verdi=verdi,
                  label=SEX.get(label, label), rows=rows, neste=rows[-1]["event_id"] if len(rows) == limit else None,
                  DIMENSIONS=DIMENSIONS)


# --- settlement ---------------------------------------------------------------------------------------------
@router.get("/bosetting")
@page(access.is_internal)
async def settlement(request: Request, p: Principal, ar: str | None = None, per_dato: str | None = None,
                     fylke: str | None = None) -> Response:
    from rapportering import queries

    model, as_of, error = year_and_date(ar, per_dato)
    fylke = fylke if fylke in fylker_2017() else None
    async with request.app.state.db.sessions() as session:
        places = await queries.places_for(session, model.ar)
        counts, em = await queries.settled_counts(session, date(model.ar, 1, 1), as_of)
        queue = await data.queue_ages(session, as_of)
        people = await queries.stage_dates(session)
    rows, fylker = _places(places, counts, em)
    where = fylker_2017()[fylke] if fylke else "hele landet"
    return render(request, "bosetting.html", p, model=model, as_of=as_of, feil=error, rows=rows, fylker=fylker,
                  queue=queue, stadier=_stage_times(people, model.ar, as_of, where, fylkesnummer=fylke),
                  fylke=fylke, alle_fylker=sorted(fylker_2017().items()))


def _stage_times(people: list, year: int, as_of: date, where: str, **scope: str | None) -> dict:
    """Time per stage for all and for EM (the same rule, :mod:`rapportering.stages`), with a chart of the
    medians in which the bottleneck's bar is marked and labelled."""
    out: dict[str, Any] = {"hvor": where, "grupper": []}
    for key, title, em in (("alle", "Alle", None), ("em", "Enslige mindreårige", True)):
        times = stages.stage_times(people, year=year, as_of=as_of, em=em, **scope)
        out["grupper"].append((key, title, times))
        if key == "alle":
            top = max((f.median or 0 for f in times.stages), default=0)
            mark = times.bottleneck.stage.kort if times.bottleneck and times.bottleneck.median else None
            out["graf"] = charts.bar_chart(
                [(f.stage.kort, f.median, "–" if f.median is None else num(f.median) + " dager"
                  + (" (flaskehals)" if f.stage.kort == mark else "")) for f in times.stages],
                None, maximum=top, marked=mark, label_width=130, width=560, text_width=150)
    return out


def _places(places: list[dict], counts: list[dict], em: dict[str, int]) -> tuple[list[dict], list[dict]]:
    settled: dict[str, int] = {}
    for c in counts:
        settled[c["kommunenummer"]] = settled.get(c["kommunenummer"], 0) + c["antall"]
    codes = sorted({p["kommunenummer"] for p in places} | set(settled))
    by = {p["kommunenummer"]: p for p in places}
    rows = []
    for k in codes:
        place = by.get(k, {})
        rows.append({"kode": k, "navn": kommuner_2017()[k].visningsnavn, "fylke": kommuner_2017()[k].fylkesnummer,
                     "anmodet": place.get("anmodet"), "anmodet_em": place.get("anmodet_em"),
                     "vedtatt": place.get("vedtatt"), "vedtatt_em": place.get("vedtatt_em"),
                     "bosatt": settled.get(k, 0), "bosatt_em": em.get(k, 0)})
    fylker: dict[str, dict] = {}
    for r in rows:
        f = fylker.setdefault(r["fylke"], {"kode": r["fylke"], "navn": fylker_2017()[r["fylke"]], "anmodet": 0,
                                           "anmodet_em": 0, "vedtatt": 0, "vedtatt_em": 0, "bosatt": 0,
                                           "bosatt_em": 0})
        for key in ("anmodet", "anmodet_em", "vedtatt", "vedtatt_em", "bosatt", "bosatt_em"):
            f[key] += r[key] or 0
    return rows, sorted(fylker.values(), key=lambda f: f["kode"])


# --- a municipality's own figures -------------------------------------------------------------------------------
@router.get("/kommune/{kommunenummer}")
@page(lambda p: p.kommunenummer is not None or access.is_internal(p))
async def municipality(request: Request, p: Principal, kommunenummer: str, ar: str | None = None,
                       per_dato: str | None = None) -> Response:
    from rapportering import engine, queries

    if kommunenummer not in kommuner_2017():
        raise errors.NotFound("Kommunenummeret finnes ikke i 2017-inndelingen.")
    if not access.may_see_kommune(p, kommunenummer):
        raise Refused(403, "Du kan bare se tallene for din egen kommune.")
    model, as_of, error = year_and_date(ar, per_dato)
    period = _period(model.ar, as_of)
    async with request.app.state.db.sessions() as session:
        place = next((r for r in await queries.places_for(session, model.ar) if r["kommunenummer"] == kommunenummer),
                     None)
        counts, em = await queries.settled_counts(session, date(model.ar, 1, 1), as_of)
        people = await queries.stage_dates(session)
        sps = []
        for spec in model.styringsparametere:
            if engine.measure(spec.id) is None:
                continue
            cell = (await service.get(session=session, measure=spec.id, period=period)).fordeling.get(
                "kommune", {}).get(kommunenummer)
            sps.append((spec, cell))
    mine = [c for c in counts if c["kommunenummer"] == kommunenummer]
    by_sex = {s: sum(c["antall"] for c in mine if c["kjonn"] == s) for s in ("K", "M")}
    kommune = kommuner_2017()[kommunenummer]
    return render(request, "kommune.html", p, model=model, as_of=as_of, feil=error, kommune=kommune, place=place,
                  by_sex=by_sex, em=em.get(kommunenummer, 0), sps=sps, periode=period,
                  stadier=_stage_times(people, model.ar, as_of, kommune.visningsnavn, kommunenummer=kommunenummer))


# --- reports --------------------------------------------------------------------------------------------------
@router.get("/rapporter")
@page(access.is_reader)
async def report_list(request: Request, p: Principal, melding: str | None = None) -> Response:
    model = service.model_for(max(years()))
    async with request.app.state.db.sessions() as session:
        seen = await workflow.visible(session, access.is_internal(p))
        rows = [views._listed(r, p, seen) for r in await service.versions(session, None, None) if seen.allows(r)]
        reports_in_workflow = [o for o in await workflow.obligation_overview(session, model, today_oslo())
                               if o["rapporttype"] in workflow.MANUAL_TYPES] if seen.internal else []
    calendar = [(o["rapporttype"], o["periode"]) for o in reports_in_workflow]
    return render(request, "rapporter.html", p, rows=rows, writer=access.is_writer(p), calendar=calendar,
                  flow=reports_in_workflow, intern=seen.internal, melding=melding)


def _number(value: str, what: str) -> int:
    """A whole number from the URL, or a Norwegian 404 page (never a JSON validation error)."""
    if not value.isdigit() or not 1 <= int(value) <= 2_147_483_647:
        raise errors.NotFound(f"{what} må være et positivt heltall.")
    return int(value)


async def _version(request: Request, p: Principal, rapporttype: str, periode: str, versjon: str) -> tuple[dict, dict]:
    if rapporttype not in REPORT_TYPES or re.fullmatch(views.PERIOD, periode) is None:
        raise errors.NotFound("Ukjent rapporttype eller periode.")
    versjon = _number(versjon, "Versjonen")
    async with request.app.state.db.sessions() as session:
        seen = await workflow.visible(session, access.is_internal(p))
        row = await views._version(session, rapporttype, periode, versjon, seen)  # JD: sent versions only
    return row, json.loads(views._rendering(row, p)[0])


@router.get("/rapporter/{rapporttype}/{periode}/endringer")
@page(access.is_reader)
async def report_diff(request: Request, p: Principal, rapporttype: str, periode: str, fra: str = "1",
                      til: str = "2") -> Response:
    _, old = await _version(request, p, rapporttype, periode, fra)
    _, new = await _version(request, p, rapporttype, periode, til)
    return render(request, "endringer.html", p, rapporttype=rapporttype, periode=periode, fra=fra, til=til,
                  changes=reports.diff(old, new))


# --- the report workflow: the same service functions as the API's routes ---------------------------------------
def _known(rapporttype: str, periode: str) -> None:
    if rapporttype not in REPORT_TYPES or re.fullmatch(views.PERIOD, periode) is None:
        raise errors.NotFound("Ukjent rapporttype eller periode.")
    workflow.check_known(service.model_for(service.year_of(periode)), rapporttype, periode)


def _buttons(p: Principal, state: workflow.State, rapporttype: str) -> list[str]:
    """The steps this user may try now: the workflow's possible steps, narrowed by the user's scopes."""
    mine = {"send_til_godkjenning": access.is_writer(p), "godkjenn": access.is_approver(p),
            "avvis": access.is_approver(p), "send": access.is_approver(p)}
    return [a for a in workflow.allowed_actions(state, rapporttype) if mine.get(a)]


async def _flow_page(request: Request, p: Principal, rapporttype: str, periode: str, status_code: int = 200,
                     **context: Any) -> Response:
    async with request.app.state.db.sessions() as session:
        history = await workflow.steps(session, rapporttype, periode)
    state = workflow.fold(history)
    return render(request, "arbeidsflyt.html", p, status_code=status_code, rapporttype=rapporttype, periode=periode,
                  state=state, history=[workflow.shown_step(s) for s in history],
                  buttons=_buttons(p, state, rapporttype), **context)


@router.get("/rapporter/{rapporttype}/{periode}/arbeidsflyt")
@page(access.is_internal)
async def report_flow(request: Request, p: Principal, rapporttype: str, periode: str,
                      melding: str | None = None) -> Response:
    _known(rapporttype, periode)
    return await _flow_page(request, p, rapporttype, periode, melding=melding)


@router.post("/rapporter/{rapporttype}/{periode}/arbeidsflyt")
@page(lambda p: access.is_writer(p) or access.is_approver(p))
async def report_step(request: Request, p: Principal, rapporttype: str, periode: str) -> Response:
    """One step (submit, approve, send back, send) through workflow.py, exactly as the API's routes call it;
    a refusal is shown on the page in Norwegian (with the list of what is missing), and nothing is changed."""
    _known(rapporttype, periode)
    fields = await form(request)
    action = fields.get("handling", "")
    reason = fields.get("begrunnelse", "").strip() or None
    settings = request.app.state.settings
    try:
        if action not in ("send_til_godkjenning", "godkjenn", "avvis", "send"):
            raise errors.Invalid.field("handling", "Ukjent handling.")
        if reason is not None and len(reason) > 4000:
            raise errors.Invalid.field("begrunnelse", "Begrunnelsen kan være høyst 4000 tegn.")
        actor = views._actor(p, settings)
        uow = request.app.state.db.unit_of_work(source_service=settings.service_name)
        uow.on_commit(request.app.state.relay.notify)
        if action == "send_til_godkjenning":
            if not access.is_writer(p):
                raise errors.Forbidden("Å sende til godkjenning krever scope imdi:rapport.write.")
            step = await workflow.submit(db=request.app.state.db, uow=uow, consumer=settings.consumer_group,
                                         threshold=settings.prikking_terskel, report_type=rapporttype,
                                         period=periode, actor=actor, by=p.subject)
        else:
            step = await workflow.take_step(uow=uow, report_type=rapporttype, period=periode, action=action,
                                            actor=actor, reason=reason)
    except errors.DomainError as exc:
        code = {errors.NotFound: 404, errors.Invalid: 422, errors.Forbidden: 403}.get(type(exc), 409)
        problems = [f["melding"] for f in exc.extra.get("feil", [])]
        return await _flow_page(request, p, rapporttype, periode, status_code=code, feil=exc.detail,
                                mangler=exc.extra.get("mangler", []), feilliste=problems,
                                begrunnelse=reason or "")
    except WriteConflict:
        return await _flow_page(request, p, rapporttype, periode, status_code=409,
                                feil="Noen andre endret rapporten samtidig. Se tilstanden og prøv igjen.")
    done = {"send_til_godkjenning": f"Versjon {step['versjon']} er fryst og sendt til godkjenning.",
            "godkjenn": f"Versjon {step['versjon']} er godkjent.",
            "avvis": "Rapporten er sendt tilbake til utkast.",
            "send": f"Versjon {step['versjon']} er sendt til JD."}[action]
    return RedirectResponse(f"/dashboard/rapporter/{rapporttype}/{periode}/arbeidsflyt?" + urlencode(
        {"melding": done}), status_code=303)


@router.get("/rapporter/{rapporttype}/{periode}/{versjon}")
@page(access.is_reader)
async def report_view(request: Request, p: Principal, rapporttype: str, periode: str, versjon: str) -> Response:
    row, content = await _version(request, p, rapporttype, periode, versjon)
    async with request.app.state.db.sessions() as session:
        seen = await workflow.visible(session, access.is_internal(p))
        others = [v["versjon"] for v in await service.versions(session, rapporttype, periode)
                  if v["versjon"] != row["versjon"] and seen.allows(v)]
    return render(request, "rapport.html", p, row=views._listed(
        {k: row[k] for k in ("rapporttype", "periode", "versjon", "sha256", "sha256_ekstern", "publisert",
                             "publisert_av")}, p, seen), content=content, intern=access.is_internal(p), others=others)


@router.get("/rapporter/{rapporttype}/{periode}/{versjon}/excel")
@page(access.is_reader)
async def report_excel(request: Request, p: Principal, rapporttype: str, periode: str, versjon: str) -> Response:
    row, _ = await _version(request, p, rapporttype, periode, versjon)
    return views._serve(row, p, views.XLSX, None)


# --- the agency's assessment ------------------------------------------------------------------------------------
@router.post("/vurderinger/{ar}/{objekt}")
@page(access.is_writer)
async def assess(request: Request, p: Principal, ar: str, objekt: str) -> Response:
    fields = await form(request)
    ar = _number(ar, "Året")
    model = service.model_for(ar)
    service.check_object(model, objekt)
    try:
        body = views.VurderingInn.model_validate({
            "status": fields.get("status", ""), "begrunnelse": fields.get("begrunnelse", "").strip(),
            "tiltak": fields.get("tiltak", "").strip() or None, "dato": fields.get("dato", "")})
    except ValidationError as exc:
        messages = [_field_error(e) for e in exc.errors()]
        return RedirectResponse("/dashboard/?" + urlencode({"ar": ar, "per_dato": fields.get("per_dato", ""),
                                                             "melding": f"{objekt}: " + " ".join(messages)}) +
                                f"#{objekt}", status_code=303)
    uow = request.app.state.db.unit_of_work(source_service=request.app.state.settings.service_name)
    uow.on_commit(request.app.state.relay.notify)
    await service.record(uow=uow, data=ev.RisikovurderingV1(ar=ar, objekt=objekt, **body.model_dump()))
    return RedirectResponse("/dashboard/?" + urlencode({
        "ar": ar, "per_dato": fields.get("per_dato", ""),
        "melding": f"Vurderingen av {objekt} er mottatt og vises om et øyeblikk."}) + f"#{objekt}", status_code=303)


FIELD_NAMES = {"status": "Vurdering", "begrunnelse": "Begrunnelse", "tiltak": "Tiltak", "dato": "Dato"}


def _field_error(error: dict) -> str:
    field = FIELD_NAMES.get(str(error["loc"][0]) if error["loc"] else "", "Skjemaet")
    kind = error["type"]
    if kind in ("string_too_short", "missing"):
        return f"{field} må fylles ut."
    if kind == "string_too_long":
        return f"{field} er for lang."
    if kind.startswith("date"):
        return f"{field} må være en gyldig dato."
    if kind == "literal_error":
        return f"{field}: velg grønn, gul eller rød."
    return f"{field} er ugyldig."


# --- the agency's narrative per reporting requirement --------------------------------------------------------------
def _requirements(rapporttype: str, periode: str):
    """The requirements the report must answer, as the API checks them (``PUT …/tekster/{krav}``)."""
    if rapporttype not in ("halvarsrapport", "arsrapport") or re.fullmatch(views.PERIOD, periode) is None:
        raise errors.NotFound("Tekster skrives bare til halvårsrapporten og årsrapporten.")
    model = service.model_for(service.year_of(periode))
    try:
        reports.period_info(model, rapporttype, periode)
    except reports.UnknownPeriod as exc:
        raise errors.NotFound(str(exc)) from exc
    return model, [r for r in model.rapporteringskrav if rapporttype in r.frekvens]


@router.get("/tekster/{rapporttype}/{periode}")
@page(access.is_writer)
async def texts(request: Request, p: Principal, rapporttype: str, periode: str, melding: str | None = None,
                ) -> Response:
    from rapportering import queries

    _, requirements = _requirements(rapporttype, periode)
    async with request.app.state.db.sessions() as session:
        written = await queries.texts(session, rapporttype, periode)
    return render(request, "tekster.html", p, rapporttype=rapporttype, periode=periode, requirements=requirements,
                  written=written, melding=melding)


@router.post("/tekster/{rapporttype}/{periode}/{krav}")
@page(access.is_writer)
async def write_text(request: Request, p: Principal, rapporttype: str, periode: str, krav: str) -> Response:
    _, requirements = _requirements(rapporttype, periode)
    requirement = next((r for r in requirements if r.id == krav), None)
    if requirement is None:
        raise errors.NotFound(f"{krav} skal ikke rapporteres i {REPORT_TYPES[rapporttype].lower()}en.")
    fields = await form(request)
    target = f"/dashboard/tekster/{rapporttype}/{periode}?"
    try:
        body = views.TekstInn.model_validate({"tekst": fields.get("tekst", "").strip()})
    except ValidationError:
        text = f"{krav}: Teksten må fylles ut og være høyst 20 000 tegn. Ingenting er lagret."
        return RedirectResponse(target + urlencode({"melding": text}) + f"#{krav}", status_code=303)
    uow = request.app.state.db.unit_of_work(source_service=request.app.state.settings.service_name)
    uow.on_commit(request.app.state.relay.notify)
    await service.record(uow=uow, data=ev.RapporttekstV1(rapporttype=rapporttype, periode=periode,
                                                         krav=requirement.id, tekst=body.tekst))
    return RedirectResponse(target + urlencode({"melding": f"Teksten til {krav} er mottatt og vises om et øyeblikk."})
                            + f"#{krav}", status_code=303)
