"""rapportering's HTTP layer: the steering model, live measures and risk, inputs, and JD's pull API."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from rapportering import budget, formats, queries, reports, service, webhooks, workflow
from rapportering.service import model_for
from shared import errors
from shared.app import SessionDep, SettingsDep, UowDep
from shared.auth import Principal, require_scope
from shared.dates import today_oslo
from shared.events import schemas as ev
from shared.measure_schemas import MaalVerdi
from shared.problems import PROBLEM_RESPONSES, Problem

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, Depends(require_scope("imdi:rapport.read", "imdi:rapport.intern", "imdi:rapport.write"))]
Writer = Annotated[Principal, Depends(require_scope("imdi:rapport.write"))]
# IMDi's own users: live figures, drafts, lineage and data positions. External readers (JD) get 403 there and
# read published versions only, in their suppressed rendering.
Internal = Annotated[Principal, Depends(require_scope("imdi:rapport.intern", "imdi:rapport.write"))]
# the director's scope: approve, send back and send a report to JD
Approver = Annotated[Principal, Depends(require_scope(workflow.APPROVE_SCOPE))]
Versjon = Annotated[int, Path(ge=1, le=2_147_483_647)]
PERIOD = r"^[0-9]{4}(-H[12]|-(0[1-9]|1[0-2]))?$"
Ar = Annotated[int, Path(ge=2000, le=2100, examples=[2017])]
Rapporttype = Literal["halvarsrapport", "arsrapport", "manedsrapport"]
Periode = Annotated[str, Path(pattern=r"^[0-9]{4}(-H[12]|-(0[1-9]|1[0-2]))?$", examples=["2017-H1", "2017-03"])]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def internal(principal: Principal) -> bool:
    """IMDi's own users see unsuppressed figures; JD and other readers see published statistics."""
    return principal.has("imdi:rapport.intern") or principal.has("imdi:rapport.write")


def as_of_for(year: int, per_dato: date | None) -> date:
    return per_dato or min(today_oslo(), date(year, 12, 31))


# --- steering model, measures, risk ---------------------------------------------------------------------
styring = APIRouter(tags=["styringsmodell og måling"])


@styring.get("/styringsmodell/{ar}", summary="Tildelingsbrevet som data: mål, SP, R, O, budsjett, kalender")
async def get_model(ar: Ar, principal: Reader) -> dict[str, Any]:
    return model_for(ar).model_dump(mode="json")


@styring.get("/styringsparametere/{sp}/verdi", response_model=MaalVerdi,
             summary="Løpende verdi for en styringsparameter i en periode (de som måles fra hendelser)",
             responses={304: {"description": "Uendret siden svaret med denne ETag-en (If-None-Match)"}})
