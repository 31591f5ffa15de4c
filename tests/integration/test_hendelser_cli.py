"""`imdi hendelser` against the real (Tansu) broker: every CloudEvent on a topic as a JSON line, filtered by
type, following new ones; a message that is no CloudEvent is reported by position, never by content."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from aiokafka import AIOKafkaProducer

from shared.events.envelope import Envelope
from shared.kafka import ensure_topics
from shared.settings import ServiceSettings

TOPIC = "imdi.bosetting.v1"
SOURCE = "/imdi-styring/bosetting"


def _event(kind: str, n: int) -> Envelope:
    return Envelope.new(source=SOURCE, type=f"no.imdi.bosetting.{kind}.v1", subject=f"p-{n:032x}",
                        data={"person_ref": f"p-{n:032x}", "nr": n})


async def _publish(bootstrap: str, events: list[Envelope], raw: list[bytes] = ()) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        for e in events:
            await producer.send_and_wait(TOPIC, e.kafka_value(), key=e.subject.encode(), headers=e.kafka_headers())
        for value in raw:
            await producer.send_and_wait(TOPIC, value, key=b"x")
    finally:
        await producer.stop()


def _cli(*args: str, bootstrap: str) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "IMDI_KAFKA_BOOTSTRAP": bootstrap, "COLUMNS": "200"}  # bootstrap from the settings
    return [sys.executable, "-m", "shared.cli", "hendelser", *args], env


async def _run(cmd: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(*cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode(), err.decode()


async def test_prints_every_event_as_a_json_line_and_filters_by_type(broker):
    await ensure_topics(ServiceSettings(service_name="bosetting", kafka_bootstrap=broker.bootstrap), [TOPIC])
    events = [_event("sak-registrert" if i % 2 else "person-bosatt", i) for i in range(12)]
    await _publish(broker.bootstrap, events, raw=[b"not json, 12345678901"])

    cmd, env = _cli("bosetting", bootstrap=broker.bootstrap)
    code, out, err = await _run(cmd, env)
    assert code == 0, err
    printed = [json.loads(line) for line in out.splitlines()]
    assert sorted(printed, key=lambda e: e["data"]["nr"]) == [json.loads(e.to_json()) for e in events]
    assert "ikke en lesbar CloudEvent" in err and "12345678901" not in err

    cmd, env = _cli(TOPIC, "--type", "person-bosatt", bootstrap=broker.bootstrap)
    code, out, err = await _run(cmd, env)
    assert sorted(json.loads(line)["data"]["nr"] for line in out.splitlines()) == list(range(0, 12, 2))


async def test_follows_new_events(broker):
    await ensure_topics(ServiceSettings(service_name="bosetting", kafka_bootstrap=broker.bootstrap), [TOPIC])
    await _publish(broker.bootstrap, [_event("sak-registrert", 1)])
    cmd, env = _cli("bosetting", "--folg", "--type", "no.imdi.bosetting.person-bosatt.v1", bootstrap=broker.bootstrap)
    follower = await asyncio.create_subprocess_exec(*cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        await asyncio.sleep(3)  # it reads the existing event (filtered away) and waits
        assert follower.returncode is None
        later = _event("person-bosatt", 2)
        await _publish(broker.bootstrap, [later])
        line = await asyncio.wait_for(follower.stdout.readline(), 30)
        assert json.loads(line) == json.loads(later.to_json())
    finally:
        follower.terminate()
        await follower.wait()


def test_unknown_topic_is_an_error(broker):
    cmd, env = _cli("imdi.finnes-ikke.v1", bootstrap=broker.bootstrap)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Emnet imdi.finnes-ikke.v1 finnes ikke" in done.stderr
