"""`make bench`: six benchmarks that hold the system against the limits of the machine.

Each benchmark measures, in the same run on the same machine, its figure and the reference it is compared
with (a peer doing the same work with nothing of ours in the way), and the suite writes
``bench/results/latest.json``: a list of ``{"name", "value", "unit", "target", "target_met", "reference",
"reference_value", "ratio", "machine", "notes"}``. ``ratio`` is value / reference value (for times and
latencies too: above 1 means slower than the peer). Benchmarks, not tests: nothing here asserts a time.

1. ``import``: bosetting's bulk import (validation, storage, outbox events) on PostgreSQL, rows/s for the
   first file and the per-row time of a later, larger file against it; reference: PostgreSQL ``COPY`` of the
   same rows into a table of the same columns.
2. ``pipeline``: events/s from an outbox through Kafka (Tansu) into rapportering's measures on PostgreSQL
   (relay and consumer measured one after the other; end to end is bounded by the slower); reference: bare
   aiokafka produce → consume of the same messages on the same broker.
3. ``freshness``: an API write in bosetting → its event applied in rapportering, at a steady 200 writes/s
   (bosetting and rapportering as their own processes on PostgreSQL, and the broker), p50 and p99 from the
   commit times in both databases, split at the relay's ``published_at``.
4. ``per_event_cost``: the time to apply the same 10 000 events after 10 000 and after N earlier events
   (PostgreSQL): nothing may rescan, so the ratio stays near 1.
5. ``annual_report``: the annual report (every SP, statistics by kjønn × fylke × kommune) as JSON and Excel
   at scale 1 (11 000 settled persons, PostgreSQL); reference: DuckDB computing the SP1–SP3 table over an
   export of the same persons.
6. ``api_reads``: p99 latency at a fixed 500 requests/s offered by ``hey`` from another process, for a case
   read in bosetting and an SP value in rapportering (the embedded system).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from benchmarks.import_bench import write_file
from benchmarks.pipeline import database, events
from benchmarks.pipeline import run as pipeline_run
from shared.auth import issue_token
from shared.broker import EmbeddedBroker, free_port
from shared.db import Database, migrate
from shared.events.envelope import Envelope
from shared.runner import SERVICES, EmbeddedRun

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "latest.json"


def machine() -> str:
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal:")), 0)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    return f"{cpu}, {os.cpu_count()} cores, {mem} GiB, Python {platform.python_version()}"


def result(name: str, value: float, unit: str, target: str, met: bool, reference: str, reference_value: float | None,
           notes: str = "") -> dict:
    return {"name": name, "value": round(value, 2), "unit": unit, "target": target, "target_met": met,
            "reference": reference, "reference_value": None if reference_value is None else round(reference_value, 2),
            "ratio": None if not reference_value else round(value / reference_value, 3), "machine": machine(),
            "notes": notes}


def stream(path: Path):
    with path.open("rb") as fh:
        while block := fh.read(256 * 1024):
            yield block


# --- 1. import ---------------------------------------------------------------------------------------------
async def _copy_reference(url: str, path: Path) -> float:
    """rows/s for PostgreSQL COPY of the same rows into a table with the same columns (and ids and timestamps
    made in Python, as the import makes them)."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE copy_ref (id text primary key, ekstern_id text unique, duf_nummer text "
                           "unique, kjonn text, fodselsar int, vedtaksdato date, klar_dato date, bosettingsdato "
                           "date, kommunenummer text, opprettet timestamptz)")
        started = time.perf_counter()
        records = []
        with path.open() as fh:
            for line in fh:
                r = json.loads(line)
                records.append((str(uuid.uuid4()), r["ekstern_id"], r["duf_nummer"], r["kjonn"], r["fodselsar"],
                                date.fromisoformat(r["vedtaksdato"]), date.fromisoformat(r["klar_dato"]),
                                date.fromisoformat(r["bosettingsdato"]) if "bosettingsdato" in r else None,
                                r.get("kommunenummer"), datetime.now().astimezone()))
        await conn.copy_records_to_table("copy_ref", records=records)
        return len(records) / (time.perf_counter() - started)
    finally:
        await conn.close()