async def get_value(request: Request, session: SessionDep, principal: Internal,
                    sp: Annotated[str, Path(pattern=r"^SP[0-9]{1,2}(\.[0-9])?$", examples=["SP1"])],
                    periode: Annotated[str, Query(pattern=PERIOD, description="ÅÅÅÅ, ÅÅÅÅ-H1|H2 or ÅÅÅÅ-MM",
                                                  examples=["2017"])],
                    if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """Served from a cache while no new events are applied; the ETag changes with the figures."""
    answer = await service.value_answer(session=session, cache=request.app.state.answers, measure=sp,
                                        period=periode, internal=internal(principal))
    return _cached(answer, if_none_match)


def _cached(answer: service.Answer, if_none_match: str | None) -> Response:
    headers = {"ETag": answer.etag, "Cache-Control": "private, no-cache", "Vary": "Authorization"}
    if if_none_match and answer.etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(content=answer.body, media_type="application/json", headers=headers)


class Hendelse(BaseModel):
    id: str
    type: str
    tid: str = Field(description="The event's own time (ISO 8601 with offset).")
    behandlet: str = Field(description="When rapportering applied it.")


class Hendelser(BaseModel):
    styringsparameter: str
    periode: str
    dimensjon: str
    verdi: str
    hendelser: list[Hendelse]
    neste: str | None


@styring.get("/styringsparametere/{sp}/verdi/hendelser", response_model=Hendelser,
             summary="Opphav: hendelsene bak et tall (id, type, tid); for IMDi (imdi:rapport.intern)")
async def lineage(session: SessionDep, principal: Internal,
                  sp: Annotated[str, Path(pattern=r"^SP[0-9]{1,2}(\.[0-9])?$", examples=["SP1"])],
                  periode: Annotated[str, Query(pattern=PERIOD)],
                  dimensjon: Annotated[Literal["alle", "kjonn", "fylke", "kommune", "em_aldersgruppe", "kategori"],
                                       Query()] = "alle",
                  verdi: Annotated[str, Query(max_length=24)] = "alle",
                  limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
                  etter: Annotated[str | None, Query(max_length=64)] = None) -> Hendelser:
    service.check_measured(sp)
    rows = await queries.events_for_cell(session, sp, periode, dimensjon, verdi, limit, etter)
    return Hendelser(styringsparameter=sp, periode=periode, dimensjon=dimensjon, verdi=verdi,
                     hendelser=[Hendelse(id=r["event_id"], type=r["event_type"], tid=r["event_time"].isoformat(),
                                         behandlet=r["processed_at"].isoformat()) for r in rows],
                     neste=rows[-1]["event_id"] if len(rows) == limit else None)


@styring.get("/styringsparametere", summary="Alle styringsparametere med verdi, framskriving og risiko")
async def list_sps(session: SessionDep, principal: Internal,
                   ar: Annotated[int, Query(ge=2000, le=2100, examples=[2017])],
                   per_dato: Annotated[date | None, Query(description="Default: today, or 31.12 for a past year")]
                   = None) -> list[dict[str, Any]]:
    return await service.sp_overview(session=session, model=model_for(ar), as_of=as_of_for(ar, per_dato))


@styring.get("/oppdrag", summary="Alle oppdrag med milepæler og risiko")
async def list_assignments(session: SessionDep, principal: Internal,
                           ar: Annotated[int, Query(ge=2000, le=2100, examples=[2017])],
                           per_dato: Annotated[date | None, Query()] = None) -> list[dict[str, Any]]:
    model = model_for(ar)
    return await service.assignment_overview(session=session, model=model, as_of=as_of_for(ar, per_dato))


@styring.get("/budsjett", summary="Budsjettet: ramme, forbruk per dato, forpliktet og prognose per post og binding, "
             "med risiko for over- eller mindreforbruk",
             responses={200: {"content": {"application/json": {"example": {
                 "status": "data", "telletidspunkt": "2017-06-30", "enhet": "1000 kroner", "enhet_forbruk": "kroner",
                 "kapitler": [{"kapittel": 496, "navn": "Bosetting av flyktninger og tiltak for innvandrere",
                               "sum": 16167902, "poster": [{
                                   "post": "62", "navn": "Kommunale innvandrertiltak", "tildelt": 160670,
                                   "forbruk": "4000000.00", "forpliktet": "4000000.00", "prognose_rest": "0.00",
                                   "prognose": "4000000.00", "per_dato": "2017-06-30",
                                   "risiko": {"status": "rod", "retning": "under", "begrunnelse": "…"},
                                   "bindinger": [{"binding": "gronland-oslo", "ramme": "4000000.00",
                                                  "forbruk": "4000000.00", "forpliktet": "4000000.00",
                                                  "prognose_rest": "0.00", "prognose": "4000000.00",
                                                  "per_dato": "2017-06-30"}]}]}]}}}}})
async def budget_overview(session: SessionDep, principal: Internal,
                          ar: Annotated[int, Query(ge=2000, le=2100, examples=[2017])],
                          per_dato: Annotated[date | None, Query(description="Default: today, or 31.12 for a past "
                                                                 "year")] = None) -> dict[str, Any]:
    return await budget.section(session, model_for(ar), as_of_for(ar, per_dato))


class Steg(BaseModel):
    id: str = Field(examples=["utvalgt_akseptert"])
    tekst: str = Field(examples=["Fra utvalgt til akseptert av kommunen"])
    gjennom: int = Field(description="Personer som gikk gjennom steget i året, til og med per_dato.")
    median_dager: float | None
    p90_dager: float | None = Field(description="90-persentilen av dagene i steget.")
    venter: int = Field(description="Personer som står i steget på per_dato.")
    venter_median_dager: float | None = Field(description="Hvor lenge de som står i steget har ventet (median).")


class Stadier(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "ar": 2017, "per_dato": "2017-06-30", "kommunenummer": None, "fylkesnummer": None,
        "enslig_mindrearig": None, "stadier": [{
            "id": "utvalgt_akseptert", "tekst": "Fra utvalgt til akseptert av kommunen", "gjennom": 2210,
            "median_dager": 41.0, "p90_dager": 118.0, "venter": 640, "venter_median_dager": 37.0}],
        "hele_lopet": {"id": "vedtak_bosatt", "tekst": "Fra vedtak til bosatt (hele løpet)", "gjennom": 5120,
                       "median_dager": 160.0, "p90_dager": 402.0, "venter": 2210, "venter_median_dager": 121.0},
        "flaskehals": "utvalgt_akseptert", "flest_venter": None}]})

    ar: int
    per_dato: date
    kommunenummer: str | None
    fylkesnummer: str | None
    enslig_mindrearig: bool | None
    stadier: list[Steg]
    hele_lopet: Steg
    flaskehals: str | None = Field(description="Steget med lengst median tid (metoden: rapportering/stages.py).")
    flest_venter: str | None = Field(description="Steget der flest venter nå, når det er et annet enn flaskehalsen.")


