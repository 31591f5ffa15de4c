from pathlib import Path

from tilskudd.config import Settings
from tilskudd.views import router
from shared.app import create_app


def build(settings: Settings | None = None):
    return create_app(
        settings or Settings(),
        title="IMDi tilskudd",
        description="Budsjettramme per kapittel og post, tilskuddsordninger, tilsagn, utbetalinger og prognose.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
    )


def app():
    return build()
