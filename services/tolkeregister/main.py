from pathlib import Path

from shared.app import create_app
from tolkeregister.config import Settings
from tolkeregister.views import router


def build(settings: Settings | None = None):
    return create_app(
        settings or Settings(),
        title="IMDi tolkeregister",
        description="Nasjonalt tolkeregister: tolker, språk og kvalifikasjonskategorier, retningslinjer og klager.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
    )


def app():
    return build()