def _steg(f) -> Steg:
    return Steg(id=f.stage.id, tekst=f.stage.tekst, gjennom=f.through, median_dager=f.median, p90_dager=f.p90,
                venter=f.waiting, venter_median_dager=f.waiting_median)


@styring.get("/bosetting/stadier/{ar}", response_model=Stadier,
             summary="Tid i hvert steg i bosettingen og flaskehalsen (O1), for landet, et fylke eller en kommune")
async def settlement_stages(session: SessionDep, principal: Internal, ar: Ar,
                            per_dato: Annotated[date | None, Query(description="Default: today, or 31.12 for a past "
                                                                   "year")] = None,
                            fylke: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
                            kommune: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
                            em: Annotated[bool | None, Query(description="true: bare enslige mindreårige; false: "
                                                             "bare de andre")] = None) -> Stadier:
    if principal.kommunenummer is not None:  # a municipality's token sees its own kommune only
        if fylke is not None or (kommune is not None and kommune != principal.kommunenummer):
            raise errors.Forbidden("En kommune ser bare sine egne tall.")
        kommune = principal.kommunenummer
    as_of = as_of_for(ar, per_dato)
    times = await service.stage_times(session=session, year=ar, as_of=as_of, kommunenummer=kommune,
                                      fylkesnummer=fylke, em=em)
    return Stadier(ar=ar, per_dato=as_of, kommunenummer=kommune, fylkesnummer=fylke, enslig_mindrearig=em,
                   stadier=[_steg(f) for f in times.stages], hele_lopet=_steg(times.whole_run),
                   flaskehals=times.bottleneck.stage.id if times.bottleneck else None,
                   flest_venter=times.most_waiting.stage.id if times.most_waiting else None)


# --- inputs ----------------------------------------------------------------------------------------------
inn = APIRouter(tags=["milepæler, vurderinger og tekster"])


class Mottatt(BaseModel):
    hendelse: str = Field(description="The event id; the read model shows it once it is applied (seconds).")


class MilepaelInn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"ferdig": True, "fremdrift": 100, "dato": "2017-02-20", "kommentar": "Utbetalt til Oslo kommune."}]})

    ferdig: bool
    fremdrift: int = Field(ge=0, le=100)
    dato: date
    kommentar: str | None = Field(default=None, max_length=2000)


