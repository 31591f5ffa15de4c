"""The FastAPI application every service is built from: lifespan (migrations, relay, consumer),
problem+json errors, health, metrics, request metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from shared import logging as imdi_logging
from shared import problems
from shared.auth import TokenVerifier
from shared.consumer import IdempotentConsumer, Projection
from shared.db import Database, UnitOfWork, migrate
from shared.gate import RequestGate
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS
from shared.outbox import OutboxRelay
from shared.settings import ServiceSettings
from shared.status import BrokerStatus

log = logging.getLogger(__name__)

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "feil": {"type": "array", "items": {"type": "object", "properties": {
            "felt": {"type": "string"}, "melding": {"type": "string"}}}},
    },
    "required": ["type", "title", "status"],
    "example": {"type": "https://imdi-styring/problemer/ugyldige-data", "title": "Ugyldige data",
                "status": 422, "detail": "Forespørselen inneholder ugyldige data. Ingenting er lagret.",
                "feil": [{"felt": "kommunenummer", "melding": "Kommunenummeret finnes ikke i 2017-inndelingen."}]},
}


def create_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    migrations_dir: Path,
    routers: Sequence[APIRouter],
    projection: Projection | None = None,
    background: Sequence[Callable[[FastAPI, asyncio.Event], Awaitable[None]]] = (),
    version: str = "1.0.0",
) -> FastAPI:
    components = ["relay"] + (["consumer"] if projection is not None else [])
    status = BrokerStatus(components)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        imdi_logging.configure(settings.service_name, settings.log_level)
        if settings.run_migrations:
            await migrate(settings.database_url, migrations_dir)
        db = Database(settings.database_url)
        app.state.db = db
        relay = OutboxRelay(db, settings, status)
        app.state.relay = relay
        stop = asyncio.Event()
        tasks = []
        if settings.kafka_enabled:
            tasks.append(asyncio.create_task(relay.run(stop), name="outbox-relay"))
            if projection is not None:
                consumer = IdempotentConsumer(db, settings, projection, status)
                app.state.consumer = consumer
                tasks.append(asyncio.create_task(consumer.run(stop), name="consumer"))
        else:
            for c in components:
                status.ok(c)
        for job in background:
            tasks.append(asyncio.create_task(job(app, stop), name=getattr(job, "__name__", "background")))
        log.info("service started", extra={"environment": settings.environment})
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                try:
                    await asyncio.wait_for(task, 15)
                except (TimeoutError, asyncio.CancelledError):
                    task.cancel()
            await db.dispose()

    # Swagger UI's files come from the fastapi-offline package, not a CDN: /docs works without internet.
    app = FastAPIOffline(title=title, description=description, version=version, lifespan=lifespan,
                         docs_url="/docs", openapi_url="/openapi.json", redoc_url=None,
                         static_url="/docs/assets", swagger_ui_parameters={"validatorUrl": None})
    app.state.settings = settings
    app.state.status = status
    app.state.verifier = TokenVerifier(settings)
    problems.install(app)
    app.add_middleware(RequestGate, settings=settings)  # token before body; body size caps

    @app.middleware("http")
    async def _metrics(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "(ukjent)")
        HTTP_REQUESTS.labels(settings.service_name, request.method, path, response.status_code).inc()
        HTTP_LATENCY.labels(settings.service_name, path).observe(time.perf_counter() - started)
        return response

    health = APIRouter(tags=["drift"])

    @health.get("/health/live", summary="Prosessen lever")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @health.get("/health/ready", summary="Database og meldingsmegler er tilgjengelige",
                responses={503: {"description": "Ikke klar"}})
    async def ready(request: Request) -> Any:
        problems_found: dict[str, str] = {}
        try:
            await asyncio.wait_for(request.app.state.db.ping(), 5)
        except Exception as exc:  # noqa: BLE001
            problems_found["database"] = type(exc).__name__
        problems_found.update({f"megler.{k}": v for k, v in status.problems().items()})
        if problems_found:
            return problems.problem_response(503, "Tjenesten er ikke klar.", ikke_klar=problems_found)
        return JSONResponse({"status": "ok"})

    @health.get("/metrics", summary="Prometheus-målinger", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.include_router(health)
    for router in routers:
        app.include_router(router)

    original_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original_openapi()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


# --- request dependencies ----------------------------------------------------------------------------
def get_settings(request: Request) -> ServiceSettings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.db.sessions() as session:
        yield session


def get_uow(request: Request) -> UnitOfWork:
    """A unit of work, not yet entered: the service function owns the transaction."""
    settings: ServiceSettings = request.app.state.settings
    uow = request.app.state.db.unit_of_work(source_service=settings.service_name)
    uow.on_commit(request.app.state.relay.notify)
    return uow


SettingsDep = Annotated[ServiceSettings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
UowDep = Annotated[UnitOfWork, Depends(get_uow)]
