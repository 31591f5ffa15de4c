from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.dates import add_months
from shared.events import REGISTRY, Envelope
from shared.events.schemas import PERSON_BOSATT_V1
from shared.geo import fylker_2017, kommuner_2017
from shared.pseudonym import person_ref
from shared.settings import ServiceSettings

PACKAGED = Path(__file__).resolve().parents[2] / "shared" / "data"
# SHA-256 of SSB's 2017 division as given in shared/reference/ (Klass 131 and 104), recorded when the packaged
# copies were checked equal to it: the test runs in any checkout and fails if the packaged data drift.
REFERENCE_SHA256 = {
    "kommuner-2017.csv": "63825b20a305be50f423ad763d47bcc01d566f5379394354d01bee51017976d4",
    "fylker-2017.csv": "e96c0699a2812770dad388ceb3243aa7c1cf0e5b1420967db999a6c2d4e5c1e4",
}


@pytest.mark.parametrize("start, months, expected", [
    (date(2017, 8, 31), 6, date(2018, 2, 28)),
    (date(2015, 8, 31), 6, date(2016, 2, 29)),
    (date(2017, 1, 31), 1, date(2017, 2, 28)),
    (date(2017, 1, 10), 6, date(2017, 7, 10)),
    (date(2017, 7, 15), 6, date(2018, 1, 15)),
    (date(2016, 12, 31), 12, date(2017, 12, 31)),
    (date(2017, 11, 30), 3, date(2018, 2, 28)),
])
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_division_2017_has_426_municipalities_in_19_counties():
    assert len(kommuner_2017()) == 426
    assert len(fylker_2017()) == 19
    assert {k.fylkesnummer for k in kommuner_2017().values()} == set(fylker_2017())


def test_repeated_names_are_shown_with_county():
    names = [k.visningsnavn for k in kommuner_2017().values() if k.navn == "Sande"]
    assert sorted(names) == ["Sande (Møre og Romsdal)", "Sande (Vestfold)"]
    assert kommuner_2017()["0301"].visningsnavn == "Oslo"


@pytest.mark.parametrize("name", sorted(REFERENCE_SHA256))
def test_packaged_division_equals_the_reference(name):
    assert hashlib.sha256((PACKAGED / name).read_bytes()).hexdigest() == REFERENCE_SHA256[name]


def test_person_ref_is_keyed_and_stable():
    a = person_ref("key-1", "201612345678")
    assert a == person_ref("key-1", " 201612345678 ")
    assert a != person_ref("key-2", "201612345678")
    assert "201612345678" not in a and a.startswith("p-") and len(a) == 34


def test_envelope_kafka_binary_round_trip():
    spec = PERSON_BOSATT_V1
    env = Envelope.new(source=spec.source, type=spec.type, subject="p-x", data=spec.example.model_dump(mode="json"))
    back = Envelope.from_kafka(env.kafka_headers(), env.kafka_value())
    assert back == env
    assert back.time.utcoffset() is not None


def test_envelope_conforms_to_the_cloudevents_sdk():
    from cloudevents.v1.kafka import KafkaMessage, from_binary, to_binary

    spec = PERSON_BOSATT_V1
    env = Envelope.new(source=spec.source, type=spec.type, subject="p-x", data=spec.example.model_dump(mode="json"))
    message = KafkaMessage(headers=dict(env.kafka_headers()), key=b"p-x", value=env.kafka_value())
    event = from_binary(message)
    assert event["id"] == env.id and event["type"] == spec.type and event["specversion"] == "1.0"
    assert event.data == env.data
    # and what the SDK writes, we read
    sdk_message = to_binary(event)
    assert Envelope.from_kafka(list(sdk_message.headers.items()), sdk_message.value) == env


@pytest.mark.parametrize("headers, value", [
    ([("ce_id", b"1")], b"{}"),
    ([], b"not json"),
    ([("content-type", b"text/plain")], b"{}"),
    ([("ce_id", b"1"), ("ce_source", b"s"), ("ce_type", b"t"), ("ce_time", b"2017-01-01T00:00:00"),
      ("ce_specversion", b"1.0")], b"{}"),  # time without offset
    ([("ce_id", b"1"), ("ce_source", b"s"), ("ce_type", b"t"), ("ce_time", b"2017-01-01T00:00:00+01:00"),
      ("ce_specversion", b"1.0")], b"[1]"),
])
def test_malformed_messages_are_rejected(headers, value):
    with pytest.raises((ValueError, ValidationError)):
        Envelope.from_kafka(headers, value)


def test_registry_types_are_versioned_and_examples_validate():
    for type_, spec in REGISTRY.items():
        assert type_.startswith(f"no.imdi.{spec.service}.") and type_.endswith(f".v{spec.version}")
        spec.model.model_validate(spec.example.model_dump(mode="json"))


def test_production_settings_refuse_unsafe_defaults():
    with pytest.raises(ValidationError) as err:
        ServiceSettings(service_name="bosetting", environment="production")
    text = str(err.value)
    assert "IMDI_PSEUDONYM_KEY" in text and "IMDI_AUTH_JWKS_URL" in text and "PostgreSQL" in text
    ok = ServiceSettings(service_name="bosetting", environment="production", pseudonym_key="x" * 40,
                         auth_jwks_url="https://idp.example/jwks", auth_issuer="https://idp.example/",
                         database_url="postgresql+asyncpg://db/bosetting", kafka_security_protocol="SASL_SSL",
                         kafka_sasl_username="bosetting", kafka_sasl_password="x" * 20)
    assert ok.auth_public_key_file is None


def test_development_settings_default_to_sqlite_under_var():
    s = ServiceSettings(service_name="tilskudd")
    assert s.database_url == "sqlite+aiosqlite:///var/tilskudd.db"