async def bench_import(tmp: Path, sizes: list[int]) -> dict:
    url, drop = await database("postgresql", "import", tmp)
    spec = tuple(s for s in SERVICES if s.name == "bosetting")
    (tmp / "import").mkdir()
    run = EmbeddedRun(tmp / "import", broker_port=free_port(), services=spec, ports={"bosetting": free_port()},
                      database_urls={"bosetting": url}, extra_env={"IMDI_KAFKA_ENABLED": "false"})
    run.start(timeout=90)
    try:
        token = issue_token((tmp / "import" / "dev-signing-key.pem").read_bytes(), scopes=["imdi:bosetting.write"])
        rates, offset = [], 0
        for n in sizes:
            path = tmp / f"rows-{n}.ndjson"
            write_file(path, n, offset)
            offset += n
            started = time.perf_counter()
            r = await asyncio.to_thread(
                httpx.post, f"http://127.0.0.1:{run.ports['bosetting']}/api/v1/import/saker", content=stream(path),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}, timeout=7200)
            r.raise_for_status()
            rates.append(n / (time.perf_counter() - started))
        reference = await _copy_reference(url, tmp / f"rows-{sizes[0]}.ndjson")
    finally:
        run.stop()
        await drop()
    slowdown = rates[0] / rates[-1]
    return result("import", rates[0], "rader/s", "≥ 20 000 rader/s, og per rad ≤ 1,2× tregere ved større filer",
                  rates[0] >= 20_000 and slowdown <= 1.2, "PostgreSQL COPY av de samme radene", reference,
                  f"{sizes[0]} rader: {rates[0]:,.0f} rader/s; {sizes[-1]} rader etter dem: {rates[-1]:,.0f} rader/s "
                  f"(tid per rad {slowdown:.2f}× den første filens)")


# --- 2. pipeline -------------------------------------------------------------------------------------------
async def _bare_kafka(n: int) -> float:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    values = [(row["key"].encode(), row["envelope"].encode()) for row in events(n)]
    with EmbeddedBroker() as broker:
        topic = "bench.bare"
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=5, max_batch_size=1 << 20)
        await producer.start()
        started = time.perf_counter()
        try:
            batch = [await producer.send(topic, v, key=k) for k, v in values]
            await asyncio.gather(*batch)
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest",
                                    enable_auto_commit=False, group_id=None)
        await consumer.start()
        seen = 0
        try:
            while seen < n:
                got = await consumer.getmany(timeout_ms=1000, max_records=5000)
                seen += sum(len(v) for v in got.values())
        finally:
            await consumer.stop()
        return n / (time.perf_counter() - started)


async def bench_pipeline(n: int) -> dict:
    ours = await pipeline_run("postgresql", n)
    end_to_end = min(ours["relay_events_per_s"], ours["consumer_events_per_s"] or ours["relay_events_per_s"])
    reference = await _bare_kafka(n)
    return result("pipeline", end_to_end, "hendelser/s", "≥ 20 000 hendelser/s ende til ende på PostgreSQL",
                  end_to_end >= 20_000, "aiokafka produser → konsumer av de samme meldingene, samme megler",
                  reference, f"relé {ours['relay_events_per_s']:,}/s, konsument {ours['consumer_events_per_s']:,}/s "
                  f"({n} hendelser)")


# --- 3. freshness ------------------------------------------------------------------------------------------
def _case(i: int, kommuner: list[str]) -> dict:
    vedtak = date(2017, 1, 2) + timedelta(days=i % 120)
    return {"duf_nummer": f"2016{i:08d}", "kjonn": "KM"[i % 2], "fodselsar": 1980 + i % 30,
            "vedtaksdato": vedtak.isoformat(), "bosettingsdato": (vedtak + timedelta(days=40)).isoformat(),
            "kommunenummer": kommuner[i % len(kommuner)]}


