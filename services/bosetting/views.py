"""Thin HTTP layer: validation and scopes here, rules in ``service``, ``rules`` and ``measures``."""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from bosetting import importer, measures, service
from bosetting.models import revisjonslogg
from bosetting.rules import em_aldersgruppe
from bosetting.schemas import (
    AnmodningInn,
    AnmodningUt,
    AvvikRapport,
    KommunevedtakInn,
    KommunevedtakUt,
    SakCreate,
    SakListe,
    SakPatch,
    SakRead,
    StadiumEndring,
)
from shared import audit, errors
from shared.app import SessionDep, SettingsDep, UowDep
from shared.auth import Principal, require_scope
from shared.bulk_import import ImportRapport, format_of, stopped_problem
from shared.dates import today_oslo
from shared.geo import kommuner_2017
from shared.measure_schemas import MaalVerdi
from shared.problems import PROBLEM_RESPONSES, Problem

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, Depends(require_scope("imdi:bosetting.read", "imdi:bosetting.write"))]
Writer = Annotated[Principal, Depends(require_scope("imdi:bosetting.write"))]
PERIOD = r"^[0-9]{4}(-H[12]|-(0[1-9]|1[0-2]))?$"
Periode = Annotated[str, Query(pattern=PERIOD, description="ÅÅÅÅ, ÅÅÅÅ-H1|H2 or ÅÅÅÅ-MM", examples=["2017"])]
Ar = Annotated[int, Path(ge=2000, le=2100, examples=[2017])]
Kommune = Annotated[str, Path(pattern=r"^[0-9]{4}$", examples=["0301"])]
Gruppe = Annotated[Literal["alle", "kjonn", "kategori", "em_aldersgruppe", "nedsatt_funksjonsevne", "fylke"],
                   Query(description="Group the figures by")]


def _etag(sak) -> str:
    return f'W/"{sak.id}-{sak.versjon}"'


def _if_match_version(if_match: str | None, sak_id: str) -> int | None:
    if if_match is None:
        return None
    prefix = f'W/"{sak_id}-'
    try:
        if not if_match.startswith(prefix) or not if_match.endswith('"'):
            raise ValueError
        return int(if_match[len(prefix):-1])
    except ValueError as exc:
        raise Problem(412, "If-Match passer ikke med denne saken.", slug="versjonskonflikt") from exc


def _kommune_exists(kommunenummer: str) -> None:
    if kommunenummer not in kommuner_2017():
        raise errors.Invalid.field("kommunenummer", "Kommunenummeret finnes ikke i 2017-inndelingen.")


def _imdi_only(principal: Principal) -> None:
    if principal.kommunenummer is not None:
        raise Problem(403, "Kommunebrukere ser bare tall for egen kommune.")


# --- cases -------------------------------------------------------------------------------------------
saker = APIRouter(tags=["saker"])


@saker.post("/saker", status_code=201, response_model=SakRead, summary="Opprett bosettingssak",
            responses={409: {"description": "DUF-nummeret eller ekstern id tilhører en annen sak"}})
async def create_sak(body: SakCreate, uow: UowDep, settings: SettingsDep, principal: Writer, request: Request,
                     response: Response, formal: audit.Formal = None) -> SakRead:
    _imdi_only(principal)
    sak = await service.create(uow=uow, data=body, pseudonym_key=settings.pseudonym_key.get_secret_value(),
                               actor=audit.Actor.of(principal, formal, request))
    response.headers["Location"] = f"/api/v1/saker/{sak.id}"
    response.headers["ETag"] = _etag(sak)
    return _read(sak)


@saker.get("/saker/{sak_id}", response_model=SakRead, summary="Hent en sak")
async def get_sak(sak_id: str, session: SessionDep, principal: Reader, request: Request, response: Response,
                  formal: audit.Formal = None) -> SakRead:
    sak = await service.read(session=session, sak_id=sak_id, principal=principal,
                             actor=audit.Actor.of(principal, formal, request))
    response.headers["ETag"] = _etag(sak)
    return _read(sak)


@saker.get("/saker", response_model=SakListe, summary="List saker (kommunebrukere ser bare egen kommune)")
async def list_saker(session: SessionDep, principal: Reader, request: Request,
                     kommunenummer: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
                     status: Annotated[Literal["vedtak", "klar", "utvalgt", "akseptert", "bosatt", "avsluttet"] | None,
                                       Query()] = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                     etter: Annotated[str | None, Query(max_length=36)] = None,
                     formal: audit.Formal = None) -> SakListe:
    found = await service.get_all(session=session, principal=principal, kommunenummer=kommunenummer, status=status,
                                  limit=limit, after=etter, actor=audit.Actor.of(principal, formal, request))
    return SakListe(saker=[_read(s) for s in found], antall=len(found),
                    neste=found[-1].id if len(found) == limit else None)


