import asyncio
import logging
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from rapportering import service, webhooks
from rapportering.config import Settings
from rapportering.dashboard.views import HERE as DASHBOARD_DIR
from rapportering.dashboard.views import router as dashboard
from rapportering.projection import MeasureProjection
from rapportering.steering import load_all
from rapportering.views import router
from shared.app import create_app
from shared.dates import today_oslo

log = logging.getLogger(__name__)


async def risk_sweep(app: FastAPI, stop: asyncio.Event) -> None:
    """Publish a risk-endret event whenever a computed status changes (measures, or a deadline passing)."""
    settings: Settings = app.state.settings
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), settings.risk_sweep_seconds)
            return
        except TimeoutError:
            pass
        try:
            changed = await service.risk_sweep(app.state.db, today_oslo())
            if changed:
                app.state.relay.notify()
        except Exception:  # the sweep must not die; the next round tries again
            log.exception("risk sweep failed")


async def monthly_publisher(app: FastAPI, stop: asyncio.Event) -> None:
    """The scheduler for monthly reports: at start-up and then every ``monthly_publish_seconds``, publish the
    report of each closed month that has none. Reading a report never publishes one."""
    settings: Settings = app.state.settings
    while not stop.is_set():
        try:
            await service.publish_closed_months(db=app.state.db, consumer=settings.consumer_group,
                                                today=today_oslo(), threshold=settings.prikking_terskel)
        except Exception:  # the scheduler must not die; the next round tries again
            log.exception("monthly report publishing failed")
        try:
            await asyncio.wait_for(stop.wait(), settings.monthly_publish_seconds)
            return
        except TimeoutError:
            pass


async def webhook_dispatcher(app: FastAPI, stop: asyncio.Event) -> None:
    """Deliver queued rapport-sendt events to JD's webhooks, retrying with back-off (rapportering.webhooks)."""
    settings: Settings = app.state.settings
    async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
        while not stop.is_set():
            try:
                await webhooks.deliver_due(app.state.db, client, restrict=settings.webhook_restrict,
                                           base=settings.webhook_retry_base_seconds,
                                           cap=settings.webhook_retry_max_seconds,
                                           max_attempts=settings.webhook_max_attempts)
            except Exception:  # the dispatcher must not die; the next round tries again
                log.exception("webhook delivery failed")
            try:
                await asyncio.wait_for(stop.wait(), settings.webhook_poll_seconds)
                return
            except TimeoutError:
                pass


def build(settings: Settings | None = None, projection: MeasureProjection | None = None):
    load_all()  # a broken steering model stops the service at start-up
    app = create_app(
        settings or Settings(),
        title="IMDi rapportering",
        description="Styringsmodellen (tildelingsbrevet som data), løpende styringsparametere, framskriving og "
        "risiko, oppdrag og milepæler, og rapportene JD henter (halvår, år, måned) som versjonerte øyeblikksbilder "
        "i JSON, Excel og JSON-stat.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
        projection=projection or MeasureProjection(),
        background=[risk_sweep, monthly_publisher, webhook_dispatcher],
    )
    app.state.answers = service.AnswerCache()
    app.include_router(dashboard)
    app.mount("/dashboard/static", StaticFiles(directory=DASHBOARD_DIR / "static"), name="dashboard-static")
    return app


def app():
    return build()
