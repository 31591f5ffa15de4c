"""Event schemas, versioned. Events carry pseudonymous person references, never identifiers or names."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.registry import EventSpec, register

PersonRef = Field(pattern=r"^p-[0-9a-f]{32}$", description="Pseudonymous person reference (keyed hash).")
Kommunenummer = Field(pattern=r"^[0-9]{4}$", description="Kommunenummer in the 2017 division.")


class EventData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonBosattV1(EventData):
    """A person was settled in a municipality."""

    person_ref: str = PersonRef
    vedtaksdato: date = Field(description="Date of the decision or entry permit that gives the basis for settlement.")
    bosettingsdato: date
    kommunenummer: str = Kommunenummer
    kjonn: Literal["K", "M"] = Field(description="K = kvinne, M = mann.")
    enslig_mindrearig: bool
    fodselsar: int | None = Field(default=None, ge=1900, le=2100)


PERSON_BOSATT_V1 = register(
    EventSpec(
        service="bosetting",
        name="person-bosatt",
        version=1,
        model=PersonBosattV1,
        key=lambda d: d.person_ref,
        title="Person bosatt",
        description="A refugee was settled in a municipality: the settlement date and what the measures "
        "(SP1–SP3) and the grants need. Keyed by person reference; a later event for the same person "
        "replaces the earlier one (correction).",
        example=PersonBosattV1(
            person_ref="p-3f2a9c1e0b7d4a6f8e5c2b1a0d9e8f7c",
            vedtaksdato=date(2017, 1, 10),
            bosettingsdato=date(2017, 5, 2),
            kommunenummer="0301",
            kjonn="K",
            enslig_mindrearig=False,
            fodselsar=1990,
        ),
    )
)