@saker.patch("/saker/{sak_id}", response_model=SakRead, summary="Korriger personopplysninger (krever If-Match)",
             responses={412: {"description": "Saken er endret"}, 428: {"description": "Mangler If-Match"}})
async def patch_sak(sak_id: str, body: SakPatch, uow: UowDep, settings: SettingsDep, principal: Writer,
                    request: Request, response: Response, if_match: Annotated[str | None, Header()] = None,
                    formal: audit.Formal = None) -> SakRead:
    sak = await service.update(uow=uow, sak_id=sak_id, data=body, principal=principal,
                               expected_version=_if_match_version(if_match, sak_id),
                               pseudonym_key=settings.pseudonym_key.get_secret_value(),
                               actor=audit.Actor.of(principal, formal, request))
    response.headers["ETag"] = _etag(sak)
    return _read(sak)


@saker.post("/saker/{sak_id}/stadier", response_model=SakRead, summary="Flytt saken til neste stadium",
            description="klar → utvalgt (kommune) → akseptert → bosatt (kommune), eller avsluttet (årsak). "
            "Saken går bare framover; en bosetting kan korrigeres. If-Match er valgfri.",
            responses={412: {"description": "Saken er endret"}})
async def change_stage(sak_id: str, body: StadiumEndring, uow: UowDep, settings: SettingsDep, principal: Writer,
                       request: Request, response: Response, if_match: Annotated[str | None, Header()] = None,
                       formal: audit.Formal = None) -> SakRead:
    sak = await service.change_stage(uow=uow, sak_id=sak_id, data=body, principal=principal,
                                     expected_version=_if_match_version(if_match, sak_id),
                                     pseudonym_key=settings.pseudonym_key.get_secret_value(),
                                     actor=audit.Actor.of(principal, formal, request))
    response.headers["ETag"] = _etag(sak)
    return _read(sak)


@saker.get("/familier/{familie_id}", response_model=SakListe, summary="Sakene i en familie")
async def get_family(familie_id: Annotated[str, Path(max_length=100)], session: SessionDep,
                     principal: Reader, request: Request, formal: audit.Formal = None) -> SakListe:
    members = await service.read_family(session=session, familie_id=familie_id, principal=principal,
                                        actor=audit.Actor.of(principal, formal, request))
    return SakListe(saker=[_read(s) for s in members], antall=len(members))


@saker.post("/familier/{familie_id}/stadier", response_model=SakListe,
            summary="Flytt hele familien til samme stadium (alle eller ingen)",
            description="Familien bosettes samlet: samme stadium, dato og kommune for alle åpne saker i familien, "
            "i én transaksjon.")
async def change_family_stage(familie_id: Annotated[str, Path(max_length=100)], body: StadiumEndring, uow: UowDep,
                              settings: SettingsDep, principal: Writer, request: Request,
                              formal: audit.Formal = None) -> SakListe:
    members = await service.change_family_stage(uow=uow, familie_id=familie_id, data=body, principal=principal,
                                                pseudonym_key=settings.pseudonym_key.get_secret_value(),
                                                actor=audit.Actor.of(principal, formal, request))
    return SakListe(saker=[_read(s) for s in members], antall=len(members))


def _read(sak) -> SakRead:
    return SakRead.model_validate({**{c: getattr(sak, c) for c in service.COLUMNS},
                                   "em_aldersgruppe": em_aldersgruppe(sak)})


@saker.post("/import/saker", response_model=ImportRapport, summary="Masseimport fra saksbehandlingssystem",
            description="NDJSON (`application/x-ndjson`) or CSV (`text/csv`, header row), one case per row with "
            "the fields of `SakCreate` and `ekstern_id` required. Streamed; idempotent by `ekstern_id`; bad rows "
            "are listed with line numbers and reasons, good rows are imported.",
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}, "example":
                                         '{"ekstern_id":"NIR-1","duf_nummer":"201612345678","kjonn":"K",'
                                         '"vedtaksdato":"2017-01-10","bosettingsdato":"2017-05-02",'
                                         '"kommunenummer":"0301"}\n'},
                "text/csv": {"schema": {"type": "string", "format": "binary"}, "example":
                             "ekstern_id,duf_nummer,kjonn,vedtaksdato,bosettingsdato,kommunenummer\n"
                             "NIR-1,201612345678,K,2017-01-10,2017-05-02,0301\n"}}}},
            responses={415: {"description": "Ukjent innholdstype"}})
async def import_saker(request: Request, settings: SettingsDep, principal: Writer,
                       formal: audit.Formal = None) -> ImportRapport:
    _imdi_only(principal)
    fmt = format_of(request.headers.get("content-type", ""))
    actor = audit.Actor.of(principal, formal, request, default_purpose=audit.SYSTEM_IMPORT)
    try:
        return await importer.run(db=request.app.state.db, body=request.stream(), fmt=fmt, actor=actor,
                                  pseudonym_key=settings.pseudonym_key.get_secret_value(),
                                  on_commit=request.app.state.relay.notify)
    except importer.ImportStopped as stopped:
        raise stopped_problem(stopped) from stopped


