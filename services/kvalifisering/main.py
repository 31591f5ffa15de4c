from pathlib import Path

from kvalifisering.config import Settings
from kvalifisering.projection import SettlementProjection
from kvalifisering.views import router
from shared.app import create_app


def build(settings: Settings | None = None):
    return create_app(
        settings or Settings(),
        title="IMDi kvalifisering",
        description="Opplæring i norsk og samfunnskunnskap, introduksjonsprogrammet, Jobbsjansen og "
        "kommuneundersøkelsen.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
        projection=SettlementProjection(),
    )


def app():
    return build()
