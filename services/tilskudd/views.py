"""The service's API. Its domain endpoints arrive with the tilskudd issue; until then it reports what it is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from shared.auth import Principal, require_scope
from shared.events.registry import REGISTRY, topic_for
from shared.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["tjeneste"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, Depends(require_scope("imdi:tilskudd.read", "imdi:tilskudd.write"))]


@router.get("/tjeneste", summary="Om tjenesten: emne og hendelsestyper den publiserer")
async def about(principal: Reader) -> dict:
    return {
        "tjeneste": "tilskudd",
        "emne": topic_for("tilskudd"),
        "hendelsestyper": sorted(t for t, s in REGISTRY.items() if s.service == "tilskudd"),
    }
