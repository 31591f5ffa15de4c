from __future__ import annotations

from pydantic import BaseModel, Field


class Celle(BaseModel):
    teller: int
    nevner: int
    andel: float | None = Field(description="teller / nevner, or null when the denominator is 0.")


class MaalVerdi(BaseModel):
    """A steering parameter's live value for one period."""

    model_config = {"json_schema_extra": {"examples": [{
        "styringsparameter": "SP1", "periode": "2017", "status": "data",
        "teller": 9120, "nevner": 10000, "andel": 0.912,
        "fordeling": {"kjonn": {"K": {"teller": 4500, "nevner": 4900, "andel": 0.918}}}}]}}

    styringsparameter: str
    periode: str
    status: str = Field(description="'data', or 'ingen_data' when nothing has been counted (not zero).")
    teller: int
    nevner: int
    andel: float | None
    fordeling: dict[str, dict[str, Celle]] = Field(
        default_factory=dict, description="Breakdown by dimension (kjonn, fylke, kommune, em) and value.")
