"""Small counts stay hidden from an external reader (JD), on SQLite and PostgreSQL with the real broker.

A seeded dataset with many kommuner of 1–4 persons (often one kjønn, EM among them) is settled through
bosetting and Kafka; the half-year report is published, corrected as version 2, and the annual report
published. Then everything a JD token can read is collected and handed to the attacker
(``tests/disclosure_attack.py``), which bounds every hidden cell with integer programming."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from rapportering import reports, service, workflow
from rapportering.models import report_version
from tests.conftest import bearer, eventually, is_problem
from tests.disclosure_attack import (
    Attack,
    Layer,
    diff_cells,
    jsonstat_cells,
    live_cells,
    merge,
    report_layer,
    settlement_dataset,
)
from tests.integration.test_reports import caught_up, import_cases
from tests.integration.test_workflow import send_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THRESHOLD = 5


async def publish_year(bos, rap, token, seed: int) -> None:
    """Half-year v1, a correction as half-year v2, then the annual report, each sent to JD through the workflow."""
    base, fix = settlement_dataset(seed)
    await import_cases(bos, token, base)
    await caught_up(rap, bos, rap)
    assert await send_report(rap, token) == 1
    await import_cases(bos, token, fix)
    await caught_up(rap, bos, rap)
    assert await send_report(rap, token) == 2
    assert await send_report(rap, token, "/api/v1/rapporter/arsrapport/2017") == 1


def jd_paths(listing: list[dict]) -> list[str]:
    """Every route a reader may call, for every published version (live ones included: they must refuse)."""
    paths = ["/api/v1/rapporter", "/api/v1/styringsmodell/2017", "/api/v1/styringsparametere?ar=2017",
             "/api/v1/oppdrag?ar=2017", "/api/v1/oppdrag/2017/O1/milepaeler/M1/historikk"]
    for sp in ("SP1", "SP2", "SP3"):
        for period in ("2017", "2017-H1", "2017-H2", "2017-05"):
            paths.append(f"/api/v1/styringsparametere/{sp}/verdi?periode={period}")
        paths.append(f"/api/v1/styringsparametere/{sp}/verdi/hendelser?periode=2017")
    for v in listing:
        base = f"/api/v1/rapporter/{v['rapporttype']}/{v['periode']}"
        paths += [base, f"{base}/utkast", f"{base}/versjoner/{v['versjon']}",
                  f"{base}/versjoner/{v['versjon']}/endringer", f"{base}/versjoner/{v['versjon']}/posisjon"]
        if v["rapporttype"] != "manedsrapport":
            paths += [f"{base}/versjoner/{v['versjon']}/statistikk?niva={n}" for n in ("kommune", "fylke")]
    return list(dict.fromkeys(paths))


async def collect(rap, headers) -> dict[str, object]:
    """path → JSON (or Excel values) for every route that answered 200."""
    listing = (await rap.get("/api/v1/rapporter", headers=headers)).json()
    seen: dict[str, object] = {}
    for path in jd_paths(listing):
        r = await rap.get(path, headers=headers)
        assert r.status_code < 500, (path, r.status_code, r.text[:300])
        if r.status_code == 200:
            seen[path] = r.json()
        if "/versjoner/" in path and path.count("/") == 7:
            x = await rap.get(path, headers={**headers, "Accept": XLSX})
            if x.status_code == 200:
                seen[path + "#xlsx"] = excel_values(x.content)
                seen[path + "#headers"] = dict(x.headers)
            seen[path + "#jsonheaders"] = dict(r.headers)
    return seen


def excel_values(body: bytes) -> dict[str, list[list[object]]]:
    wb = load_workbook(io.BytesIO(body))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def attack(seen: dict[str, object]) -> tuple[list[Layer], dict[tuple, tuple[float, float]]]:
    layers: dict[tuple[str, str, int], Layer] = {}
    contents: dict[tuple[str, str, int], dict] = {}
    for path, body in seen.items():
        parts = path.split("?")[0].split("/")
        if len(parts) == 8 and parts[6] == "versjoner" and parts[4] != "manedsrapport" and "#" not in path:
            key = (parts[4], parts[5], int(parts[7]))
            contents[key] = body
            layers[key] = report_layer("/".join(map(str, key)), "H1" if parts[4] == "halvarsrapport" else "year",
                                       key[2], body)
    for path, body in seen.items():
        parts = path.split("?")[0].split("/")
        if len(parts) == 9 and parts[8] == "statistikk" and "#" not in path:
            level = path.rsplit("=", 1)[1]
            merge(layers[(parts[4], parts[5], int(parts[7]))], jsonstat_cells(body, "k" if level == "kommune" else "f"))
        if len(parts) == 9 and parts[8] == "endringer" and body.get("forrige"):
            new_key = (parts[4], parts[5], int(parts[7]))
            old_key = (parts[4], parts[5], body["forrige"])
            if old_key in contents:
                before, after = diff_cells(body["endringer"], contents[old_key], contents[new_key])
                merge(layers[old_key], before)
                merge(layers[new_key], after)
    latest = {}
    for key in layers:
        if key[2] > latest.get(key[:2], (0,))[0]:
            latest[key[:2]] = (key[2], layers[key])
    extra = []
    for path, body in seen.items():
        if "/verdi?periode=" in path:
            period = path.rsplit("=", 1)[1]
            target = {"2017": ("arsrapport", "2017"), "2017-H1": ("halvarsrapport", "2017-H1")}.get(period)
            if target in latest:
                merge(latest[target][1], live_cells(body))
            elif period == "2017-H2":
                h2 = next((L for L in extra if L.period == "H2"), None) or Layer("live/2017-H2", "H2", 0)
                merge(h2, live_cells(body))
                if h2 not in extra:
                    extra.append(h2)
    all_layers = list(layers.values()) + extra
    return all_layers, Attack(all_layers)


@pytest.mark.parametrize("seed", [3, 8])
async def test_attacker_cannot_narrow_any_suppressed_cell(system, token, seed):
    bos, rap = system
    await publish_year(bos, rap, token, seed)
    seen = await collect(rap, bearer(token("imdi:rapport.read", subject="jd")))
    layers, attacker = attack(seen)
    ranges = attacker.ranges(THRESHOLD - 1)
    truth = {}
    intern = bearer(token("imdi:rapport.intern"))
    for L in layers:
        if L.period != "H2":
            t, p, v = L.name.split("/")
            full = (await rap.get(f"/api/v1/rapporter/{t}/{p}/versjoner/{v}", headers=intern)).json()
            truth.update({(L.name, *k): val for k, val in report_layer(L.name, L.period, 0, full).cells.items()})
    for L in layers:
        if L.period == "H2":  # year − half-year, from the latest versions
            year, h1 = (max((x for x in layers if x.period == p), key=lambda x: x.order).name for p in ("year", "H1"))
            truth.update({(L.name, *k): truth.get((year, *k), 0) - truth.get((h1, *k), 0) for k in L.cells})
    suppressed = [(L.name, *k) for L in layers for k in L.hidden]
    assert len(suppressed) >= 20, "the dataset must have many small cells to attack"
    recovered, narrow = [], []
    assert attacker.holds_for({k: truth.get(k, 0) for k in attacker.index}), "the attacker's model is unsound"
    for cell in suppressed:
        low, high = ranges.get(cell, (truth[cell], truth[cell]))  # not an unknown: another rendering showed it
        if high - low == 0:
            recovered.append(cell)
        if high - low < THRESHOLD - 1:
            narrow.append((cell, truth[cell], low, high))
    print(f"seed {seed}: {len(recovered)} of {len(suppressed)} suppressed cells recovered exactly, "
          f"{len(narrow)} narrowed below the protection interval")
    assert not narrow, f"{len(recovered)} of {len(suppressed)} recovered exactly; narrowed: {narrow[:8]}"


COUNT_KEYS = {"K", "M", "totalt", "enslige_mindrearige", "teller", "nevner"}
COUNT_HEADERS = {"Kvinner", "Menn", "Totalt", "Enslige mindreårige", "Teller", "Nevner"}
LIVE = ["/api/v1/styringsparametere?ar=2017", "/api/v1/oppdrag?ar=2017",
        "/api/v1/styringsparametere/SP1/verdi?periode=2017", "/api/v1/styringsparametere/SP3/verdi?periode=2017-05",
        "/api/v1/styringsparametere/SP1/verdi/hendelser?periode=2017",
        "/api/v1/oppdrag/2017/O1/milepaeler/M1/historikk", "/api/v1/rapporter/arsrapport/2017/utkast",
        "/api/v1/rapporter/manedsrapport/2017-03/utkast", "/api/v1/rapporter/arsrapport/2017/versjoner/1/posisjon"]


def small_counts(obj, path: str = "") -> list[tuple[str, int]]:
    """Every person count from 1 to 4 in a JSON document, a diff or a workbook's count columns."""
    found: list[tuple[str, int]] = []
    if isinstance(obj, dict):
        if "sti" in obj and obj["sti"].rsplit("/", 1)[-1] in COUNT_KEYS:
            found += [(obj["sti"], v) for v in (obj.get("fra"), obj.get("til")) if _small(v)]
        if obj.get("class") == "dataset":  # JSON-stat: the figures are in value; dimension holds indices
            return [(path + "/value", v) for v in obj["value"] if _small(v)]
        for key, value in obj.items():
            if key in COUNT_KEYS and _small(value):
                found.append((f"{path}/{key}", value))
            found += small_counts(value, f"{path}/{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            found += small_counts(value, f"{path}/{i}")
    return found


def _small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < THRESHOLD


def excel_small_counts(sheets: dict[str, list[list[object]]]) -> list[tuple[str, object]]:
    found = []
    for title, rows in sheets.items():
        columns = [i for i, h in enumerate(rows[0]) if h in COUNT_HEADERS] if rows else []
        found += [(title, row[i]) for row in rows[1:] for i in columns if _small(row[i])]
    return found


async def test_jd_reads_every_route_and_finds_no_small_count_hash_or_draft(system, token):
    bos, rap = system
    await publish_year(bos, rap, token, 5)
    jd = bearer(token("imdi:rapport.read", subject="jd"))
    intern = bearer(token("imdi:rapport.intern"))
    for path in LIVE:
        r = await rap.get(path, headers=jd)
        assert is_problem(r, 403), (path, r.status_code)
        assert (await rap.get(path, headers=intern)).status_code == 200, path
    seen = await collect(rap, jd)
    assert not any(path.endswith("/utkast") or "/verdi" in path or "posisjon" in path for path in seen)
    for path, body in seen.items():
        if path.endswith("#xlsx"):
            assert not excel_small_counts(body), (path, excel_small_counts(body)[:5])
        elif not path.endswith("headers"):
            assert not small_counts(body), (path, small_counts(body)[:5])
    # the internal hash of any version is nowhere in what JD got, headers included; JD's hash is of what it got
    internal = (await rap.get("/api/v1/rapporter", headers=intern)).json()
    everything = json.dumps(seen, default=str)
    differing = [v for v in internal if v["sha256"] != v["sha256_ekstern"]]  # monthly reports hold no counts
    assert len(differing) == 3 and not any(v["sha256"] in everything for v in differing)
    for v in (await rap.get("/api/v1/rapporter", headers=jd)).json():
        assert v["publisert_av"] in ("system", "IMDi (analyse og rapportering)") and "sha256_ekstern" not in v
        r = await rap.get(f"/api/v1/rapporter/{v['rapporttype']}/{v['periode']}/versjoner/{v['versjon']}",
                          headers=jd)
        assert r.headers["x-rapport-sha256"] == v["sha256"] == reports.sha256(r.content)
    # integer path parameters are bounded: 422, not an overflow
    for tail in ("", "/endringer", "/statistikk"):
        r = await rap.get(f"/api/v1/rapporter/arsrapport/2017/versjoner/9223372036854775808{tail}", headers=intern)
        assert is_problem(r, 422), (tail, r.status_code)


async def monthly_versions(rap) -> dict[str, list[int]]:
    async with rap.app.state.db.sessions() as s:
        rows = (await s.execute(select(report_version.c.periode, report_version.c.versjon).where(
            report_version.c.rapporttype == "manedsrapport"))).all()
    out: dict[str, list[int]] = {}
    for period, version in rows:
        out.setdefault(period, []).append(version)
    return out


async def test_monthly_reports_are_published_by_the_scheduler_once_under_concurrency(system, token):
    _, rap = system
    jd = bearer(token("imdi:rapport.read", subject="jd"))
    writer = bearer(token("imdi:rapport.write"))

    async def all_months() -> bool:
        return len(await monthly_versions(rap)) == 12

    await eventually(all_months, what="the scheduler published the closed months at start-up")
    async with rap.app.state.db.sessions() as s, s.begin():
        await s.execute(delete(report_version).where(report_version.c.rapporttype == "manedsrapport"))
        await s.execute(delete(workflow.workflow_step).where(workflow.workflow_step.c.rapporttype == "manedsrapport"))
    r = await rap.get("/api/v1/rapporter/manedsrapport/2017-04", headers=jd)
    assert is_problem(r, 404) and "publiseres automatisk" in r.json()["detail"]
    assert await monthly_versions(rap) == {}, "a GET never publishes"

    settings = rap.app.state.settings
    job = [service.publish_closed_months(db=rap.app.state.db, consumer=settings.consumer_group,
                                         today=date(2026, 1, 1), threshold=settings.prikking_terskel)
           for _ in range(3)]
    reads = [rap.get("/api/v1/rapporter/manedsrapport/2017-04", headers=jd) for _ in range(8)]
    posts = [rap.post("/api/v1/rapporter/manedsrapport/2017-04/send-til-godkjenning", headers=writer)
             for _ in range(4)]
    posts += [rap.post("/api/v1/rapporter/halvarsrapport/2017-H1/send-til-godkjenning", headers=writer)
              for _ in range(2)]
    results = await asyncio.gather(*job, *reads, *posts)
    responses = results[len(job):]
    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    assert {r.status_code for r in responses[:8]} <= {200, 404}
    assert {r.status_code for r in responses[8:]} == {409}, "a monthly report is only sent by the scheduler"
    assert sum(results[:len(job)]) == 12, "each closed month exactly once"
    assert await monthly_versions(rap) == {f"2017-{m:02d}": [1] for m in range(1, 13)}
    async with rap.app.state.db.sessions() as s:
        sent = (await s.execute(select(workflow.workflow_step.c.periode).where(
            workflow.workflow_step.c.rapporttype == "manedsrapport"))).scalars().all()
    assert sorted(sent) == [f"2017-{m:02d}" for m in range(1, 13)], "each month sent once"
    assert (await rap.get("/api/v1/rapporter/manedsrapport/2017-04", headers=jd)).status_code == 200
