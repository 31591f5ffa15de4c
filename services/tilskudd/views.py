"""Thin HTTP layer: validation and scopes here, rules in ``service``, ``entitlements``, ``figures`` and ``rules``.
Money crosses the edge as kroner text and becomes integer øre here."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from shared import audit, errors
from shared.app import SessionDep, UowDep
from shared.auth import Principal, require_scope
from shared.bulk_import import ImportRapport, format_of, stopped_problem
from shared.dates import today_oslo
from shared.events.registry import REGISTRY, topic_for
from shared.problems import PROBLEM_RESPONSES
from tilskudd import entitlements, excel, figures, frame, importer, service
from tilskudd.models import revisjonslogg
from tilskudd.money import NotMoney, kroner, parse_kroner
from tilskudd.schemas import (
    AnnulleringInn,
    Forbruk,
    Linje,
    OrdningInn,
    OrdningUt,
    SaerskiltKriteriumInn,
    SoknadInn,
    SoknadUt,
    TilsagnInn,
    TilsagnUt,
    UtbetalingInn,
    UtbetalingUt,
)

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, Depends(require_scope("imdi:tilskudd.read", "imdi:tilskudd.write"))]
Writer = Annotated[Principal, Depends(require_scope("imdi:tilskudd.write"))]
Ar = Annotated[int, Path(ge=2000, le=2100, examples=[2017])]
Id = Annotated[str, Path(max_length=36, examples=["3b8f0c1e-6a8e-4f3c-9a55-2b0f8d1e7c10"])]
Slug = Annotated[str, Path(pattern=r"^[a-z0-9-]{2,40}$", examples=["gronland"])]
PersonRef = Annotated[str, Path(pattern=r"^p-[0-9a-f]{32}$", examples=["p-3f2a9c1e0b7d4a6f8e5c2b1a0d9e8f7c"])]
PerDato = Annotated[date | None, Query(description="Default: today, or 31.12 for a past year",
                                       examples=["2017-06-30"])]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OVERCOMMITTED = {409: {"description": "Tilsagnet ville overskride bindingen eller posten; svaret sier hvor mye som er "
                       "igjen (`gjenstaende`)", "content": {"application/problem+json": {"example": {
                           "type": "https://imdi-styring/problemer/overforpliktelse", "title": "Konflikt",
                           "status": 409, "detail": "Tilsagnet på 5000000.00 kr overstiger det som er igjen på "
                           "496.62/gronland-oslo: 4000000.00 kr. Ingenting er lagret.",
                           "linje": "496.62/gronland-oslo", "gjenstaende": "4000000.00",
                           "omsøkt": "5000000.00"}}}}}


def _imdi_only(principal: Principal) -> None:
    if principal.kommunenummer is not None:
        raise errors.Forbidden("Bare IMDi kan registrere og endre tilskudd.")


def _ore(text: str) -> int:
    try:
        return parse_kroner(text)
    except NotMoney as exc:
        raise errors.Invalid.field("belop", "Beløpet må være kroner med høyst to desimaler.") from exc


def _visible(principal: Principal, row: dict) -> None:
    if principal.kommunenummer is not None and row.get("kommunenummer") != principal.kommunenummer:
        raise errors.NotFound("Tilsagnet finnes ikke.")


tjeneste = APIRouter(tags=["tjeneste"])


@tjeneste.get("/tjeneste", summary="Om tjenesten: emne og hendelsestyper den publiserer",
              responses={200: {"content": {"application/json": {"example": {
                  "tjeneste": "tilskudd", "emne": "imdi.tilskudd.v1",
                  "hendelsestyper": ["no.imdi.tilskudd.tilsagn-gitt.v1"]}}}}})
async def about(principal: Reader) -> dict:
    return {
        "tjeneste": "tilskudd",
        "emne": topic_for("tilskudd"),
        "hendelsestyper": sorted(t for t, s in REGISTRY.items() if s.service == "tilskudd"),
    }


# --- frame, spend and forecast -------------------------------------------------------------------------
budsjett = APIRouter(tags=["budsjett og forbruk"])


@budsjett.get("/forbruk/{ar}", response_model=Forbruk,
              summary="Forbruk per dato og prognose resten av året, per kapittel, post og binding",
              description="Utbetalt (netto etter tilbakebetalinger), forpliktet (tilsagn og rettigheter) og prognose "
              "for resten av året, per `per_dato` (standard: i dag, eller 31.12 for et avsluttet år).",
              responses={200: {"content": {"application/json": {"example": {
                  "ar": 2017, "per_dato": "2017-06-30", "linjer": [{
                      "id": "496.62/gronland-oslo", "kapittel": 496, "post": "62", "binding": "gronland-oslo",
                      "navn": "Oslo kommune: strakstiltak på Grønland", "ramme": "4000000.00", "bevilget": None,
                      "utbetalt": "4000000.00", "forpliktet": "4000000.00", "prognose_rest": "0.00",
                      "prognose_ar": "4000000.00", "gjenstaende_ramme": "0.00", "saerskilt_kriterium": 0}]}}}}})
async def spend(ar: Ar, session: SessionDep, principal: Reader,
                per_dato: PerDato = None) -> Forbruk:
    as_of, found = await _figures(session, ar, per_dato)
    out = []
    for f in found.values():
        line = f.line
        out.append(Linje(
            id=line.id, kapittel=line.kapittel, post=line.post, binding=line.binding, navn=line.navn,
            ramme=None if line.belop_ore is None else kroner(line.belop_ore),
            bevilget=None if line.bevilget_ore is None else kroner(line.bevilget_ore),
            utbetalt=kroner(f.utbetalt), forpliktet=kroner(f.forpliktet), prognose_rest=kroner(f.prognose_rest),
            prognose_ar=kroner(f.prognose_ar),
            gjenstaende_ramme=None if line.belop_ore is None else kroner(line.belop_ore - f.forpliktet),
            saerskilt_kriterium=f.saerskilt_kriterium))
    return Forbruk(ar=ar, per_dato=as_of, linjer=out)


async def _figures(session, ar: int, per_dato: date | None) -> tuple[date, dict[str, figures.Figures]]:
    try:
        lines = frame.lines(ar)
    except KeyError as exc:
        raise errors.NotFound(f"Det finnes ingen budsjettramme for {ar}.") from exc
    as_of = per_dato or min(today_oslo(), date(ar, 12, 31))
    return as_of, {line_id: await figures.compute(session, line, as_of) for line_id, line in lines.items()}


@budsjett.get("/forbruk/{ar}/xlsx", summary="Budsjett og forbruk som Excel, etter kapittel, post og binding",
              response_class=Response, responses={200: {"content": {XLSX: {"schema": {
                  "type": "string", "format": "binary"}, "example": "(regneark: Kapittel, Post, Binding, Navn, "
                  "Ramme, Bevilget, Utbetalt, Forpliktet, Prognose resten av året, Prognose for året, "
                  "Gjenstående ramme)"}}}})
async def spend_excel(ar: Ar, session: SessionDep, principal: Reader,
                      per_dato: PerDato = None) -> Response:
    as_of, found = await _figures(session, ar, per_dato)
    return Response(excel.workbook(ar, as_of, found), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="forbruk-{ar}-{as_of.isoformat()}.xlsx"'})


# --- grant schemes and applications ----------------------------------------------------------------------
ordninger = APIRouter(tags=["tilskuddsordninger og søknader"])


@ordninger.put("/ordninger/{ordning_id}", status_code=201, response_model=OrdningUt,
               summary="Opprett en tilskuddsordning (regelverk, post og binding, søknadsvindu)",
               responses={409: {"description": "Ordningen finnes allerede"}})
async def create_scheme(ordning_id: Slug, body: OrdningInn, uow: UowDep, principal: Writer) -> OrdningUt:
    _imdi_only(principal)
    return OrdningUt(**await service.create_scheme(uow=uow, scheme_id=ordning_id, data=body))


@ordninger.get("/ordninger", response_model=list[OrdningUt], summary="Tilskuddsordningene")
async def list_schemes(session: SessionDep, principal: Reader,
                       ar: Annotated[int | None, Query(ge=2000, le=2100, examples=[2017])] = None) -> list[OrdningUt]:
    return [OrdningUt(**r) for r in await service.list_schemes(session=session, year=ar)]


@ordninger.get("/ordninger/{ordning_id}", response_model=OrdningUt, summary="Én tilskuddsordning")
async def get_scheme(ordning_id: Slug, session: SessionDep, principal: Reader) -> OrdningUt:
    return OrdningUt(**await service.get_scheme(session=session, scheme_id=ordning_id))


def _application_out(row: dict) -> SoknadUt:
    return SoknadUt(**{k: v for k, v in row.items() if k != "belop_ore"}, belop=kroner(row["belop_ore"]))


@ordninger.post("/ordninger/{ordning_id}/soknader", status_code=201, response_model=SoknadUt,
                summary="Registrer en søknad fra en kommune eller en organisasjon (organisasjonsnummer kontrolleres)")
async def create_application(ordning_id: Slug, body: SoknadInn, uow: UowDep, principal: Writer,
                             response: Response) -> SoknadUt:
    _imdi_only(principal)
    row = await service.create_application(uow=uow, scheme_id=ordning_id, data=body, amount_ore=_ore(body.belop))
    response.headers["Location"] = f"/api/v1/soknader/{row['id']}"
    return _application_out(row)


@ordninger.get("/soknader/{soknad_id}", response_model=SoknadUt, summary="Én søknad")
async def get_application(soknad_id: Id, session: SessionDep, principal: Reader) -> SoknadUt:
    row = await service.get_application(session=session, application_id=soknad_id)
    if principal.kommunenummer is not None and row["kommunenummer"] != principal.kommunenummer:
        raise errors.NotFound("Søknaden finnes ikke.")
    return _application_out(row)


@ordninger.post("/soknader/{soknad_id}/avslag", response_model=SoknadUt, summary="Avslå en søknad",
                responses={409: {"description": "Søknaden er allerede avgjort"}})
async def reject_application(soknad_id: Id, uow: UowDep, principal: Writer) -> SoknadUt:
    _imdi_only(principal)
    return _application_out(await service.reject_application(uow=uow, application_id=soknad_id))


# --- decisions, disbursements, repayments, cancellations -------------------------------------------------
tilsagn = APIRouter(tags=["tilsagn og utbetalinger"])


@tilsagn.post("/tilsagn", status_code=201, response_model=TilsagnUt,
              summary="Gi tilsagn på en søknad (avvises hvis bindingen eller posten ville bli overskredet)",
              responses=OVERCOMMITTED)
async def create_decision(body: TilsagnInn, uow: UowDep, principal: Writer, response: Response) -> TilsagnUt:
    _imdi_only(principal)
    row = await service.create_decision(uow=uow, data=body, amount_ore=_ore(body.belop))
    response.headers["Location"] = f"/api/v1/tilsagn/{row['id']}"
    return TilsagnUt(**service.decision_out(row))


@tilsagn.get("/tilsagn", response_model=list[TilsagnUt], summary="Tilsagn i et budsjettår (kommuner ser sine egne)")
async def list_decisions(session: SessionDep, principal: Reader,
                         ar: Annotated[int, Query(ge=2000, le=2100, examples=[2017])],
                         kapittel: Annotated[int | None, Query(ge=400, le=999, examples=[496])] = None,
                         post: Annotated[str | None, Query(pattern=r"^[0-9]{2}$", examples=["62"])] = None
                         ) -> list[TilsagnUt]:
    rows = await service.list_decisions(session=session, year=ar, kapittel=kapittel, post=post)
    if principal.kommunenummer is not None:
        rows = [r for r in rows if r["kommunenummer"] == principal.kommunenummer]
    return [TilsagnUt(**service.decision_out(r)) for r in rows]


@tilsagn.get("/tilsagn/{tilsagn_id}", response_model=TilsagnUt, summary="Ett tilsagn med utbetalt og gjenstående")
async def get_decision(tilsagn_id: Id, session: SessionDep, principal: Reader) -> TilsagnUt:
    row = await service.get_decision(session=session, decision_id=tilsagn_id)
    _visible(principal, row)
    return TilsagnUt(**service.decision_out(row))


@tilsagn.post("/tilsagn/{tilsagn_id}/utbetalinger", status_code=201, response_model=UtbetalingUt,
              summary="Registrer en utbetaling eller en tilbakebetaling på et tilsagn")
async def create_payment(tilsagn_id: Id, body: UtbetalingInn, uow: UowDep, principal: Writer) -> UtbetalingUt:
    _imdi_only(principal)
    row = await service.create_payment(uow=uow, decision_id=tilsagn_id, data=body, amount_ore=_ore(body.belop))
    return UtbetalingUt(**{k: v for k, v in row.items() if k != "belop_ore"}, belop=kroner(row["belop_ore"]))


@tilsagn.post("/tilsagn/{tilsagn_id}/annullering", response_model=TilsagnUt,
              summary="Annuller det som ikke er utbetalt av et tilsagn",
              responses={409: {"description": "Allerede annullert eller fullt utbetalt"}})
async def cancel_decision(tilsagn_id: Id, body: AnnulleringInn, uow: UowDep, principal: Writer) -> TilsagnUt:
    _imdi_only(principal)
    return TilsagnUt(**service.decision_out(await service.cancel_decision(uow=uow, decision_id=tilsagn_id,
                                                                          dato=body.dato)))


# --- import ---------------------------------------------------------------------------------------------
IMPORT_DOC = ("Streamed; idempotent by `ekstern_id`; each row is checked as the API checks it (a decision that would "
              "over-commit its binding or post is a row error), bad rows are listed with line numbers and reasons, "
              "good rows are imported.")


def _ndjson_csv(ndjson: str, csv: str) -> dict:
    return {"requestBody": {"required": True, "content": {
        "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}, "example": ndjson},
        "text/csv": {"schema": {"type": "string", "format": "binary"}, "example": csv}}}}


@tilsagn.post("/import/tilsagn", response_model=ImportRapport, summary="Masseimport av eksisterende tilsagn",
              description="NDJSON or CSV, one decision per row with the fields of `TilsagnImportRad`. " + IMPORT_DOC,
              openapi_extra=_ndjson_csv(
                  '{"ekstern_id":"TS-1","ordning":"gronland","kommunenummer":"0301","belop":"4000000.00",'
                  '"dato":"2017-02-01","periode_fra":"2017-02-01","periode_til":"2017-12-31"}\n',
                  "ekstern_id,ordning,kommunenummer,belop,dato,periode_fra,periode_til\n"
                  "TS-1,gronland,0301,4000000.00,2017-02-01,2017-02-01,2017-12-31\n"),
              responses={415: {"description": "Ukjent innholdstype"}})
async def import_decisions(request: Request, principal: Writer) -> ImportRapport:
    _imdi_only(principal)
    try:
        return await importer.decisions(db=request.app.state.db, body=request.stream(),
                                        fmt=format_of(request.headers.get("content-type", "")),
                                        on_commit=request.app.state.relay.notify)
    except importer.ImportStopped as stopped:
        raise stopped_problem(stopped) from stopped


@tilsagn.post("/import/utbetalinger", response_model=ImportRapport,
              summary="Masseimport av eksisterende utbetalinger og tilbakebetalinger",
              description="NDJSON or CSV, one payment per row with the fields of `UtbetalingImportRad`, on decisions "
              "imported before (`tilsagn_ekstern_id`). " + IMPORT_DOC,
              openapi_extra=_ndjson_csv(
                  '{"ekstern_id":"UT-1","tilsagn_ekstern_id":"TS-1","type":"utbetaling","belop":"4000000.00",'
                  '"dato":"2017-02-20"}\n',
                  "ekstern_id,tilsagn_ekstern_id,type,belop,dato\nUT-1,TS-1,utbetaling,4000000.00,2017-02-20\n"),
              responses={415: {"description": "Ukjent innholdstype"}})
async def import_payments(request: Request, principal: Writer) -> ImportRapport:
    _imdi_only(principal)
    try:
        return await importer.payments(db=request.app.state.db, body=request.stream(),
                                       fmt=format_of(request.headers.get("content-type", "")),
                                       on_commit=request.app.state.relay.notify)
    except importer.ImportStopped as stopped:
        raise stopped_problem(stopped) from stopped


# --- entitlements from settlements --------------------------------------------------------------------
rettigheter = APIRouter(tags=["integreringstilskudd og særskilt tilskudd (EM)"])


@rettigheter.get("/rettigheter/{person_ref}", summary="En bosatt persons rettigheter (post 60 og 61), per år",
                 responses={200: {"content": {"application/json": {"example": [{
                     "ar": 2017, "kapittel": 496, "post": "60", "arstrinn": 1, "belop": "183000.00",
                     "sats_ar": 2017, "kommunenummer": "0301", "utbetalingsdato": "2017-05-02",
                     "saerskilt_kriterium": False}]}}}})
async def get_entitlements(person_ref: PersonRef, session: SessionDep, principal: Reader, request: Request,
                           formal: audit.Formal = None) -> list[dict]:
    _imdi_only(principal)
    rows = await entitlements.read(session=session, person_ref=person_ref,
                                   actor=audit.Actor.of(principal, formal, request))
    return [{"ar": r["ar"], "kapittel": r["kapittel"], "post": r["post"], "arstrinn": r["arstrinn"],
             "belop": kroner(r["belop_ore"]), "sats_ar": r["sats_ar"], "kommunenummer": r["kommunenummer"],
             "utbetalingsdato": r["utbetalingsdato"], "saerskilt_kriterium": r["saerskilt_kriterium"]}
            for r in rows]


@rettigheter.put("/rettigheter/{person_ref}/saerskilt-kriterium",
                 summary="Marker integreringstilskuddet som utbetalt etter det særskilte kriteriet (avsnitt 4.1)",
                 responses={200: {"content": {"application/json": {"example": {
                     "person_ref": "p-3f2a9c1e0b7d4a6f8e5c2b1a0d9e8f7c", "saerskilt_kriterium": True}}}}})
async def set_special(person_ref: PersonRef, body: SaerskiltKriteriumInn, uow: UowDep, principal: Writer,
                      request: Request, formal: audit.Formal = None) -> dict:
    _imdi_only(principal)
    row = await entitlements.set_special(uow=uow, person_ref=person_ref, special=body.saerskilt_kriterium,
                                         actor=audit.Actor.of(principal, formal, request))
    return {"person_ref": row["person_ref"], "saerskilt_kriterium": row["saerskilt_kriterium"]}


router.include_router(tjeneste)
router.include_router(budsjett)
router.include_router(ordninger)
router.include_router(tilsagn)
router.include_router(rettigheter)
router.include_router(audit.router(revisjonslogg))