@inn.post("/oppdrag/{ar}/{oppdrag}/milepaeler/{milepael}", status_code=202, response_model=Mottatt,
          summary="Oppdater en milepæl (ferdig, framdrift, dato, kommentar); historikken beholdes")
async def update_milestone(ar: Ar, oppdrag: Annotated[str, Path(pattern=r"^O[0-9]+$")],
                           milepael: Annotated[str, Path(pattern=r"^M[0-9]+$")], body: MilepaelInn, uow: UowDep,
                           principal: Writer) -> Mottatt:
    service.check_milestone(model_for(ar), oppdrag, milepael)
    if body.ferdig and body.fremdrift != 100:
        raise errors.Invalid.field("fremdrift", "En ferdig milepæl har 100 % framdrift.")
    data = ev.MilepaelOppdatertV1(ar=ar, oppdrag=oppdrag, milepael=milepael, **body.model_dump())
    return Mottatt(hendelse=await service.record(uow=uow, data=data))


@inn.get("/oppdrag/{ar}/{oppdrag}/milepaeler/{milepael}/historikk", summary="Alle oppdateringer av en milepæl")
async def milestone_history(ar: Ar, oppdrag: Annotated[str, Path(pattern=r"^O[0-9]+$")],
                            milepael: Annotated[str, Path(pattern=r"^M[0-9]+$")], session: SessionDep,
                            principal: Internal) -> list[dict[str, Any]]:
    service.check_milestone(model_for(ar), oppdrag, milepael)
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
            for r in await queries.milestone_history(session, ar, oppdrag, milepael)]


class VurderingInn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"status": "gul", "begrunnelse": "Færre kommunevedtak enn anmodet.", "tiltak": "Tettere oppfølging.",
         "dato": "2017-06-30"}]})

    status: Literal["gronn", "gul", "rod"]
    begrunnelse: str = Field(min_length=1, max_length=4000)
    tiltak: str | None = Field(default=None, max_length=4000)
    dato: date


@inn.post("/risikovurderinger/{ar}/{objekt}", status_code=202, response_model=Mottatt,
          summary="Virksomhetens egen risikovurdering og tiltak (vises ved siden av den beregnede)")
async def assess(ar: Ar, objekt: Annotated[str, Path(pattern=r"^(SP[0-9]+(\.[0-9])?|O[0-9]+)$")], body: VurderingInn,
                 uow: UowDep, principal: Writer) -> Mottatt:
    service.check_object(model_for(ar), objekt)
    return Mottatt(hendelse=await service.record(uow=uow, data=ev.RisikovurderingV1(ar=ar, objekt=objekt,
                                                                                   **body.model_dump())))


class TekstInn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"tekst": "Tiltak for å korte ned …"}]})

    tekst: str = Field(min_length=1, max_length=20000)


@inn.put("/rapporter/{rapporttype}/{periode}/tekster/{krav}", status_code=202, response_model=Mottatt,
         summary="Virksomhetens tekst for et rapporteringskrav i en rapport")
async def put_text(rapporttype: Literal["halvarsrapport", "arsrapport"], periode: Periode,
                   krav: Annotated[str, Path(pattern=r"^R[0-9]+(\.[0-9])?$")], body: TekstInn, uow: UowDep,
                   principal: Writer) -> Mottatt:
    model = model_for(service.year_of(periode))
    try:
        reports.period_info(model, rapporttype, periode)
    except reports.UnknownPeriod as exc:
        raise Problem(404, str(exc)) from exc
    requirement = model.krav(krav)
    if requirement is None or rapporttype not in requirement.frekvens:
        raise Problem(404, f"{krav} skal ikke rapporteres i {rapporttype}.")
    data = ev.RapporttekstV1(rapporttype=rapporttype, periode=periode, krav=requirement.id, tekst=body.tekst)
    return Mottatt(hendelse=await service.record(uow=uow, data=data))


# --- reports: JD's pull API --------------------------------------------------------------------------------
rapporter = APIRouter(tags=["rapporter"])


