from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from rapportering import service
from shared.app import SessionDep
from shared.auth import Principal, require_scope
from shared.measure_schemas import MaalVerdi
from shared.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["styringsparametere"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, Depends(require_scope("imdi:rapport.read"))]
PERIOD = r"^[0-9]{4}(-H[12]|-(0[1-9]|1[0-2]))?$"


@router.get("/styringsparametere/{sp}/verdi", response_model=MaalVerdi,
            summary="Løpende verdi for en styringsparameter i en periode")
async def get_value(session: SessionDep, principal: Reader,
                    sp: Annotated[str, Path(pattern=r"^SP[0-9]{1,2}(\.[0-9])?$", examples=["SP1"])],
                    periode: Annotated[str, Query(pattern=PERIOD, description="ÅÅÅÅ, ÅÅÅÅ-H1|H2 or ÅÅÅÅ-MM",
                                                  examples=["2017"])]) -> MaalVerdi:
    return await service.get(session=session, measure=sp, period=periode)