# --- requests and municipal decisions ---------------------------------------------------------------
plasser = APIRouter(tags=["anmodninger og kommunevedtak"])


@plasser.put("/anmodninger/{ar}/{kommunenummer}", response_model=AnmodningUt, summary="Registrer anmodning")
async def put_anmodning(ar: Ar, kommunenummer: Kommune, body: AnmodningInn, uow: UowDep,
                        principal: Writer) -> AnmodningUt:
    _imdi_only(principal)
    _kommune_exists(kommunenummer)
    row = await service.put_anmodning(uow=uow, ar=ar, kommunenummer=kommunenummer, data=body)
    return AnmodningUt.model_validate(row)


@plasser.get("/anmodninger/{ar}", response_model=list[AnmodningUt], summary="Anmodninger for et år")
async def list_anmodninger(ar: Ar, session: SessionDep, principal: Reader) -> list[AnmodningUt]:
    return [AnmodningUt.model_validate(r)
            for r in await service.get_all_anmodninger(session=session, ar=ar, principal=principal)]


@plasser.put("/kommunevedtak/{ar}/{kommunenummer}", response_model=KommunevedtakUt,
             summary="Registrer kommunevedtak (kommunen selv eller IMDi)")
async def put_kommunevedtak(ar: Ar, kommunenummer: Kommune, body: KommunevedtakInn, uow: UowDep,
                            principal: Writer) -> KommunevedtakUt:
    _kommune_exists(kommunenummer)
    row = await service.put_kommunevedtak(uow=uow, ar=ar, kommunenummer=kommunenummer, data=body,
                                          principal=principal)
    return KommunevedtakUt.model_validate(row)


@plasser.get("/kommunevedtak/{ar}", response_model=list[KommunevedtakUt], summary="Kommunevedtak for et år")
async def list_kommunevedtak(ar: Ar, session: SessionDep, principal: Reader) -> list[KommunevedtakUt]:
    return [KommunevedtakUt.model_validate(r)
            for r in await service.get_all_kommunevedtak(session=session, ar=ar, principal=principal)]


@plasser.get("/anmodninger/{ar}/avvik", response_model=AvvikRapport,
             summary="Anmodning mot kommunevedtak per kommune, fylke eller nasjonalt, EM spesifisert")
async def gap(ar: Ar, session: SessionDep, principal: Reader,
              niva: Annotated[Literal["kommune", "fylke", "land"], Query()] = "kommune") -> AvvikRapport:
    if principal.kommunenummer is not None and niva != "kommune":
        raise Problem(403, "Kommunebrukere ser bare tall for egen kommune.")
    return await measures.gap(session=session, ar=ar, level=niva, kommunenummer=principal.kommunenummer)


# --- measures ----------------------------------------------------------------------------------------
maal = APIRouter(tags=["måling"])


@maal.get("/styringsparametere/{sp}/verdi", response_model=MaalVerdi,
          summary="SP1–SP3 beregnet av bosetting (samme definisjon som rapportering)")
async def measure(sp: Annotated[Literal["SP1", "SP2", "SP3"], Path()], periode: Periode, session: SessionDep,
                  principal: Reader) -> MaalVerdi:
    _imdi_only(principal)
    return await measures.measure(session=session, measure_id=sp, period=periode)


@maal.get("/ventetid", response_model=measures.Ventetid, summary="Dager fra vedtak til bosetting (median, p90)")
async def waiting(periode: Periode, session: SessionDep, principal: Reader, gruppe: Gruppe = "alle"):
    _imdi_only(principal)
    return await measures.waiting(session=session, period=periode, group=gruppe)


@maal.get("/ko", response_model=measures.Ko, summary="Personer med vedtak som ikke er bosatt, og hvor lenge de "
          "har ventet")
async def queue(session: SessionDep, principal: Reader, gruppe: Gruppe = "alle",
                per_dato: Annotated[date | None, Query(description="Default: today")] = None):
    return await measures.queue(session=session, as_of=per_dato or today_oslo(), group=gruppe,
                                kommunenummer=principal.kommunenummer)


@maal.get("/flaskehalser", response_model=measures.Flaskehalser,
          summary="Tid i hvert stadium for bosatte i perioden (oppdrag O1)")
async def bottlenecks(periode: Periode, session: SessionDep, principal: Reader, gruppe: Gruppe = "alle"):
    _imdi_only(principal)
    return await measures.bottlenecks(session=session, period=periode, group=gruppe)


router.include_router(saker)
router.include_router(plasser)
router.include_router(maal)
router.include_router(audit.router(revisjonslogg))
