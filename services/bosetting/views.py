"""Thin HTTP layer: validation and auth here, rules in ``service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from bosetting import service
from bosetting.schemas import BosettingRegistrer, SakCreate, SakListe, SakRead
from shared.app import SessionDep, SettingsDep, UowDep
from shared.auth import Principal, require_scope
from shared.problems import PROBLEM_RESPONSES, Problem

router = APIRouter(prefix="/api/v1", tags=["saker"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, Depends(require_scope("imdi:bosetting.read", "imdi:bosetting.write"))]
Writer = Annotated[Principal, Depends(require_scope("imdi:bosetting.write"))]


def _etag(sak) -> str:
    return f'W/"{sak.id}-{sak.versjon}"'


def _if_match_version(if_match: str | None, sak_id: str) -> int | None:
    if if_match is None:
        return None
    prefix = f'W/"{sak_id}-'
    if not if_match.startswith(prefix) or not if_match.endswith('"'):
        raise Problem(412, "If-Match passer ikke med denne saken.", slug="versjonskonflikt")
    try:
        return int(if_match[len(prefix):-1])
    except ValueError as exc:
        raise Problem(412, "If-Match passer ikke med denne saken.", slug="versjonskonflikt") from exc


@router.post("/saker", status_code=201, response_model=SakRead, summary="Opprett bosettingssak",
             responses={409: {"description": "Saken finnes"}})
async def create_sak(body: SakCreate, uow: UowDep, settings: SettingsDep, principal: Writer,
                     response: Response) -> SakRead:
    if principal.kommunenummer is not None:
        raise Problem(403, "Kommunebrukere kan ikke opprette saker.")
    sak = await service.create(uow=uow, data=body, pseudonym_key=settings.pseudonym_key.get_secret_value())
    response.headers["Location"] = f"/api/v1/saker/{sak.id}"
    response.headers["ETag"] = _etag(sak)
    return SakRead.model_validate(sak)


@router.get("/saker/{sak_id}", response_model=SakRead, summary="Hent en sak")
async def get_sak(sak_id: str, session: SessionDep, principal: Reader, response: Response) -> SakRead:
    sak = await service.get(session=session, sak_id=sak_id, principal=principal)
    response.headers["ETag"] = _etag(sak)
    return SakRead.model_validate(sak)


@router.get("/saker", response_model=SakListe, summary="List saker (kommunebrukere ser bare egen kommune)")
async def list_saker(session: SessionDep, principal: Reader,
                     kommunenummer: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                     etter: Annotated[str | None, Query(max_length=36)] = None) -> SakListe:
    saker = await service.get_all(session=session, principal=principal, kommunenummer=kommunenummer,
                                  limit=limit, after=etter)
    return SakListe(saker=[SakRead.model_validate(s) for s in saker], antall=len(saker),
                    neste=saker[-1].id if len(saker) == limit else None)


@router.post("/saker/{sak_id}/bosetting", response_model=SakRead, summary="Registrer bosetting")
async def register_settlement(sak_id: str, body: BosettingRegistrer, uow: UowDep, principal: Writer,
                              response: Response,
                              if_match: Annotated[str | None, Header()] = None) -> SakRead:
    sak = await service.register_settlement(uow=uow, sak_id=sak_id, data=body, principal=principal,
                                            expected_version=_if_match_version(if_match, sak_id))
    response.headers["ETag"] = _etag(sak)
    return SakRead.model_validate(sak)
