"""Bulk import: rows per second and the bosetting process's peak memory for growing files.

Streams generated NDJSON files of increasing size through ``POST /api/v1/import/saker`` of a bosetting
process (SQLite, no broker) and reads the server's peak RSS (VmHWM) after each. Flat peak memory across
sizes shows the import is streamed, not loaded whole.
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

from shared.auth import issue_token
from shared.broker import free_port
from shared.geo import kommuner_2017
from shared.runner import SERVICES, EmbeddedRun


def write_file(path: Path, n: int, offset: int) -> None:
    rng = random.Random(n)
    kommuner = sorted(kommuner_2017())
    with path.open("w") as fh:
        for i in range(offset, offset + n):
            vedtak = date(2016, 1, 1) + timedelta(days=rng.randrange(700))
            row = {"ekstern_id": f"B-{i}", "duf_nummer": f"2015{i:08d}", "kjonn": rng.choice("KM"),
                   "fodselsar": 1950 + rng.randrange(60), "vedtaksdato": vedtak.isoformat(),
                   "klar_dato": (vedtak + timedelta(days=10)).isoformat()}
            if rng.random() < 0.8:
                row.update(bosettingsdato=(vedtak + timedelta(days=rng.randrange(20, 300))).isoformat(),
                           kommunenummer=rng.choice(kommuner))
            fh.write(json.dumps(row) + "\n")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="20000,100000,200000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        spec = tuple(s for s in SERVICES if s.name == "bosetting")
        run = EmbeddedRun(tmp, broker_port=free_port(), services=spec, ports={"bosetting": free_port()},
                          extra_env={"IMDI_KAFKA_ENABLED": "false"})
        run.start(timeout=60)
        try:
            pid = run.procs["bosetting"].pid
            token = issue_token((tmp / "dev-signing-key.pem").read_bytes(), scopes=["imdi:bosetting.write"])
            print(f"baseline peak RSS: {peak_rss_mib(pid):.0f} MiB")
            offset = 0
            for n in (int(x) for x in args.sizes.split(",")):
                path = tmp / f"rows-{n}.ndjson"
                write_file(path, n, offset)
                offset += n

                def chunks(p=path):
                    with p.open("rb") as fh:
                        while block := fh.read(256 * 1024):
                            yield block

                started = time.perf_counter()
                r = httpx.post(f"http://127.0.0.1:{run.ports['bosetting']}/api/v1/import/saker", content=chunks(),
                               headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"},
                               timeout=3600)
                elapsed = time.perf_counter() - started
                report = r.json()
                print(f"{n:>7} rows ({path.stat().st_size / 2**20:.0f} MiB): {n / elapsed:,.0f} rows/s, "
                      f"created {report['opprettet']}, rejected {report['avvist']}, "
                      f"server peak RSS {peak_rss_mib(pid):.0f} MiB")
        finally:
            run.stop()


if __name__ == "__main__":
    main()
