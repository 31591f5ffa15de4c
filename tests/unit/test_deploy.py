"""docker-compose.yml cannot run here (no Docker engine): check that it is complete and consistent."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml

from kvalifisering.projection import SettlementProjection
from rapportering.projection import MeasureProjection
from shared.events.registry import dead_letter_topic_for, topic_for
from shared.runner import SERVICES
from shared.settings import ServiceSettings
from tilskudd.entitlements import EntitlementProjection

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
KAFKA = dict(line.split("=", 1) for line in (ROOT / "deploy/kafka/server.properties").read_text().splitlines()
             if line and not line.startswith("#"))
SETUP = (ROOT / "deploy/kafka/setup.sh").read_text()
ACL = re.compile(r"^allow (\S+) (\S+) (topic|group) (\S+)(?: (literal|prefixed))?$", re.MULTILINE)


def test_compose_has_kafka_postgres_and_every_service_with_healthchecks():
    services = COMPOSE["services"]
    assert {"kafka", "kafka-setup", "postgres", *(s.name for s in SERVICES)} == set(services)
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert KAFKA["process.roles"] == "broker,controller"  # KRaft: no ZooKeeper
    for name, svc in services.items():
        if name != "kafka-setup":  # a one-shot job
            assert "test" in svc["healthcheck"], name


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


def test_kafka_takes_only_sasl_ssl_clients_and_denies_what_no_acl_allows():
    listeners = dict(p.split(":", 1) for p in KAFKA["listener.security.protocol.map"].split(","))
    client_listeners = [name for name in listeners if name != KAFKA["controller.listener.names"]]
    assert client_listeners == ["SASL_SSL"] and listeners["SASL_SSL"] == "SASL_SSL"
    assert KAFKA["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert "CONTROLLER://localhost:" in KAFKA["listeners"]  # the plaintext controller listener is loopback only
    assert KAFKA["allow.everyone.if.no.acl.found"] == "false"
    assert KAFKA["authorizer.class.name"].endswith("StandardAuthorizer")
    assert KAFKA["auto.create.topics.enable"] == "false"
    for spec in SERVICES:
        env = COMPOSE["services"][spec.name]["environment"]
        assert env["IMDI_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert env["IMDI_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
        assert env["IMDI_KAFKA_SASL_USERNAME"] == spec.name
        assert env["IMDI_KAFKA_SASL_PASSWORD"].startswith(f"${{KAFKA_PASSWORD_{spec.name.upper()}:?")
        assert env["IMDI_KAFKA_BOOTSTRAP"] == KAFKA["advertised.listeners"].split("//", 1)[1]


def granted(user: str, operation: str, kind: str = "topic") -> set[str]:
    """Resources ``user`` may ``operation``; a prefixed grant is shown as ``name*``."""
    return {name + ("*" if pattern == "prefixed" else "") for u, op, k, name, pattern in ACL.findall(SETUP)
            if (u, op, k) == (user, operation, kind)}


CONSUMES = {"rapportering": set(MeasureProjection.topics), "kvalifisering": set(SettlementProjection.topics),
            "tilskudd": set(EntitlementProjection.topics)}


def test_each_service_writes_only_its_own_topic_and_reads_only_what_it_consumes():
    assert ACL.findall(SETUP), "no ACLs found in deploy/kafka/setup.sh"
    users = {u for u, *_ in ACL.findall(SETUP)}
    assert users == {s.name for s in SERVICES}
    for spec in SERVICES:
        name = spec.name
        consumes = CONSUMES.get(name, set())
        dlq = {dead_letter_topic_for(name)} if consumes else set()
        marker = f"imdi._marker.{name}.*"
        assert granted(name, "Write") == {topic_for(name)} | dlq, name
        assert granted(name, "Read") == consumes, name
        assert granted(name, "Create") == {marker}, name  # its relay and consumer create their marker topics
        assert granted(name, "Describe") == {topic_for(name), marker} | consumes | dlq, name
        assert granted(name, "Read", "group") == ({f"imdi.{name}*"} if consumes else set()), name
        assert granted(name, "All") == granted(name, "Alter") == granted(name, "Delete") == set(), name
    loop = re.search(r"^for service in (.+); do\n  topic \"imdi.\$\{service\}.v1\"\n  user \"\$service\"\n",
                     SETUP, re.M)
    assert loop and set(loop[1].split()) == users, "every service gets its topic and its SCRAM user"
    ops = {op for _, op, *_ in ACL.findall(SETUP)}
    assert ops <= {"Write", "Read", "Create", "Describe"}, ops


def test_production_env_example_names_the_kafka_secrets():
    example = (ROOT / "deploy/production.env.example").read_text()
    for key in ("KAFKA_CLUSTER_ID", "KAFKA_ADMIN_PASSWORD", *(f"KAFKA_PASSWORD_{s.name.upper()}" for s in SERVICES)):
        assert f"{key}=" in example, key