def _wants(accept: str | None) -> str:
    accept = (accept or "*/*").lower()
    if XLSX in accept or "application/vnd.ms-excel" in accept:
        return "xlsx"
    if "application/json" in accept or "*/*" in accept or "application/*" in accept:
        return "json"
    raise Problem(406, "Rapporten leveres som application/json eller " + XLSX + ".")


def _rendering(row: dict, principal: Principal) -> tuple[bytes, str]:
    """The content this reader gets and its SHA-256: internal readers the version as computed, external
    readers the suppressed rendering stored at publish time (never anything derived from the other)."""
    if internal(principal):
        return row["innhold"].encode(), row["sha256"]
    if row.get("innhold_ekstern") is None:
        raise Problem(404, "Denne versjonen har ingen prikket utgave og kan ikke leveres eksternt.")
    return row["innhold_ekstern"].encode(), row["sha256_ekstern"]


def _serve(row: dict, principal: Principal, accept: str | None, if_none_match: str | None) -> Response:
    body, digest = _rendering(row, principal)
    kind = _wants(accept)
    if kind == "xlsx":
        body, media = formats.excel(json.loads(body)), XLSX
    else:
        media = "application/json"
    # JSON: the hash of the bytes served. Excel files carry their own timestamps, so their tag names the
    # rendering's hash and the form.
    tag_source = body if kind == "json" else f"{digest}/xlsx".encode()
    etag = f'"{reports.sha256(tag_source)}"'
    headers = {"ETag": etag, "X-Rapport-Versjon": str(row["versjon"]), "X-Rapport-Sha256": digest,
               "Cache-Control": "private, must-revalidate", "Vary": "Accept, Authorization"}
    if kind == "xlsx":
        name = f'{row["rapporttype"]}-{row["periode"]}-v{row["versjon"]}.xlsx'
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type=media, headers=headers)


async def _latest(session, rapporttype: str, periode: str, seen: workflow.Visible) -> dict:
    row = await workflow.latest_visible(session, rapporttype, periode, seen)
    if row is not None:
        return row
    if rapporttype == "manedsrapport":
        raise Problem(404, f"Månedsrapporten for {periode} er ikke publisert. Månedsrapporter publiseres "
                      "automatisk etter at måneden er avsluttet.")
    raise Problem(404, f"{rapporttype} for {periode} er ikke {'publisert' if seen.internal else 'sendt'} ennå.")


async def _version(session, rapporttype: str, periode: str, versjon: int, seen: workflow.Visible) -> dict:
    """A version the reader may get: JD only versions sent to it (others do not exist for JD)."""
    row = await service.get_version(session, rapporttype, periode, versjon)
    if not seen.allows(row):
        raise errors.NotFound(f"Versjon {versjon} av {rapporttype} {periode} finnes ikke.")
    return row


def _listed(row: dict, principal: Principal, seen: workflow.Visible) -> dict[str, Any]:
    out = {**row, "publisert": row["publisert"].isoformat()}
    if not internal(principal):
        out["sha256"] = out.pop("sha256_ekstern")
        out["publisert_av"] = service.shown_publisher(row["publisert_av"])
        out["sendt"] = seen.sent[(row["rapporttype"], row["periode"])][row["versjon"]].isoformat()
    return out


ACCEPT_DOC = {"content": {"application/json": {}, XLSX: {}}, "description": "Rapporten (JSON eller Excel)"}


@rapporter.get("/rapporter", summary="Publiserte rapportversjoner")
async def list_reports(session: SessionDep, principal: Reader, type: Rapporttype | None = None,
                       periode: Annotated[str | None, Query(pattern=PERIOD)] = None) -> list[dict[str, Any]]:
    """IMDi sees every frozen version; JD the versions sent to it."""
    seen = await workflow.visible(session, internal(principal))
    return [_listed(r, principal, seen) for r in await service.versions(session, type, periode) if seen.allows(r)]


