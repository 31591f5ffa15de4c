from pathlib import Path

from shared.app import create_app
from tolkeregister import rules
from tolkeregister.config import Settings
from tolkeregister.ratelimit import TokenBucket
from tolkeregister.views import router


def build(settings: Settings | None = None):
    settings = settings or Settings()
    rules.scheme(settings.kategoriordning)  # a broken or missing category scheme stops the service here
    app = create_app(
        settings,
        title="IMDi tolkeregister",
        description="Nasjonalt tolkeregister: tolker, språk og kvalifikasjonskategorier, ID-kort, klager og "
        "statlige etaters retningslinjer. Åpent søk og ID-kortverifisering under `/api/v1/offentlig/`. Publiserer "
        "hendelser til `imdi.tolkeregister.v1`.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
    )
    app.state.public_limit = TokenBucket(settings.offentlig_kvote, settings.offentlig_kvote_per_sekund)
    return app


def app():
    """Factory for ``uvicorn --factory tolkeregister.main:app``."""
    return build()
