"""docker-compose.yml cannot run here (no Docker engine): check that it is complete and consistent."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml

from shared.runner import SERVICES
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_kafka_postgres_and_every_service_with_healthchecks():
    services = COMPOSE["services"]
    assert {"kafka", "postgres", *(s.name for s in SERVICES)} == set(services)
    assert "KRaft" in (ROOT / "docker-compose.yml").read_text() or services["kafka"]["environment"][
        "KAFKA_PROCESS_ROLES"] == "broker,controller"
    for name, svc in services.items():
        assert "healthcheck" in svc, name


def test_each_service_container_runs_an_existing_app_with_its_own_database():
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"uvicorn --factory \$\{SERVICE\}\.main:app", dockerfile)
    assert cmd, "Dockerfile must run the SERVICE's app factory"
    databases = (ROOT / "deploy/postgres/create-databases.sql").read_text()
    for spec in SERVICES:
        svc = COMPOSE["services"][spec.name]
        env = svc["environment"]
        assert env["SERVICE"] == spec.name
        module = importlib.import_module(f"{spec.name}.main")
        assert callable(module.app)
        assert env["IMDI_DATABASE_URL"].endswith(f"/{spec.name}")
        assert f"CREATE DATABASE {spec.name};" in databases
        assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"
        for key in env:
            if key.startswith("IMDI_"):
                assert key[5:].lower() in ServiceSettings.model_fields, f"{key} is not a setting"


def test_production_env_example_names_every_required_secret():
    example = (ROOT / "deploy/production.env.example").read_text()
    for key in ("IMDI_PSEUDONYM_KEY", "IMDI_AUTH_ISSUER", "IMDI_AUTH_JWKS_URL", "POSTGRES_PASSWORD"):
        assert key in example
    for path in ("deploy/postgres/create-databases.sql",):
        assert path in (ROOT / "docker-compose.yml").read_text()
        assert (ROOT / path).exists()