async def bench_freshness(tmp: Path, rate: int, seconds: int) -> dict:
    from shared.geo import kommuner_2017
    spec = tuple(s for s in SERVICES if s.name in ("bosetting", "rapportering"))
    var = tmp / "fresh"
    var.mkdir()
    urls = {name: await database("postgresql", f"fresh_{name}", tmp) for name in ("bosetting", "rapportering")}
    run = EmbeddedRun(var, broker_port=free_port(), services=spec, ports={s.name: free_port() for s in spec},
                      database_urls={k: v[0] for k, v in urls.items()})
    run.start(timeout=90)
    kommuner = sorted(kommuner_2017())
    try:
        token = issue_token((var / "dev-signing-key.pem").read_bytes(), scopes=["imdi:bosetting.write"])
        headers = {"Authorization": f"Bearer {token}"}
        url = f"http://127.0.0.1:{run.ports['bosetting']}/api/v1/saker"
        n = rate * seconds
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=64)) as client:
            started = time.perf_counter()
            tasks = []
            for i in range(n):
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(client.post(url, json=_case(i, kommuner), headers=headers)))
            answers = await asyncio.gather(*tasks, return_exceptions=True)
            statuses = [a.status_code if isinstance(a, httpx.Response) else type(a).__name__ for a in answers]
        offered = n / (time.perf_counter() - started)
        ok = statuses.count(201)
        bos, rap = [await asyncpg.connect(urls[n][0].replace("postgresql+asyncpg://", "postgresql://"))
                    for n in ("bosetting", "rapportering")]
        deadline = time.time() + 120
        while time.time() < deadline:
            wanted = {r[0]: (r[1], r[2]) for r in await bos.fetch(
                "SELECT event_id, occurred_at, published_at FROM outbox")}
            done = {r[0]: r[1] for r in await rap.fetch("SELECT event_id, processed_at FROM processed_event")}
            if set(wanted) <= set(done):
                break
            await asyncio.sleep(0.5)
        await bos.close()
        await rap.close()
        lags = sorted((done[e] - t).total_seconds() for e, (t, _) in wanted.items() if e in done)
        # where the time goes: event time → the relay's publish (write commit, relay) → applied (broker, consumer)
        relayed = sorted((p - t).total_seconds() for e, (t, p) in wanted.items() if e in done and p)
        applied = sorted((done[e] - p).total_seconds() for e, (_, p) in wanted.items() if e in done and p)
    finally:
        run.stop()
        for _, drop in urls.values():
            await drop()
    p50, p99 = _pct(lags, 0.5), _pct(lags, 0.99)
    return result("freshness_p99", p99, "ms", "p50 ≤ 50 ms, p99 ≤ 250 ms", p50 <= 50 and p99 <= 250,
                  "p50 i samme kjøring", p50,
                  f"{ok} av {n} skriv godtatt ved {offered:.0f} skriv/s tilbudt (PostgreSQL; "
                  f"p50/p99 fra hendelsestid til publisert {_pct(relayed, 0.5):.0f}/{_pct(relayed, 0.99):.0f} ms, fra "
                  f"publisert til anvendt {_pct(applied, 0.5):.0f}/{_pct(applied, 0.99):.0f} ms; "
                  f"{sum(1 for x in statuses if not isinstance(x, int))} brutte forbindelser); {len(lags)} hendelser "
                  "målt fra hendelsens tid i bosettings utboks til rapporterings transaksjon som anvendte den "
                  "(processed_at: transaksjonens start, commit følger innen batchens få ms)")


def _pct(seconds: list[float], q: float) -> float:
    """The ``q`` quantile of sorted seconds, in ms (nan for none)."""
    return seconds[min(int(len(seconds) * q), len(seconds) - 1)] * 1000 if seconds else float("nan")


# --- 4. per-event cost -------------------------------------------------------------------------------------
def _records(rows: list[dict]) -> list:
    from collections import namedtuple
    record = namedtuple("Record", "topic partition offset key value headers")
    out = []
    for i, row in enumerate(rows):
        env = Envelope.model_validate_json(row["envelope"])
        out.append(record(row["topic"], 0, i, row["key"].encode(), env.kafka_value(), env.kafka_headers()))
    return out


async def bench_per_event_cost(tmp: Path, prior: int, batch: int = 10_000) -> dict:
    from rapportering.config import Settings
    from rapportering.projection import MeasureProjection
    from shared.consumer import IdempotentConsumer
    from shared.status import BrokerStatus

    all_rows = events(prior + batch)
    timings = []
    for before in (min(10_000, prior), prior):
        url, drop = await database("postgresql", f"cost{before}", tmp)
        try:
            await migrate(url, ROOT / "services/rapportering/migrations")
            consumer = IdempotentConsumer(Database(url), Settings(environment="test", database_url=url,
                                                                  kafka_enabled=False),
                                          MeasureProjection(), BrokerStatus(["consumer"]))
            records = _records(all_rows[:before] + all_rows[prior:prior + batch])
            for i in range(0, before, 2000):
                await consumer.process(records[i:i + 2000])
            started = time.perf_counter()
            for i in range(before, before + batch, 2000):
                await consumer.process(records[i:i + 2000])
            timings.append(time.perf_counter() - started)
            await consumer.db.dispose()
        finally:
            await drop()
    ratio = timings[1] / timings[0]
    return result("per_event_cost", ratio, "forhold", "≤ 1,2 (ingenting skannes på nytt)", ratio <= 1.2,
                  "1,0 (samme kostnad uansett volum)", 1.0,
                  f"{batch} hendelser etter {min(10_000, prior)}: {batch / timings[0]:,.0f}/s; etter {prior}: "
                  f"{batch / timings[1]:,.0f}/s")


