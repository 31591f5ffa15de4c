"""kvalifisering's bulk import against bosetting's, rows per second, back to back on the same machine.

Starts bosetting and kvalifisering as processes (SQLite, no broker) and streams generated NDJSON files of the
same size through ``POST /api/v1/import/saker`` (bosetting, with ``benchmarks.import_bench``'s rows) and
``POST /api/v1/import/opplaering`` and ``…/introduksjonsprogram`` (kvalifisering), then the same files again
(every row unchanged: the idempotent path). Prints rows/s and each server's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from benchmarks.import_bench import peak_rss_mib
from benchmarks.import_bench import write_file as write_cases
from shared.auth import issue_token
from shared.broker import free_port
from shared.geo import kommuner_2017
from shared.runner import SERVICES, EmbeddedRun


def write_training(path: Path, n: int) -> None:
    rng = random.Random(n)
    kommuner = sorted(kommuner_2017())
    with path.open("w") as fh:
        for i in range(n):
            rett = date(2015, 1, 1) + timedelta(days=rng.randrange(900))
            row = {"ekstern_id": f"O-{i}", "duf_nummer": f"2015{i:08d}", "kommunenummer": rng.choice(kommuner),
                   "kjonn": rng.choice("KM"), "grunnlag": "asyl", "rett_fra": rett.isoformat()}
            if rng.random() < 0.8:
                row["start_dato"] = (rett + timedelta(days=rng.randrange(120))).isoformat()
            fh.write(json.dumps(row) + "\n")


def write_participants(path: Path, n: int) -> None:
    rng = random.Random(n + 1)
    kommuner = sorted(kommuner_2017())
    with path.open("w") as fh:
        for i in range(n):
            start = date(2015, 1, 1) + timedelta(days=rng.randrange(900))
            row = {"ekstern_id": f"I-{i}", "duf_nummer": f"2014{i:08d}", "kommunenummer": rng.choice(kommuner),
                   "kjonn": rng.choice("KM"), "start_dato": start.isoformat(),
                   "planlagt_slutt": (start + timedelta(days=730)).isoformat(), "elementer": ["norsk", "grunnskole"]}
            fh.write(json.dumps(row) + "\n")


def post(url: str, path: Path, token: str) -> tuple[float, dict]:
    def chunks():
        with path.open("rb") as fh:
            while block := fh.read(256 * 1024):
                yield block

    started = time.perf_counter()
    r = httpx.post(url, content=chunks(), headers={"Authorization": f"Bearer {token}",
                                                   "Content-Type": "application/x-ndjson"}, timeout=3600)
    return time.perf_counter() - started, r.json()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    n = args.rows
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        names = ("bosetting", "kvalifisering")
        run = EmbeddedRun(tmp, broker_port=free_port(), services=tuple(s for s in SERVICES if s.name in names),
                          ports={name: free_port() for name in names}, extra_env={"IMDI_KAFKA_ENABLED": "false"})
        run.start(timeout=60)
        try:
            private = (tmp / "dev-signing-key.pem").read_bytes()
            jobs = [("bosetting", "saker", write_cases, "imdi:bosetting.write"),
                    ("kvalifisering", "opplaering", write_training, "imdi:kvalifisering.write"),
                    ("kvalifisering", "introduksjonsprogram", write_participants, "imdi:kvalifisering.write")]
            for service, kind, write, scope in jobs:
                path = tmp / f"{kind}.ndjson"
                write(path, n, 0) if write is write_cases else write(path, n)
                url = f"http://127.0.0.1:{run.ports[service]}/api/v1/import/{kind}"
                token = issue_token(private, scopes=[scope])
                for label in ("new", "again"):
                    elapsed, report = post(url, path, token)
                    print(f"{service:>13} {kind:<20} {label:<5} {n} rows: {n / elapsed:,.0f} rows/s "
                          f"(created {report['opprettet']}, unchanged {report['uendret']}, rejected "
                          f"{report['avvist']}), server peak RSS {peak_rss_mib(run.procs[service].pid):.0f} MiB")
        finally:
            run.stop()


if __name__ == "__main__":
    main()
