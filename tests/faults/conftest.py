"""Fixtures for the fault tests: bosetting and rapportering processes on fresh PostgreSQL databases."""

from __future__ import annotations

import pytest

from tests.faults.harness import System, synth_rows


@pytest.fixture(scope="session")
def year(tmp_path_factory):
    """The synthetic year's import lines and corrections (scale 0.02: ~260 rows, a few corrections)."""
    return synth_rows(tmp_path_factory.mktemp("synth"))


@pytest.fixture
async def pg_urls(pg):
    return {name: await pg.create(name) for name in ("bosetting", "rapportering")}


@pytest.fixture
def system_factory(tmp_path, pg_urls):
    systems: list[System] = []

    def make(*names: str, **extra_env: str) -> System:
        s = System(tmp_path, pg_urls, extra_env=extra_env)
        systems.append(s)
        return s.start(*names)

    yield make
    for s in systems:
        s.stop()