# --- 5. annual report --------------------------------------------------------------------------------------
async def bench_annual_report(tmp: Path, persons: int) -> dict:
    import duckdb
    from sqlalchemy import select

    from rapportering import formats, reports
    from rapportering.config import Settings
    from rapportering.models import settlement
    from rapportering.projection import MeasureProjection
    from rapportering.steering import load
    from shared.consumer import IdempotentConsumer
    from shared.status import BrokerStatus

    url, drop = await database("postgresql", "report", tmp)
    try:
        await migrate(url, ROOT / "services/rapportering/migrations")
        consumer = IdempotentConsumer(Database(url), Settings(environment="test", database_url=url,
                                                              kafka_enabled=False),
                                      MeasureProjection(), BrokerStatus(["consumer"]))
        records = _records(events(persons))
        for i in range(0, persons, 2000):
            await consumer.process(records[i:i + 2000])
        model = load(2017)
        started = time.perf_counter()
        async with consumer.db.sessions() as s:
            content = await reports.build(s, model, "arsrapport", "2017")
        reports.canonical(content)
        formats.excel(content)
        ours = time.perf_counter() - started
        export = tmp / "settled.csv"
        async with consumer.db.sessions() as s:
            rows = (await s.execute(select(settlement))).mappings().all()
        with export.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["vedtaksdato", "bosettingsdato", "kommunenummer", "fylkesnummer", "kjonn", "em"])
            for r in rows:
                w.writerow([r["vedtaksdato"], r["bosettingsdato"], r["kommunenummer"], r["fylkesnummer"],
                            r["kjonn"], r["enslig_mindrearig"]])
        await consumer.db.dispose()
    finally:
        await drop()
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"CREATE TABLE p AS SELECT * FROM read_csv_auto('{export}')")
    con.execute("""SELECT kommunenummer, fylkesnummer, kjonn, count(*) AS n,
                   sum(CASE WHEN bosettingsdato <= vedtaksdato + INTERVAL 6 MONTH THEN 1 ELSE 0 END) AS sp1,
                   sum(CASE WHEN bosettingsdato <= vedtaksdato + INTERVAL 12 MONTH THEN 1 ELSE 0 END) AS sp2,
                   sum(CASE WHEN em AND bosettingsdato <= vedtaksdato + INTERVAL 3 MONTH THEN 1 ELSE 0 END) AS sp3
                   FROM p WHERE year(bosettingsdato) = 2017 GROUP BY ROLLUP (fylkesnummer, kommunenummer, kjonn)
                """).fetchall()
    reference = time.perf_counter() - started
    return result("annual_report", ours, "s", "≤ 1 s ved skala 1 (≤ 10 s ved skala 100)", ours <= 1.0,
                  "DuckDB: SP1–SP3-tabellen over en eksport av de samme personene", reference,
                  f"{persons} bosatte; JSON og Excel (inkl. framskriving og avsløringskontroll er ikke med: den "
                  "kjøres ved publisering)")


# --- 6. API reads ------------------------------------------------------------------------------------------
def _hey(url: str, token: str, rate: int, seconds: int) -> tuple[float, float, int]:
    """p99 and p50 (ms) and the number of non-2xx answers at ``rate`` requests/s offered by hey."""
    workers = 50
    out = subprocess.run(["hey", "-z", f"{seconds}s", "-c", str(workers), "-q", str(rate / workers), "-H",
                          f"Authorization: Bearer {token}", url], capture_output=True, text=True, check=True).stdout

    def pct(p: str) -> float:
        m = re.search(rf"{p}% in ([0-9.]+) secs", out)
        return float(m.group(1)) * 1000 if m else float("nan")

    codes = dict(re.findall(r"\[(\d{3})\]\s+(\d+) responses", out))
    bad = sum(int(v) for k, v in codes.items() if not k.startswith("2"))
    return pct("99"), pct("50"), bad


