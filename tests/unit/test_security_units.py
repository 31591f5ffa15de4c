"""Issue 16 part A, the pure parts: municipality rule, periods, broker security settings, file modes and the
log scanner itself."""

from __future__ import annotations

import asyncio
import logging
import ssl
import stat
from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from bosetting import rules
from bosetting.models import Sak
from shared import kafka
from shared.dates import InvalidPeriod, period_range
from shared.db import Database
from shared.settings import ServiceSettings
from tests.log_guard import LeakCatcher, personal_data_in

PRODUCTION = {"service_name": "bosetting", "environment": "production", "pseudonym_key": "x" * 40,
              "auth_jwks_url": "https://idp.example/jwks", "auth_issuer": "https://idp.example/",
              "database_url": "postgresql+asyncpg://db/bosetting"}


# --- a municipality settles only in its own kommune ------------------------------------------------------
def proposed(to: str = "1201", settled_in: str | None = None) -> Sak:
    return Sak(utvalgt_kommune=to, kommunenummer=settled_in, status="bosatt" if settled_in else "utvalgt")


@pytest.mark.parametrize("sak, change", [
    (proposed(), rules.Change("akseptert", date(2017, 3, 1))),
    (proposed(), rules.Change("bosatt", date(2017, 3, 1), "1201")),
    (proposed(settled_in="1201"), rules.Change("bosatt", date(2017, 4, 1), "1201")),  # its own correction
])
def test_a_municipality_may_accept_and_settle_in_its_own_kommune(sak, change):
    rules.check_municipality_change("1201", sak, change)


@pytest.mark.parametrize("sak, change", [
    (proposed(), rules.Change("bosatt", date(2017, 3, 1), "0301")),                    # settle elsewhere
    (proposed(settled_in="1201"), rules.Change("bosatt", date(2017, 12, 1), "0301")),  # move the person away
    (proposed(settled_in="0301"), rules.Change("bosatt", date(2017, 12, 1), "1201")),  # take from another
    (proposed(), rules.Change("akseptert", date(2017, 3, 1), "0301")),
    (proposed(to="0301"), rules.Change("bosatt", date(2017, 3, 1), "1201")),          # not proposed to it
    (proposed(), rules.Change("utvalgt", date(2017, 3, 1), "1201")),                  # proposing is IMDi's
    (proposed(), rules.Change("avsluttet", date(2017, 3, 1), arsak="trukket")),
])
def test_a_municipality_may_not_move_a_case_elsewhere(sak, change):
    with pytest.raises(rules.NotPermitted):
        rules.check_municipality_change("1201", sak, change)


# --- periods --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("period", ["0000", "1899", "2101", "9999", "2017-13", "2017-H3", "2017-1", "17", ""])
def test_a_period_out_of_range_or_form_is_invalid_period(period):
    with pytest.raises(InvalidPeriod):
        period_range(period)


def test_valid_periods():
    assert period_range("2017") == (date(2017, 1, 1), date(2017, 12, 31))
    assert period_range("2017-H2") == (date(2017, 7, 1), date(2017, 12, 31))
    assert period_range("2016-02") == (date(2016, 2, 1), date(2016, 2, 29))


# --- broker security ------------------------------------------------------------------------------------
async def test_kafka_clients_use_sasl_over_tls_when_configured():
    plain = kafka.connection(ServiceSettings(service_name="bosetting"))
    assert plain == {"bootstrap_servers": "127.0.0.1:9092", "security_protocol": "PLAINTEXT"}
    secure = kafka.connection(ServiceSettings(
        service_name="bosetting", kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="bosetting", kafka_sasl_password="s3cret-s3cret"))
    assert secure["security_protocol"] == "SASL_SSL" and isinstance(secure["ssl_context"], ssl.SSLContext)
    assert secure["ssl_context"].verify_mode == ssl.CERT_REQUIRED and secure["ssl_context"].check_hostname
    assert (secure["sasl_mechanism"], secure["sasl_plain_username"], secure["sasl_plain_password"]) == (
        "SCRAM-SHA-512", "bosetting", "s3cret-s3cret")
    producer = kafka.producer(ServiceSettings(service_name="bosetting", kafka_security_protocol="SASL_SSL",
                                              kafka_sasl_username="b", kafka_sasl_password="p"))
    assert producer.client._security_protocol == "SASL_SSL"
    assert producer.client._sasl_mechanism == "SCRAM-SHA-512"


def test_production_refuses_a_plaintext_broker_and_sasl_without_credentials():
    with pytest.raises(ValidationError, match="SASL_SSL"):
        ServiceSettings(**PRODUCTION)
    with pytest.raises(ValidationError, match="SASL_USERNAME"):
        ServiceSettings(**PRODUCTION, kafka_security_protocol="SASL_SSL")
    ServiceSettings(**PRODUCTION, kafka_security_protocol="SASL_SSL", kafka_sasl_username="bosetting",
                    kafka_sasl_password="x" * 20)


# --- files ----------------------------------------------------------------------------------------------
def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_files_and_their_directory_are_owner_only(tmp_path):
    path = tmp_path / "var" / "bosetting.db"

    async def write() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        async with db.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (navn TEXT)"))
            await conn.execute(text("INSERT INTO t VALUES ('x')"))
        async with db.engine.connect() as conn:  # keep a connection open so -wal and -shm exist
            await conn.execute(text("SELECT * FROM t"))
            assert mode(path.with_name("bosetting.db-wal")) == 0o600
            assert mode(path.with_name("bosetting.db-shm")) == 0o600
        await db.dispose()

    asyncio.run(write())
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


def test_an_existing_world_readable_database_is_made_owner_only(tmp_path):
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    Database(f"sqlite+aiosqlite:///{path}")
    assert mode(path) == 0o600


# --- the log scanner ------------------------------------------------------------------------------------
def test_the_log_scanner_finds_identifiers_and_names():
    assert personal_data_in("duf 201612345678 here") == ["201612345678"]
    assert personal_data_in("fnr 41018036736") == ["41018036736"]     # a valid D-nummer
    assert personal_data_in("12345678901 is no fødselsnummer") == []  # checksum fails
    assert personal_data_in('{"navn": "Amina Testesen"}') == ["Amina Testesen"]
    assert personal_data_in("POST /api/v1/saker/091ea868-2317-4477-bb63-209628216378/stadier") == [], \
        "a case id whose last group happens to be all digits is no DUF-nummer"
    assert personal_data_in("/saker/091ea868-2317-4477-bb63-209628216378 duf 201612345678") == ["201612345678"]
    catcher = LeakCatcher()
    logger = logging.getLogger("test.scanner")
    logger.propagate = False  # this leak is deliberate: keep it from the suite-wide scanner
    logger.addHandler(catcher)
    try:
        try:
            raise ValueError("INSERT ... ('201612345678', 'Amina Testesen')")
        except ValueError:
            logger.error("failed", exc_info=True)  # the exception text is scanned too
    finally:
        logger.removeHandler(catcher)
    assert len(catcher.leaks) == 1
