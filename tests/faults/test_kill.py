"""kill -9 under load, with every service a real process on PostgreSQL: rapportering in the middle of a batch,
bosetting between its database commit and the relay. After each, the checker's figures (counted from bosetting's
database) equal rapportering's, and every outbox event was processed exactly once."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.faults.harness import Load, scalar, settle

pytestmark = pytest.mark.e2e


def _until(predicate, timeout: float, what: str, interval: float = 0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s")


def _unpublished(system) -> int:
    return asyncio.run(scalar(system.database_urls["bosetting"],
                              "SELECT count(*) FROM outbox WHERE published_at IS NULL"))


def _processed(system) -> int:
    return asyncio.run(scalar(system.database_urls["rapportering"], "SELECT count(*) FROM processed_event"))


def _frozen_with_unpublished_rows(system) -> int:
    """Freeze bosetting (SIGSTOP) when committed rows wait for the relay; thaw and retry if none are left
    once it is frozen. Returns how many rows are stranded."""
    if not _unpublished(system):
        return 0
    system.freeze("bosetting", True)
    time.sleep(0.2)  # a commit already sent to PostgreSQL completes meanwhile
    if stranded := _unpublished(system):
        return stranded
    system.freeze("bosetting", False)
    return 0


def test_kill9_rapportering_mid_batch_and_bosetting_before_its_relay(system_factory, year):
    system = system_factory("bosetting", "rapportering")
    load = Load(system, *year, chunk=10, pause=0.3)
    load.start()

    _until(lambda: _processed(system) > 0 and load.sent < len(load.batches) - 4, 60, "rapportering consuming")
    system.kill9("rapportering")
    processed_at_kill = _processed(system)

    stranded = _until(lambda: _frozen_with_unpublished_rows(system), 60, "bosetting stopped before its relay")
    system.kill9("bosetting")
    assert _unpublished(system) == stranded > 0, "the kill must land between commit and relay"

    system.restart("bosetting")
    system.restart("rapportering")
    load.finish()
    settle(system)
    print(f"rapportering killed after {processed_at_kill} events, bosetting with {stranded} rows unpublished; "
          f"{load.retries} import retries")