async def bench_api_reads(tmp: Path, rate: int, seconds: int) -> list[dict]:
    from shared.geo import kommuner_2017
    if shutil.which("hey") is None:
        raise RuntimeError("hey is missing: `make bench` installs it (apt-get install hey)")
    spec = tuple(s for s in SERVICES if s.name in ("bosetting", "rapportering"))
    var = tmp / "reads"
    var.mkdir()
    run = EmbeddedRun(var, broker_port=free_port(), services=spec, ports={s.name: free_port() for s in spec})
    run.start(timeout=90)
    kommuner = sorted(kommuner_2017())
    out = []
    try:
        key = (var / "dev-signing-key.pem").read_bytes()
        write = {"Authorization": f"Bearer {issue_token(key, scopes=['imdi:bosetting.write'])}"}
        async with httpx.AsyncClient(timeout=30) as client:
            ids = []
            for i in range(200 if os.environ.get("IMDI_BENCH_SMOKE") else 2000):
                r = await client.post(f"http://127.0.0.1:{run.ports['bosetting']}/api/v1/saker",
                                      json=_case(i, kommuner), headers=write)
                ids.append(r.json()["id"])
        await asyncio.sleep(5)  # rapportering catches up
        read = issue_token(key, scopes=["imdi:bosetting.read", "imdi:rapport.intern"], ttl_seconds=3600)
        targets = [("api_read_case_p99", f"http://127.0.0.1:{run.ports['bosetting']}/api/v1/saker/"
                    f"{random.Random(1).choice(ids)}", "GET /api/v1/saker/{id} i bosetting"),
                   ("api_read_sp_value_p99", f"http://127.0.0.1:{run.ports['rapportering']}/api/v1/"
                    "styringsparametere/SP1/verdi?periode=2017", "GET …/SP1/verdi?periode=2017 i rapportering")]
        for name, url, what in targets:
            p99, p50, bad = _hey(url, read, rate, seconds)
            out.append(result(name, p99, "ms", f"p99 ≤ 20 ms ved {rate} forespørsler/s", p99 <= 20 and not bad,
                              "p50 i samme kjøring", p50, f"{what}; {bad} svar som ikke var 2xx"))
    finally:
        run.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="The issue's full sizes (1 000 000 rows and events).")
    parser.add_argument("--only", help="Comma-separated benchmark names to run.")
    parser.add_argument("--smoke", action="store_true", help="Tiny sizes: checks that every benchmark runs.")
    args = parser.parse_args()
    full = args.full
    if args.smoke:
        global OUT
        os.environ["IMDI_BENCH_SMOKE"] = "1"
        OUT = Path(tempfile.gettempdir()) / "imdi-bench-smoke.json"
        runs = [("import", lambda tmp: bench_import(tmp, [300, 600])),
                ("pipeline", lambda tmp: bench_pipeline(2000)),
                ("freshness", lambda tmp: bench_freshness(tmp, 40, 3)),
                ("per_event_cost", lambda tmp: bench_per_event_cost(tmp, 3000, batch=1000)),
                ("annual_report", lambda tmp: bench_annual_report(tmp, 500)),
                ("api_reads", lambda tmp: bench_api_reads(tmp, 50, 3))]
    else:
        runs = _runs(full)
    _run_all(runs, set(args.only.split(",")) if args.only else None)


def _runs(full: bool) -> list[tuple[str, Callable]]:
    return [
        ("import", lambda tmp: bench_import(tmp, [20_000, 1_000_000 if full else 100_000])),
        ("pipeline", lambda tmp: bench_pipeline(200_000 if full else 50_000)),
        ("freshness", lambda tmp: bench_freshness(tmp, 200, 30 if full else 15)),
        ("per_event_cost", lambda tmp: bench_per_event_cost(tmp, 1_000_000 if full else 200_000)),
        ("annual_report", lambda tmp: bench_annual_report(tmp, 11_000)),
        ("api_reads", lambda tmp: bench_api_reads(tmp, 500, 20 if full else 10)),
    ]


def _run_all(runs: list[tuple[str, Callable]], wanted: set[str] | None) -> None:
    results = json.loads(OUT.read_text()) if OUT.exists() and wanted else []
    for name, bench in runs:
        if wanted and name not in wanted:
            continue
        print(f"== {name}", flush=True)
        with tempfile.TemporaryDirectory() as tmpdir:
            got = asyncio.run(bench(Path(tmpdir)))
        for r in got if isinstance(got, list) else [got]:
            results = [x for x in results if x["name"] != r["name"]] + [r]
            print(json.dumps(r, ensure_ascii=False), flush=True)
        OUT.parent.mkdir(parents=True, exist_ok=True)  # after each: a later benchmark failing loses nothing
        OUT.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
