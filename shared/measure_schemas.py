"""The shape in which services answer a steering parameter's value (bosetting and rapportering alike)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Celle(BaseModel):
    teller: int | None
    nevner: int | None
    andel: float | None = Field(description="teller / nevner rounded to 6 decimals, or null when nevner is 0.")
    prikket: bool = Field(default=False, description="Suppressed: too few persons to publish (nulls).")


def cell(num: int, den: int) -> Celle:
    return Celle(teller=num, nevner=den, andel=round(num / den, 6) if den else None)


class MaalVerdi(BaseModel):
    """A steering parameter's value for one period, with its breakdown."""

    model_config = {"json_schema_extra": {"examples": [{
        "styringsparameter": "SP1", "periode": "2017", "status": "data",
        "teller": 9120, "nevner": 10000, "andel": 0.912,
        "fordeling": {"kjonn": {"K": {"teller": 4500, "nevner": 4900, "andel": 0.918367}}}}]}}

    styringsparameter: str
    periode: str
    status: str = Field(description="'data', or 'ingen_data' when nothing has been counted (not zero).")
    teller: int
    nevner: int
    andel: float | None
    fordeling: dict[str, dict[str, Celle]] = Field(
        default_factory=dict,
        description="Breakdown by dimension (kjonn, fylke, kommune, em_aldersgruppe, kategori) and value.")


def from_cells(measure: str, period: str, cells: dict[tuple[str, str], tuple[int, int]]) -> MaalVerdi:
    """Build the answer from (dimension, value) → (numerator, denominator)."""
    total = cells.get(("alle", "alle"))
    if total is None or not total[1]:
        return MaalVerdi(styringsparameter=measure, periode=period, status="ingen_data", teller=0, nevner=0,
                         andel=None)
    breakdown: dict[str, dict[str, Celle]] = {}
    for (dimension, value), (num, den) in sorted(cells.items()):
        if dimension != "alle" and den:
            breakdown.setdefault(dimension, {})[value] = cell(num, den)
    c = cell(*total)
    return MaalVerdi(styringsparameter=measure, periode=period, status="data", teller=c.teller, nevner=c.nevner,
                     andel=c.andel, fordeling=breakdown)

