"""The checker counts SP1–SP3 straight from bosetting's database as the letter defines them: settled by a
municipality or by agreement with one, family-reunified persons beside."""

from __future__ import annotations

import json

from checker.core import expected_from_bosetting
from tests.conftest import bearer, running_app, service_settings
from tests.integration.test_agreement import HAND_WORKED_POPULATION, population_rows


async def test_checker_counts_the_letters_population_from_bosettings_rows(db_url_factory, keys, tmp_path, token):
    url = await db_url_factory("bosetting")
    settings = service_settings("bosetting", db_url=url, bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path,
                                kafka_enabled=False)
    async with running_app("bosetting", settings) as bos:
        write = {**bearer(token("imdi:bosetting.write")), "Content-Type": "application/x-ndjson"}
        rows = population_rows()
        report = (await bos.post("/api/v1/import/saker", content="".join(json.dumps(r) + "\n" for r in rows),
                                 headers=write)).json()
        assert report["opprettet"] == len(rows), report["feil"][:3]

    figures = await expected_from_bosetting(url)

    for i, sp in enumerate(("SP1", "SP2")):  # worked out by hand in HAND_WORKED_POPULATION
        hits = [c[4 + i] for c in HAND_WORKED_POPULATION if c[4 + i] is not None]
        assert figures[(sp, "2017")][("alle", "alle")] == (sum(hits), len(hits)), sp
