from pathlib import Path

from shared.app import create_app
from tilskudd.config import Settings
from tilskudd.entitlements import EntitlementProjection
from tilskudd.views import router


def build(settings: Settings | None = None):
    return create_app(
        settings or Settings(),
        title="IMDi tilskudd",
        description="Budsjettramme per kapittel og post, tilskuddsordninger, tilsagn, utbetalinger og prognose.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
        projection=EntitlementProjection(),
    )


def app():
    return build()
