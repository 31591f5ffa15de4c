from pathlib import Path

from bosetting.config import Settings
from bosetting.views import router
from shared.app import create_app


def build(settings: Settings | None = None):
    return create_app(
        settings or Settings(),
        title="IMDi bosetting",
        description="Bosettingssaker fra vedtak til bosatt. Publiserer hendelser til `imdi.bosetting.v1`.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
    )


def app():
    """Factory for ``uvicorn --factory bosetting.main:app``."""
    return build()
