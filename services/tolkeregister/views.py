"""Thin HTTP layer: validation and scopes here, rules in ``service``, ``rules``, ``public`` and ``measures``.

IMDi's routes need ``imdi:tolkeregister.read|write`` (and are IMDi's own: a municipality token gets 403). The
public routes under ``/api/v1/offentlig/`` take no token, answer only the public fields, cap the page size
and are rate limited per client address (:mod:`tolkeregister.ratelimit`).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from shared import audit, errors
from shared.app import SessionDep, SettingsDep, UowDep
from shared.auth import Principal, require_scope
from shared.bulk_import import ImportRapport, format_of, stopped_problem
from shared.dates import today_oslo
from shared.events.registry import REGISTRY, topic_for
from shared.measure_schemas import MaalVerdi
from shared.problems import PROBLEM_RESPONSES, Problem
from tolkeregister import importer, keyfigures, measures, public, rules, service
from tolkeregister.models import revisjonslogg
from tolkeregister.schemas import (
    KORT,
    SPRAK,
    AutorisasjonInn,
    AutorisasjonUt,
    EtatInn,
    EtatUt,
    IdKortInn,
    IdKortTilbakekall,
    IdKortUt,
    IdKortVerifisering,
    KlageAvgjorelse,
    KlageInn,
    KlageUt,
    Nokkeltall,
    NokkeltallListe,
    Sokeresultat,
    StatusEndring,
    TestresultatInn,
    TestresultatUt,
    TolkCreate,
    TolkListe,
    TolkPatch,
    TolkRead,
    validate_orgnr,
)

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)

_reader = require_scope("imdi:tolkeregister.read", "imdi:tolkeregister.write")
_writer = require_scope("imdi:tolkeregister.write")


def _imdi(principal: Principal) -> Principal:
    if principal.kommunenummer is not None:
        raise Problem(403, "Tolkeregisteret forvaltes av IMDi; kommuner bruker det offentlige søket.")
    return principal


async def _imdi_reader(principal: Annotated[Principal, Depends(_reader)]) -> Principal:
    return _imdi(principal)


async def _imdi_writer(principal: Annotated[Principal, Depends(_writer)]) -> Principal:
    return _imdi(principal)


Reader = Annotated[Principal, Depends(_imdi_reader)]
Writer = Annotated[Principal, Depends(_imdi_writer)]
TolkId = Annotated[str, Path(max_length=36, examples=["0f8d3c0e-8a53-4d59-9c0e-4b0f3a5b2a11"])]
Ar = Annotated[int, Path(ge=2000, le=2100, examples=[2017])]
PERIOD = r"^[0-9]{4}(-H[12]|-(0[1-9]|1[0-2]))?$"


def _ordning(settings) -> rules.Ordning:
    return rules.scheme(settings.kategoriordning)


def _key(settings) -> str:
    return settings.pseudonym_key.get_secret_value()


def _read(tolk) -> TolkRead:
    return TolkRead.model_validate(tolk)


def _etag(tolk) -> str:
    return f'W/"{tolk.id}-{tolk.versjon}"'


def _example(value) -> dict:
    return {200: {"content": {"application/json": {"example": value}}}}


@router.get("/tjeneste", tags=["tjeneste"], summary="Om tjenesten: emne og hendelsestyper den publiserer",
            responses=_example({"tjeneste": "tolkeregister", "emne": "imdi.tolkeregister.v1", "hendelsestyper": [
                "no.imdi.tolkeregister.tolk-oppfort.v1"]}))
async def about(principal: Reader) -> dict:
    return {
        "tjeneste": "tolkeregister",
        "emne": topic_for("tolkeregister"),
        "hendelsestyper": sorted(t for t, s in REGISTRY.items() if s.service == "tolkeregister"),
    }


# --- interpreters --------------------------------------------------------------------------------------------
tolker = APIRouter(tags=["tolker"])


@tolker.post("/tolker", status_code=201, response_model=TolkRead, summary="Oppfør en tolk i registeret",
             description="Kategorien per språk og tolkens høyeste kategori utledes av bevisene etter "
             "kategoriordningen; de kan ikke skrives inn.",
             responses={409: {"description": "Fødselsnummeret eller ekstern id tilhører en annen tolk"}})
async def create_tolk(body: TolkCreate, uow: UowDep, settings: SettingsDep, principal: Writer, request: Request,
                      response: Response, formal: audit.Formal = None) -> TolkRead:
    tolk = await service.create(uow=uow, data=body, ordning=_ordning(settings), pseudonym_key=_key(settings),
                                actor=audit.Actor.of(principal, formal, request))
    response.headers["Location"] = f"/api/v1/tolker/{tolk.id}"
    response.headers["ETag"] = _etag(tolk)
    return _read(tolk)


@tolker.get("/tolker", response_model=TolkListe, summary="List tolker (IMDi)")
async def list_tolker(session: SessionDep, principal: Reader, request: Request,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                      etter: Annotated[str | None, Query(max_length=36)] = None,
                      formal: audit.Formal = None) -> TolkListe:
    found = await service.get_all(session=session, limit=limit, after=etter,
                                  actor=audit.Actor.of(principal, formal, request))
    return TolkListe(tolker=[_read(t) for t in found], antall=len(found),
                     neste=found[-1].id if len(found) == limit else None)


@tolker.get("/tolker/{tolk_id}", response_model=TolkRead, summary="Hent en tolk (IMDi)")
async def get_tolk(tolk_id: TolkId, session: SessionDep, principal: Reader, request: Request, response: Response,
                   formal: audit.Formal = None) -> TolkRead:
    tolk = await service.read(session=session, tolk_id=tolk_id, actor=audit.Actor.of(principal, formal, request))
    response.headers["ETag"] = _etag(tolk)
    return _read(tolk)


@tolker.patch("/tolker/{tolk_id}", response_model=TolkRead, summary="Korriger kontakt, bosted eller språk")
async def patch_tolk(tolk_id: TolkId, body: TolkPatch, uow: UowDep, settings: SettingsDep, principal: Writer,
                     request: Request, response: Response, formal: audit.Formal = None) -> TolkRead:
    tolk = await service.update(uow=uow, tolk_id=tolk_id, data=body, ordning=_ordning(settings),
                                actor=audit.Actor.of(principal, formal, request))
    response.headers["ETag"] = _etag(tolk)
    return _read(tolk)


@tolker.post("/tolker/{tolk_id}/status", response_model=TolkRead, summary="Suspender, gjeninnsett eller avregistrer",
             description="aktiv ⇄ suspendert; begge → avregistrert, som er endelig. Dato og årsak kreves.")
async def change_status(tolk_id: TolkId, body: StatusEndring, uow: UowDep, principal: Writer, request: Request,
                        formal: audit.Formal = None) -> TolkRead:
    return _read(await service.change_status(uow=uow, tolk_id=tolk_id, data=body,
                                             actor=audit.Actor.of(principal, formal, request)))


@tolker.get("/kategoriordning", summary="Kategoriordningen i bruk (kategorier, bevis, de tre høyeste)",
            responses=_example(rules.scheme("2017").model_dump(mode="json")))
async def category_scheme(settings: SettingsDep, principal: Reader) -> dict:
    return _ordning(settings).model_dump(mode="json")


@tolker.post("/import/tolker", response_model=ImportRapport, summary="Masseimport av det eksisterende registeret",
             description="NDJSON (`application/x-ndjson`) or CSV (`text/csv`, header row), one interpreter per row "
             "with the fields of `TolkImportRad` and `ekstern_id` required; in CSV, `sprak` is "
             "`so=statsautorisasjon:2015-06-01|tolkeutdanning:2014-06-15;ar=tospot:2013-05-01|tao:2013-09-01`. "
             "Streamed; idempotent by `ekstern_id`; bad rows are listed with line numbers and reasons.",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}, "example":
                                          '{"ekstern_id":"NTR-1","fodselsnummer":"41017510078","navn":"Amina Hassan",'
                                          '"kjonn":"K","kommunenummer":"1201","oppfort_dato":"2016-03-01","sprak":'
                                          '[{"sprak":"so","bevis":[{"type":"statsautorisasjon","dato":"2015-06-01"}]}]}'
                                          '\n'},
                 "text/csv": {"schema": {"type": "string", "format": "binary"}, "example":
                              "ekstern_id,fodselsnummer,navn,kjonn,kommunenummer,oppfort_dato,sprak\n"
                              "NTR-1,41017510078,Amina Hassan,K,1201,2016-03-01,so=statsautorisasjon:2015-06-01\n"}}}},
             responses={415: {"description": "Ukjent innholdstype"}})
async def import_tolker(request: Request, settings: SettingsDep, principal: Writer,
                        formal: audit.Formal = None) -> ImportRapport:
    fmt = format_of(request.headers.get("content-type", ""))
    actor = audit.Actor.of(principal, formal, request, default_purpose=audit.SYSTEM_IMPORT)
    try:
        return await importer.run(db=request.app.state.db, body=request.stream(), fmt=fmt, ordning=_ordning(settings),
                                  pseudonym_key=_key(settings), actor=actor,
                                  on_commit=request.app.state.relay.notify)
    except importer.ImportStopped as stopped:
        raise stopped_problem(stopped) from stopped


# --- ID cards ------------------------------------------------------------------------------------------------
kort = APIRouter(tags=["ID-kort"])


@kort.post("/tolker/{tolk_id}/id-kort", status_code=201, response_model=IdKortUt, summary="Utsted ID-kort",
           responses={409: {"description": "Kortnummeret er brukt"}})
async def issue_card(tolk_id: TolkId, body: IdKortInn, uow: UowDep, principal: Writer, request: Request,
                     formal: audit.Formal = None) -> IdKortUt:
    return IdKortUt.model_validate(await service.issue_card(uow=uow, tolk_id=tolk_id, data=body,
                                                            actor=audit.Actor.of(principal, formal, request)))


@kort.post("/id-kort/{kortnummer}/tilbakekall", response_model=IdKortUt, summary="Tilbakekall ID-kort",
           responses={409: {"description": "Allerede tilbakekalt"}})
async def revoke_card(kortnummer: Annotated[str, Path(pattern=KORT, examples=["NTR2017000123"])],
                      body: IdKortTilbakekall, uow: UowDep, principal: Writer, request: Request,
                      formal: audit.Formal = None) -> IdKortUt:
    return IdKortUt.model_validate(await service.revoke_card(uow=uow, kortnummer=kortnummer, data=body,
                                                             actor=audit.Actor.of(principal, formal, request)))


# --- complaints ----------------------------------------------------------------------------------------------
klager = APIRouter(tags=["klager"])


@klager.post("/tolker/{tolk_id}/klager", status_code=201, response_model=KlageUt, summary="Registrer en klage")
async def receive_complaint(tolk_id: TolkId, body: KlageInn, uow: UowDep, principal: Writer, request: Request,
                            formal: audit.Formal = None) -> KlageUt:
    return KlageUt.model_validate(await service.receive_complaint(uow=uow, tolk_id=tolk_id, data=body,
                                                                  actor=audit.Actor.of(principal, formal, request)))


@klager.get("/tolker/{tolk_id}/klager", response_model=list[KlageUt], summary="Klager på en tolk (IMDi)")
async def list_complaints(tolk_id: TolkId, session: SessionDep, principal: Reader, request: Request,
                          formal: audit.Formal = None) -> list[KlageUt]:
    return [KlageUt.model_validate(k) for k in await service.get_complaints(
        session=session, tolk_id=tolk_id, actor=audit.Actor.of(principal, formal, request))]


@klager.post("/klager/{klage_id}/avgjorelse", response_model=KlageUt, summary="Avgjør en klage",
             description="Konsekvensen suspensjon eller avregistrering endrer tolkens status fra avgjørelsens dato.",
             responses={409: {"description": "Allerede avgjort"}})
async def decide_complaint(klage_id: Annotated[str, Path(max_length=36)], body: KlageAvgjorelse, uow: UowDep,
                           principal: Writer, request: Request, formal: audit.Formal = None) -> KlageUt:
    return KlageUt.model_validate(await service.decide_complaint(uow=uow, klage_id=klage_id, data=body,
                                                                 actor=audit.Actor.of(principal, formal, request)))


# --- state agencies' guidelines (SP11) -----------------------------------------------------------------------
etater = APIRouter(tags=["retningslinjer"])


@etater.put("/etater/{ar}/{organisasjonsnummer}", response_model=EtatUt,
            summary="Sett en statlig etat på årets liste, med om retningslinjene omfatter tolkeregisteret")
async def put_agency(ar: Ar, organisasjonsnummer: Annotated[str, Path(examples=["974760673"])], body: EtatInn,
                     uow: UowDep, principal: Writer) -> EtatUt:
    try:
        number = validate_orgnr(organisasjonsnummer)
    except ValueError as exc:
        raise errors.Invalid.field("organisasjonsnummer", str(exc)) from exc
    row = await service.put_agency(uow=uow, ar=ar, organisasjonsnummer=number, data=body)
    return EtatUt.model_validate(row)


@etater.get("/etater/{ar}", response_model=list[EtatUt], summary="Årets liste over statlige etater")
async def list_agencies(ar: Ar, session: SessionDep, principal: Reader) -> list[EtatUt]:
    return [EtatUt.model_validate(r) for r in await service.get_agencies(session=session, ar=ar)]


# --- tests, authorisations and the R10/R11 counts -------------------------------------------------------------
r10 = APIRouter(tags=["tester, bevillinger og nøkkeltall"])
Sprak = Annotated[str, Path(pattern=SPRAK, examples=["ti"])]


@r10.put("/tester/{testtype}/{dato}/{sprak}", response_model=TestresultatUt,
         summary="Resultat av en testsamling for ett språk (ToSPoT eller tospråktest)")
async def put_test(testtype: Annotated[Literal["tospot", "tospraktest"], Path()], dato: Annotated[date, Path()],
                   sprak: Sprak, body: TestresultatInn, uow: UowDep, principal: Writer) -> TestresultatUt:
    if dato > today_oslo():
        raise errors.Invalid.field("dato", "Datoen kan ikke være fram i tid.")
    row = await service.put_test_result(uow=uow, testtype=testtype, dato=dato, sprak=sprak, data=body)
    return TestresultatUt.model_validate(row)


@r10.put("/bevillinger/{ar}/{sprak}", response_model=AutorisasjonUt,
         summary="Tildelte bevillinger som statsautorisert tolk i et år, for ett språk")
async def put_authorisations(ar: Ar, sprak: Sprak, body: AutorisasjonInn, uow: UowDep,
                             principal: Writer) -> AutorisasjonUt:
    return AutorisasjonUt.model_validate(await service.put_authorisations(uow=uow, ar=ar, sprak=sprak, data=body))


@r10.get("/nokkeltall/{ar}", response_model=NokkeltallListe,
         summary="R10/R11: tester, bevillinger, ID-kort og klager i et år (som publisert til rapportering)")
async def key_figures(ar: Ar, session: SessionDep, principal: Reader) -> NokkeltallListe:
    counted = await keyfigures.figures(session, ar)
    return NokkeltallListe(ar=ar, objekt=keyfigures.OBJEKT, tall=[
        Nokkeltall(navn=n, tekst=keyfigures.LABELS[n], dimensjon=d, kategori=k, antall=v)
        for (n, d, k), v in sorted(counted.items())])


# --- measures ------------------------------------------------------------------------------------------------
maal = APIRouter(tags=["måling"])


@maal.get("/styringsparametere/{sp}/verdi", response_model=MaalVerdi,
          summary="SP10, og SP11 for statlige etater, beregnet av tolkeregisteret (samme definisjon som "
          "rapportering)")
async def measure(sp: Annotated[Literal["SP10", "SP11"], Path()], session: SessionDep, principal: Reader,
                  periode: Annotated[str, Query(pattern=PERIOD, examples=["2017"])]) -> MaalVerdi:
    return await measures.measure(session=session, measure_id=sp, period=periode)


# --- public --------------------------------------------------------------------------------------------------
offentlig = APIRouter(prefix="/offentlig", tags=["offentlig"],
                      responses={429: {"description": "For mange forespørsler fra denne adressen"}})


async def rate_limited(request: Request) -> None:
    """One token from the client's bucket, or 429 with Retry-After."""
    wait = request.app.state.public_limit.take(request.client.host if request.client else "ukjent")
    if wait:
        raise Problem(429, "For mange forespørsler. Vent litt og prøv igjen.", title="For mange forespørsler",
                      slug="for-mange-foresporsler", headers={"Retry-After": str(max(1, math.ceil(wait)))})