@rapporter.get("/rapporter/{rapporttype}/{periode}", summary="Siste versjon av en rapport (Accept: JSON eller Excel)",
               responses={200: ACCEPT_DOC, 304: {"description": "Uendret (If-None-Match)"},
                          406: {"description": "Formatet kan ikke leveres"}})
async def get_report(rapporttype: Rapporttype, periode: Periode, session: SessionDep, principal: Reader,
                     accept: Annotated[str | None, Header()] = None,
                     if_none_match: Annotated[str | None, Header()] = None) -> Response:
    seen = await workflow.visible(session, internal(principal))
    return _serve(await _latest(session, rapporttype, periode, seen), principal, accept, if_none_match)


@rapporter.get("/rapporter/{rapporttype}/{periode}/versjoner/{versjon}", summary="En bestemt versjon",
               responses={200: ACCEPT_DOC, 304: {"description": "Uendret"}})
async def get_report_version(rapporttype: Rapporttype, periode: Periode, versjon: Versjon, session: SessionDep,
                             principal: Reader, accept: Annotated[str | None, Header()] = None,
                             if_none_match: Annotated[str | None, Header()] = None) -> Response:
    row = await _version(session, rapporttype, periode, versjon, await workflow.visible(session, internal(principal)))
    return _serve(row, principal, accept, if_none_match)


@rapporter.get("/rapporter/{rapporttype}/{periode}/versjoner/{versjon}/endringer",
               summary="Hva som er endret fra forrige versjon")
async def report_diff(rapporttype: Rapporttype, periode: Periode, versjon: Versjon, session: SessionDep,
                      principal: Reader) -> dict[str, Any]:
    """Between the renderings this reader gets: external readers see the diff of the suppressed ones, from the
    version sent before this one."""
    seen = await workflow.visible(session, internal(principal))
    new = await _version(session, rapporttype, periode, versjon, seen)
    previous = seen.previous(new)
    old = await service.get_version(session, rapporttype, periode, previous) if previous else None
    a = json.loads(_rendering(old, principal)[0]) if old else {}
    b = json.loads(_rendering(new, principal)[0])
    return {"versjon": versjon, "forrige": previous, "endringer": reports.diff(a, b)}


@rapporter.get("/rapporter/{rapporttype}/{periode}/versjoner/{versjon}/posisjon",
               summary="Dataposisjonen versjonen ble beregnet fra (antall hendelser og hash av hendelses-id-ene)")
async def report_position(rapporttype: Rapporttype, periode: Periode, versjon: Versjon, session: SessionDep,
                          principal: Internal) -> dict[str, Any]:
    row = await service.get_version(session, rapporttype, periode, versjon)
    position = json.loads(row["posisjon"])
    return {"hendelser": position["hendelser"], "sha256": position["sha256"], "innhold_sha256": row["sha256"]}


@rapporter.get("/rapporter/{rapporttype}/{periode}/versjoner/{versjon}/statistikk",
               summary="Bosettingsstatistikken som JSON-stat 2.0")
async def report_jsonstat(rapporttype: Literal["halvarsrapport", "arsrapport"], periode: Periode,
                          versjon: Versjon, session: SessionDep, principal: Reader,
                          niva: Literal["kommune", "fylke"] = "kommune") -> JSONResponse:
    row = await _version(session, rapporttype, periode, versjon, await workflow.visible(session, internal(principal)))
    return JSONResponse(formats.jsonstat(json.loads(_rendering(row, principal)[0]), niva))


@rapporter.get("/rapporter/{rapporttype}/{periode}/utkast", summary="Rapporten slik den ser ut nå (ikke publisert)")
async def draft(rapporttype: Rapporttype, periode: Periode, session: SessionDep, principal: Internal) -> JSONResponse:
    try:
        content = await reports.build(session, model_for(service.year_of(periode)), rapporttype, periode)
    except reports.UnknownPeriod as exc:
        raise Problem(404, str(exc)) from exc
    return JSONResponse(content)


# --- the workflow: submit, approve, send back, send; the calendar as obligations ----------------------------
flyt = APIRouter(tags=["arbeidsflyt"])


