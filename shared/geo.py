"""The 2017 division of Norway (SSB Klass 131 and 104): 426 municipalities in 19 counties."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Kommune:
    nummer: str
    navn: str
    fylkesnummer: str
    fylkesnavn: str

    @property
    def visningsnavn(self) -> str:
        """Name shown to users, with the county where the name repeats across counties (Sande, Bø, …)."""
        if self.navn in _ambiguous_names():
            return f"{self.navn} ({self.fylkesnavn})"
        return self.navn


@cache
def kommuner_2017() -> dict[str, Kommune]:
    with resources.files("shared.data").joinpath("kommuner-2017.csv").open(encoding="utf-8") as fh:
        return {
            row["kommunenummer"]: Kommune(
                row["kommunenummer"], row["kommunenavn"], row["fylkesnummer"], row["fylkesnavn"]
            )
            for row in csv.DictReader(fh)
        }


@cache
def fylker_2017() -> dict[str, str]:
    with resources.files("shared.data").joinpath("fylker-2017.csv").open(encoding="utf-8") as fh:
        return {row["fylkesnummer"]: row["fylkesnavn"] for row in csv.DictReader(fh)}


@cache
def _ambiguous_names() -> frozenset[str]:
    seen: dict[str, int] = {}
    for k in kommuner_2017().values():
        seen[k.navn] = seen.get(k.navn, 0) + 1
    return frozenset(name for name, n in seen.items() if n > 1)


def fylke_for(kommunenummer: str) -> str:
    return kommuner_2017()[kommunenummer].fylkesnummer
