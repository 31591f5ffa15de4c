"""Thin HTTP layer: validation and scopes here, rules in ``rules``, ``service`` and ``measures``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from kvalifisering import importer, measures, progress, rules, service
from kvalifisering.models import revisjonslogg
from kvalifisering.schemas import (
    IntrodeltakerInn,
    IntrodeltakerUt,
    JobbsjansenDeltakerInn,
    JobbsjansenDeltakerUt,
    KommuneundersokelseInn,
    KommuneundersokelseUt,
    KompetanseInn,
    KompetanseUt,
    MalgruppeInn,
    MottaksbeboerInn,
    MottaksbeboerUt,
    OpplaeringInn,
    OpplaeringUt,
    ProsjektInn,
    ProsjektUt,
)
from shared import audit
from shared.app import SessionDep, SettingsDep, UowDep
from shared.auth import Principal, require_scope
from shared.bulk_import import ImportRapport, format_of, stopped_problem
from shared.events.registry import REGISTRY, topic_for
from shared.measure_schemas import MaalVerdi
from shared.problems import PROBLEM_RESPONSES, Problem

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, Depends(require_scope("imdi:kvalifisering.read", "imdi:kvalifisering.write"))]
Writer = Annotated[Principal, Depends(require_scope("imdi:kvalifisering.write"))]
Ar = Annotated[int, Path(ge=2000, le=2100, examples=[2017])]
Kommune = Annotated[str, Path(pattern=r"^[0-9]{4}$", examples=["0301"])]
Ref = Annotated[str, Path(pattern=r"^p-[0-9a-f]{32}$", examples=["p-3f2a9c1e0b7d4a6f8e5c2b1a0d9e8f7c"])]
Periode = Annotated[str, Query(pattern=r"^[0-9]{4}(-H[12]|-(0[1-9]|1[0-2]))?$", examples=["2017"])]


def _key(settings) -> str:
    return settings.pseudonym_key.get_secret_value()


def _imdi_only(principal: Principal) -> None:
    if principal.kommunenummer is not None:
        raise Problem(403, "Bare IMDi har tilgang til dette.")


@router.get("/tjeneste", tags=["tjeneste"], summary="Om tjenesten: emne og hendelsestyper den publiserer")
async def about(principal: Reader) -> dict:
    return {
        "tjeneste": "kvalifisering",
        "emne": topic_for("kvalifisering"),
        "hendelsestyper": sorted(t for t, s in REGISTRY.items() if s.service == "kvalifisering"),
    }


# --- training -------------------------------------------------------------------------------------------
opplaering = APIRouter(tags=["opplæring i norsk og samfunnskunnskap"])


def _training(row) -> OpplaeringUt:
    return OpplaeringUt.model_validate({**{c: getattr(row, c) for c in OpplaeringUt.model_fields if c != "frist"},
                                        "frist": rules.deadline(row.rett_fra)})


@opplaering.post("/opplaering", response_model=OpplaeringUt, summary="Registrer eller oppdater en persons "
                 "opplæring (rett og plikt, tilbud, start, timer, fritak, oppfylt plikt)")
async def save_training(body: OpplaeringInn, uow: UowDep, settings: SettingsDep, principal: Writer, request: Request,
                        formal: audit.Formal = None) -> OpplaeringUt:
    row = await service.save_training(uow=uow, data=body, pseudonym_key=_key(settings), principal=principal,
                                      actor=audit.Actor.of(principal, formal, request))
    return _training(row)


@opplaering.get("/opplaering/{person_ref}", response_model=OpplaeringUt, summary="En persons opplæring")
async def get_training(person_ref: Ref, session: SessionDep, principal: Reader, request: Request,
                       formal: audit.Formal = None) -> OpplaeringUt:
    return _training(await service.get_training(session=session, ref=person_ref, principal=principal,
                                                actor=audit.Actor.of(principal, formal, request)))


# --- the introduction programme ---------------------------------------------------------------------------
intro = APIRouter(tags=["introduksjonsprogrammet"])


@intro.post("/introduksjonsprogram/deltakere", response_model=IntrodeltakerUt,
            summary="Registrer eller oppdater en deltaker (start, elementer, permisjon og stans, avslutning, "
            "status ett år etter)")
async def save_participant(body: IntrodeltakerInn, uow: UowDep, settings: SettingsDep, principal: Writer,
                           request: Request, formal: audit.Formal = None) -> IntrodeltakerUt:
    row = await service.save_participant(uow=uow, data=body, pseudonym_key=_key(settings), principal=principal,
                                         actor=audit.Actor.of(principal, formal, request))
    return IntrodeltakerUt.model_validate(row)


@intro.get("/introduksjonsprogram/deltakere/{person_ref}", response_model=IntrodeltakerUt, summary="En deltaker")
async def get_participant(person_ref: Ref, session: SessionDep, principal: Reader, request: Request,
                          formal: audit.Formal = None) -> IntrodeltakerUt:
    return IntrodeltakerUt.model_validate(await service.get_participant(
        session=session, ref=person_ref, principal=principal, actor=audit.Actor.of(principal, formal, request)))


# --- the municipality survey -------------------------------------------------------------------------------
survey = APIRouter(tags=["kommuneundersøkelsen"])


@survey.put("/kommuneundersokelse/{ar}/{kommunenummer}", response_model=KommuneundersokelseUt,
            summary="Registrer kommunens svar på årets kommuneundersøkelse (kommunen selv eller IMDi)")
async def put_survey(ar: Ar, kommunenummer: Kommune, body: KommuneundersokelseInn, uow: UowDep,
                     principal: Writer) -> KommuneundersokelseUt:
    row = await service.put_survey(uow=uow, ar=ar, kommunenummer=kommunenummer, data=body, principal=principal)
    return KommuneundersokelseUt.model_validate(row)


@survey.get("/kommuneundersokelse/{ar}", response_model=list[KommuneundersokelseUt],
            summary="Svarene for et år (kommunebrukere ser bare sitt eget)")
async def list_surveys(ar: Ar, session: SessionDep, principal: Reader) -> list[KommuneundersokelseUt]:
    return [KommuneundersokelseUt.model_validate(r)
            for r in await service.get_surveys(session=session, ar=ar, principal=principal)]


# --- Jobbsjansen ------------------------------------------------------------------------------------------
jobbsjansen = APIRouter(tags=["Jobbsjansen"])


@jobbsjansen.put("/jobbsjansen/prosjekter/{prosjekt_id}", response_model=ProsjektUt,
                 summary="Registrer et Jobbsjansen-prosjekt (del A, B eller C)")
async def put_project(prosjekt_id: Annotated[str, Path(min_length=1, max_length=100)], body: ProsjektInn,
                      uow: UowDep, principal: Writer) -> ProsjektUt:
    _imdi_only(principal)
    row = await service.put_project(uow=uow, prosjekt_id=prosjekt_id, data=body)
    return ProsjektUt.model_validate({c: getattr(row, c) for c in ("prosjekt_id", "del_", "eiertype", "eier",
                                                                   "tilskudd_ref", "periode_fra", "periode_til",
                                                                   "versjon")})


@jobbsjansen.post("/jobbsjansen/deltakere", response_model=JobbsjansenDeltakerUt,
                  summary="Registrer eller oppdater en deltaker i et Jobbsjansen-prosjekt")
async def save_jobbsjansen(body: JobbsjansenDeltakerInn, uow: UowDep, settings: SettingsDep, principal: Writer,
                           request: Request, formal: audit.Formal = None) -> JobbsjansenDeltakerUt:
    _imdi_only(principal)
    row = await service.save_jobbsjansen(uow=uow, data=body, pseudonym_key=_key(settings),
                                         actor=audit.Actor.of(principal, formal, request))
    return JobbsjansenDeltakerUt.model_validate(row)


# --- integration reception centres (O7) ---------------------------------------------------------------------
mottak = APIRouter(tags=["integreringsmottak"])


@mottak.post("/integreringsmottak/beboere", response_model=MottaksbeboerUt,
             summary="Registrer eller oppdater en beboer i integreringsmottak (ankomst, tilbud om fulltidsprogram)")
async def save_resident(body: MottaksbeboerInn, uow: UowDep, settings: SettingsDep, principal: Writer,
                        request: Request, formal: audit.Formal = None) -> MottaksbeboerUt:
    _imdi_only(principal)
    return MottaksbeboerUt.model_validate(await service.save_resident(
        uow=uow, data=body, pseudonym_key=_key(settings), actor=audit.Actor.of(principal, formal, request)))


@mottak.get("/integreringsmottak/avvik", response_model=progress.O7Status,
            summary="Beboere som ikke fikk tilbud om fulltidsprogram innen to uker (oppdrag O7)")
async def o7_deviations(periode: Periode, session: SessionDep, principal: Reader, request: Request,
                        formal: audit.Formal = None) -> progress.O7Status:
    _imdi_only(principal)
    return await service.read_deviations(session=session, period=periode,
                                         actor=audit.Actor.of(principal, formal, request))


# --- competence self-registration (O5/O6) -------------------------------------------------------------------
kompetanse = APIRouter(tags=["kompetansekartlegging"])
Maned = Annotated[str, Path(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2017-03"])]


@kompetanse.post("/kompetanse", response_model=KompetanseUt,
                 summary="Registrer eller oppdater en selvregistrering av kompetanse (formål og samtykke)")
async def save_registration(body: KompetanseInn, uow: UowDep, settings: SettingsDep, principal: Writer,
                            request: Request, formal: audit.Formal = None) -> KompetanseUt:
    _imdi_only(principal)
    return KompetanseUt.model_validate(await service.save_registration(
        uow=uow, data=body, pseudonym_key=_key(settings), actor=audit.Actor.of(principal, formal, request)))


@kompetanse.get("/kompetanse/{person_ref}", response_model=KompetanseUt,
                summary="En selvregistrering (kommunen ser den bare med personens samtykke til deling med den)")
async def get_registration(person_ref: Ref, session: SessionDep, principal: Reader, request: Request,
                           formal: audit.Formal = None) -> KompetanseUt:
    return KompetanseUt.model_validate(await service.get_registration(
        session=session, ref=person_ref, principal=principal, actor=audit.Actor.of(principal, formal, request)))


@kompetanse.put("/kompetanse/malgruppe/{periode}", response_model=MalgruppeInn,
                summary="Størrelsen på målgruppen for selvregistrering en måned (nevner for O5/O6)")
async def put_target_group(periode: Maned, body: MalgruppeInn, uow: UowDep, principal: Writer) -> MalgruppeInn:
    _imdi_only(principal)
    row = await service.put_target_group(uow=uow, periode=periode, data=body)
    return MalgruppeInn(antall=row.antall)


# --- measures -----------------------------------------------------------------------------------------------
maal = APIRouter(tags=["måling"])


@maal.get("/styringsparametere/{sp}/verdi", response_model=MaalVerdi,
          summary="SP4–SP9.2 beregnet av kvalifisering (samme definisjon som rapportering)")
async def measure(sp: Annotated[Literal["SP4", "SP5", "SP6", "SP7", "SP8", "SP9.1", "SP9.2"], Path()],
                  periode: Periode, session: SessionDep, principal: Reader) -> MaalVerdi:
    _imdi_only(principal)
    return await measures.measure(session=session, measure_id=sp, period=periode)


# --- bulk import ---------------------------------------------------------------------------------------------
bulk = APIRouter(tags=["import"])


def _import_doc(example_ndjson: str, example_csv: str) -> dict:
    return {"requestBody": {"required": True, "content": {
        "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}, "example": example_ndjson},
        "text/csv": {"schema": {"type": "string", "format": "binary"}, "example": example_csv}}}}


async def _run_import(kind: str, request: Request, settings, principal: Principal,
                      formal: str | None) -> ImportRapport:
    _imdi_only(principal)
    fmt = format_of(request.headers.get("content-type", ""))
    actor = audit.Actor.of(principal, formal, request, default_purpose=audit.SYSTEM_IMPORT)
    try:
        return await importer.run(kind=kind, db=request.app.state.db, body=request.stream(), fmt=fmt, actor=actor,
                                  pseudonym_key=_key(settings), on_commit=request.app.state.relay.notify)
    except importer.ImportStopped as stopped:
        raise stopped_problem(stopped) from stopped


@bulk.post("/import/opplaering", response_model=ImportRapport, summary="Masseimport av opplæring",
           description="NDJSON or CSV, one person per row with the fields of `OpplaeringInn` and `ekstern_id` "
           "required. Streamed; idempotent by `ekstern_id`; bad rows are listed with line numbers and reasons.",
           openapi_extra=_import_doc(
               '{"ekstern_id":"NIR-OPP-1","duf_nummer":"201612345678","kommunenummer":"0301","kjonn":"K",'
               '"grunnlag":"asyl","rett_fra":"2017-02-01","start_dato":"2017-03-01"}\n',
               "ekstern_id,duf_nummer,kommunenummer,kjonn,grunnlag,rett_fra,start_dato\n"
               "NIR-OPP-1,201612345678,0301,K,asyl,2017-02-01,2017-03-01\n"),
           responses={415: {"description": "Ukjent innholdstype"}})
async def import_training(request: Request, settings: SettingsDep, principal: Writer,
                          formal: audit.Formal = None) -> ImportRapport:
    return await _run_import("opplaering", request, settings, principal, formal)


@bulk.post("/import/introduksjonsprogram", response_model=ImportRapport,
           summary="Masseimport av deltakere i introduksjonsprogrammet",
           description="NDJSON or CSV, one participant per row with the fields of `IntrodeltakerInn` and "
           "`ekstern_id` required; in CSV `elementer` is separated by `|` and `avbrudd` is not taken (use NDJSON). "
           "Streamed; idempotent by `ekstern_id`; bad rows are listed with line numbers and reasons.",
           openapi_extra=_import_doc(
               '{"ekstern_id":"NIR-INTRO-1","duf_nummer":"201612345678","kommunenummer":"0301","kjonn":"K",'
               '"kategori":"asyl","start_dato":"2017-03-01","planlagt_slutt":"2019-02-28",'
               '"elementer":["norsk","grunnskole"]}\n',
               "ekstern_id,duf_nummer,kommunenummer,kjonn,kategori,start_dato,planlagt_slutt,elementer\n"
               "NIR-INTRO-1,201612345678,0301,K,asyl,2017-03-01,2019-02-28,norsk|grunnskole\n"),
           responses={415: {"description": "Ukjent innholdstype"}})
async def import_programme(request: Request, settings: SettingsDep, principal: Writer,
                           formal: audit.Formal = None) -> ImportRapport:
    return await _run_import("introduksjonsprogram", request, settings, principal, formal)


router.include_router(opplaering)
router.include_router(intro)
router.include_router(survey)
router.include_router(jobbsjansen)
router.include_router(mottak)
router.include_router(kompetanse)
router.include_router(maal)
router.include_router(bulk)
router.include_router(audit.router(revisjonslogg))