class StegInn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"begrunnelse": "Godkjent."}]})

    begrunnelse: str | None = Field(default=None, max_length=4000, description="Why (optional here).")


class AvvisInn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"begrunnelse": "R3 mangler tall for andre halvår."}]})

    begrunnelse: str = Field(min_length=1, max_length=4000, description="Why the report is sent back.")


def _step_answer(step: dict[str, Any], status_code: int = 200) -> JSONResponse:
    path = f"/api/v1/rapporter/{step['rapporttype']}/{step['periode']}"
    headers = {"Location": f"{path}/versjoner/{step['versjon']}"} if step["versjon"] else {}
    return JSONResponse({"rapporttype": step["rapporttype"], "periode": step["periode"],
                         **workflow.shown_step(step)}, status_code=status_code, headers=headers)


def _actor(principal: Principal, settings) -> workflow.Actor:
    return workflow.actor_from(principal, settings.pseudonym_key.get_secret_value())


@flyt.get("/rapporter/{rapporttype}/{periode}/arbeidsflyt",
          summary="Rapportens tilstand, mulige handlinger og historikk (rolle og enhet, hvem, når og hvorfor)")
async def workflow_state(rapporttype: Rapporttype, periode: Periode, session: SessionDep,
                         principal: Internal) -> dict[str, Any]:
    workflow.check_known(model_for(service.year_of(periode)), rapporttype, periode)
    history = await workflow.steps(session, rapporttype, periode)
    state = workflow.fold(history)
    return {"rapporttype": rapporttype, "periode": periode, "tilstand": state.tilstand, "versjon": state.versjon,
            "sendte_versjoner": [v for v, _ in state.sendte],
            "mulige_handlinger": workflow.allowed_actions(state, rapporttype),
            "historikk": [workflow.shown_step(s) for s in history]}


@flyt.post("/rapporter/{rapporttype}/{periode}/send-til-godkjenning", status_code=201,
           summary="Frys en versjon og send den til godkjenning (avvises med liste over det som mangler)",
           responses={201: {"description": "Versjonen er fryst og venter på godkjenning"},
                      409: {"description": "Ufullstendig, uendret eller feil tilstand"}})
async def submit(request: Request, rapporttype: Rapporttype, periode: Periode, settings: SettingsDep, uow: UowDep,
                 principal: Writer) -> JSONResponse:
    step = await workflow.submit(db=request.app.state.db, uow=uow, consumer=settings.consumer_group,
                                 threshold=settings.prikking_terskel, report_type=rapporttype, period=periode,
                                 actor=_actor(principal, settings), by=principal.subject)
    return _step_answer(step, 201)


@flyt.post("/rapporter/{rapporttype}/{periode}/godkjenn",
           summary="Godkjenn versjonen som venter (en annen person enn den som sendte den; imdi:rapport.godkjenn)",
           responses={409: {"description": "Feil tilstand eller ufullstendig"}})
async def approve(rapporttype: Rapporttype, periode: Periode, settings: SettingsDep, uow: UowDep,
                  principal: Approver, body: StegInn | None = None) -> JSONResponse:
    step = await workflow.take_step(uow=uow, report_type=rapporttype, period=periode, action="godkjenn",
                                    actor=_actor(principal, settings), reason=body.begrunnelse if body else None)
    return _step_answer(step)


@flyt.post("/rapporter/{rapporttype}/{periode}/avvis", summary="Send rapporten tilbake til utkast, med begrunnelse",
           responses={409: {"description": "Feil tilstand"}})
async def send_back(rapporttype: Rapporttype, periode: Periode, body: AvvisInn, settings: SettingsDep,
                    uow: UowDep, principal: Approver) -> JSONResponse:
    step = await workflow.take_step(uow=uow, report_type=rapporttype, period=periode, action="avvis",
                                    actor=_actor(principal, settings), reason=body.begrunnelse)
    return _step_answer(step)


@flyt.post("/rapporter/{rapporttype}/{periode}/send",
           summary="Send den godkjente versjonen til JD (JD varsles: rapport-sendt og webhooks)",
           responses={409: {"description": "Feil tilstand"}})
