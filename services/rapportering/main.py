from pathlib import Path

from rapportering.config import Settings
from rapportering.projection import MeasureProjection
from rapportering.views import router
from shared.app import create_app


def build(settings: Settings | None = None):
    return create_app(
        settings or Settings(),
        title="IMDi rapportering",
        description="Styringsparametere, oppdrag, risiko og rapportene JD henter. Konsumerer hendelser fra "
        "de andre tjenestene.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
        projection=MeasureProjection(),
    )


def app():
    return build()
