"""The soak's bosetting finding, reproduced quickly (in ``make test``): SP2 and the waiting time read every
settled case of the period, and loading them all at once made the request's memory, and so bosetting's RSS,
grow with its data. Streamed, the peak Python allocation of one request (tracemalloc) stays about the same
when the number of settled cases triples. Generous margin: loaded at once, the peak grows ~3x."""

from __future__ import annotations

import json
import tracemalloc

from tests.conftest import bearer, case_body, running_app, service_settings

READS = ("/api/v1/styringsparametere/SP2/verdi?periode=2017", "/api/v1/ventetid?periode=2017&gruppe=kjonn")


async def _import(client, headers, start: int, n: int) -> None:
    rows = "".join(json.dumps(case_body(f"2016{start + i:08d}", ekstern_id=f"MEM-{start + i}",
                                        kjonn="KM"[i % 2])) + "\n" for i in range(n))
    r = await client.post("/api/v1/import/saker", content=rows,
                          headers={**headers, "Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and r.json()["opprettet"] == n, r.text


async def _peak_mib(client, headers, path: str) -> float:
    tracemalloc.start()
    try:
        r = await client.get(path, headers=headers)
        assert r.status_code == 200, r.text
        return tracemalloc.get_traced_memory()[1] / 1024**2
    finally:
        tracemalloc.stop()


async def test_reading_the_period_s_settled_cases_takes_memory_independent_of_their_number(tmp_path, keys, token):
    settings = service_settings("bosetting", db_url=f"sqlite+aiosqlite:///{tmp_path / 'bosetting.db'}",
                                bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path, kafka_enabled=False)
    headers = bearer(token("imdi:bosetting.write"))
    async with running_app("bosetting", settings) as client:
        await _import(client, headers, 0, 1000)
        await _peak_mib(client, headers, READS[0])  # warm-up: first-use caches are not the data
        few = {p: await _peak_mib(client, headers, p) for p in READS}
        await _import(client, headers, 1000, 2000)
        many = {p: await _peak_mib(client, headers, p) for p in READS}
    print({p: (round(few[p], 1), round(many[p], 1)) for p in READS})
    assert all(many[p] < 1.5 * few[p] + 0.5 for p in READS), (few, many)