async def send(rapporttype: Rapporttype, periode: Periode, settings: SettingsDep, uow: UowDep,
               principal: Approver, body: StegInn | None = None) -> JSONResponse:
    step = await workflow.take_step(uow=uow, report_type=rapporttype, period=periode, action="send",
                                    actor=_actor(principal, settings), reason=body.begrunnelse if body else None)
    return _step_answer(step)


@flyt.get("/rapportforpliktelser",
          summary="Rapporteringskalenderen som frister: status i_rute, snart_frist eller forsinket, og risiko")
async def obligations(session: SessionDep, principal: Internal,
                      ar: Annotated[int, Query(ge=2000, le=2100, examples=[2017])],
                      per_dato: Annotated[date | None, Query(description="Default: today")] = None,
                      ) -> list[dict[str, Any]]:
    return await workflow.obligation_overview(session, model_for(ar), per_dato or today_oslo())


# --- webhooks for JD's systems -------------------------------------------------------------------------------
abonnement = APIRouter(tags=["webhooks"])
AbonnementId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]


class AbonnementInn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"url": "https://jd.example/imdi/rapporter", "hemmelighet": "en-lang-delt-hemmelighet-123",
         "rapporttyper": ["halvarsrapport", "arsrapport"]}]})

    url: str = Field(min_length=8, max_length=2000, description="http(s) URL the events are POSTed to.")
    hemmelighet: str = Field(min_length=16, max_length=200, description="Shared secret for the HMAC-SHA256 "
                             "signature. Never shown again.")
    rapporttyper: list[Rapporttype] = Field(default_factory=list, max_length=3,
                                            description="Only these report types; empty: all.")


@abonnement.post("/abonnementer", status_code=201,
                 summary="Registrer en webhook for rapport-sendt (URL og delt hemmelighet; signert med HMAC-SHA256)")
async def subscribe(request: Request, body: AbonnementInn, settings: SettingsDep, principal: Reader) -> JSONResponse:
    row = await webhooks.subscribe(db=request.app.state.db, owner=principal.subject, url=body.url,
                                   secret=body.hemmelighet, report_types=list(body.rapporttyper),
                                   restrict=settings.webhook_restrict)
    return JSONResponse(row, status_code=201, headers={"Location": f"/api/v1/abonnementer/{row['id']}"})


@abonnement.get("/abonnementer", summary="Egne webhook-abonnementer")
async def list_subscriptions(session: SessionDep, principal: Reader) -> list[dict[str, Any]]:
    return await webhooks.subscriptions(session=session, owner=principal.subject)


@abonnement.delete("/abonnementer/{abonnement_id}", status_code=204, summary="Avslutt et abonnement")
async def unsubscribe(request: Request, abonnement_id: AbonnementId, principal: Reader) -> Response:
    await webhooks.unsubscribe(db=request.app.state.db, owner=principal.subject, subscription_id=abonnement_id)
    return Response(status_code=204)


@abonnement.get("/abonnementer/{abonnement_id}/leveranser", summary="Leveranseloggen for et abonnement")
async def delivery_log(abonnement_id: AbonnementId, session: SessionDep, principal: Reader) -> list[dict[str, Any]]:
    return await webhooks.deliveries(session=session, owner=principal.subject, subscription_id=abonnement_id)


@abonnement.post("/abonnementer/{abonnement_id}/leveranser/{leveranse_id}/send-igjen", status_code=202,
                 summary="Lever en hendelse på nytt (igjen fra første forsøk)")
async def redeliver(request: Request, abonnement_id: AbonnementId, leveranse_id: AbonnementId,
                    principal: Reader) -> dict[str, Any]:
    return await webhooks.redeliver(db=request.app.state.db, owner=principal.subject, subscription_id=abonnement_id,
                                    delivery_id=leveranse_id)


router.include_router(styring)
router.include_router(inn)
router.include_router(rapporter)
router.include_router(flyt)
router.include_router(abonnement)
