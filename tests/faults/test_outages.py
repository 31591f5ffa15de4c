"""Outages under load, slow (``make soak``): the broker stopped for a minute and restarted empty; a
PostgreSQL restart (the test's own cluster). After each, the checker equals rapportering."""

from __future__ import annotations

import os
import time

import pytest

from tests.faults.harness import Load, System, settle
from tests.faults.own_postgres import OwnPostgres

pytestmark = [pytest.mark.e2e, pytest.mark.soak]
OUTAGE_SECONDS = float(os.environ.get("IMDI_FAULT_OUTAGE_SECONDS", "60"))


def test_broker_stopped_a_minute_and_restarted_empty(system_factory, year):
    system = system_factory("bosetting", "rapportering")
    load = Load(system, *year, chunk=10, pause=0.5)
    load.start()
    time.sleep(3)
    system.freeze("rapportering", True)  # what is published now is only on the broker that is about to go
    time.sleep(2)
    system.broker.stop()
    sent_before = load.sent
    time.sleep(OUTAGE_SECONDS)
    assert load.sent > sent_before, "writes go on while the broker is down"
    system.broker.start()  # memory storage: every topic, offset and group is gone
    system.freeze("rapportering", False)
    load.finish(timeout=300)
    settle(system, timeout=240)


def test_postgresql_restarted_under_load(tmp_path, year):
    pg = OwnPostgres().init()
    system = System(tmp_path, {name: pg.create(name) for name in ("bosetting", "rapportering")})
    try:
        system.start("bosetting", "rapportering")
        load = Load(system, *year, chunk=10, pause=0.3)
        load.start()
        time.sleep(4)
        pg.restart()
        time.sleep(2)
        pg.restart()
        load.finish(timeout=300)
        settle(system, timeout=240)
        print(f"{load.retries} import retries across the restarts")
    finally:
        system.stop()
        pg.remove()