Public = Depends(rate_limited)
PUBLIC_CALLER = Principal(subject="offentlig", scopes=frozenset({"offentlig"}))
"""Who a public route's caller is in the audit log: anonymous (no token; its address is not kept)."""


@offentlig.get("/tolker", response_model=Sokeresultat, dependencies=[Public],
               summary="Søk i tolkeregisteret (åpent, uten token)",
               description=f"Aktive tolker etter språk, kategori, kjønn og fylke/kommune. Bare offentlige felt: "
               f"navn, språk med kategori, bostedsfylke og kontakt for oppdrag. Høyst {public.MAX_PAGE_SIZE} per "
               "side; begrenset antall forespørsler per klient.")
async def search(session: SessionDep,
                 sprak: Annotated[str | None, Query(pattern=SPRAK, examples=["so"])] = None,
                 kategori: Annotated[str | None, Query(pattern=r"^[0-9A-Z]{1,3}$", examples=["1"])] = None,
                 kjonn: Annotated[Literal["K", "M"] | None, Query()] = None,
                 fylke: Annotated[str | None, Query(pattern=r"^[0-9]{2}$", examples=["12"])] = None,
                 kommune: Annotated[str | None, Query(pattern=r"^[0-9]{4}$", examples=["1201"])] = None,
                 side: Annotated[int, Query(ge=1, le=10_000)] = 1,
                 per_side: Annotated[int, Query(ge=1, le=public.MAX_PAGE_SIZE)] = 20) -> Sokeresultat:
    return await public.search(session=session, language=sprak, category=kategori, gender=kjonn, county=fylke,
                               municipality=kommune, page=side, page_size=per_side)


@offentlig.get("/id-kort/{kortnummer}", response_model=IdKortVerifisering, dependencies=[Public],
               summary="Verifiser et ID-kort (åpent, uten token)",
               description="Om kortet er gyldig i dag, og hvilke språk og kategorier det viser. Ikke noe annet.")
async def verify_card(kortnummer: Annotated[str, Path(pattern=KORT, examples=["NTR2017000123"])],
                      session: SessionDep, request: Request) -> IdKortVerifisering:
    actor = audit.Actor.of(PUBLIC_CALLER, None, request, default_purpose=service.PUBLIC_PURPOSE)
    valid, languages = await service.verify_card(session=session, kortnummer=kortnummer, on=today_oslo(),
                                                 actor=actor)
    return IdKortVerifisering(kortnummer=kortnummer, gyldig=valid, sprak=public.languages(languages))


router.include_router(tolker)
router.include_router(kort)
router.include_router(klager)
router.include_router(etater)
router.include_router(r10)
router.include_router(maal)
router.include_router(offentlig)
router.include_router(audit.router(revisjonslogg))
