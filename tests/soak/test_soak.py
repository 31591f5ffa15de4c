"""The soak (``make soak``): all five services as processes on PostgreSQL under a steady mixed load for
``IMDI_SOAK_SECONDS`` (default 600): imports, SP and overview reads, report lists, the other services' reads.
No request may fail, no service's memory may grow steadily, and at the end the checker equals rapportering.
The figures are written to ``soak-result.json`` in the test's directory and printed."""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from collections import Counter

import httpx
import pytest

from tests.faults.harness import Load, System, settle, synth_rows

pytestmark = [pytest.mark.e2e, pytest.mark.soak]
SECONDS = float(os.environ.get("IMDI_SOAK_SECONDS", "600"))
SAMPLE_SECONDS = 10
NAMES = ("bosetting", "kvalifisering", "tolkeregister", "tilskudd", "rapportering")


def _rss_mib(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Readers(threading.Thread):
    """Report reads and the other services' reads, round robin, counting answers by status."""

    def __init__(self, system: System) -> None:
        super().__init__(daemon=True)
        self.system, self.stop_flag, self.statuses = system, threading.Event(), Counter()
        self.failures: list[str] = []

    def run(self) -> None:
        token = self.system.token("imdi:rapport.intern", "imdi:kvalifisering.read", "imdi:tolkeregister.read",
                                  "imdi:tilskudd.read", "imdi:bosetting.read")
        rap = self.system.url("rapportering")
        urls = [f"{rap}/api/v1/styringsparametere/SP1/verdi?periode=2017",
                f"{rap}/api/v1/styringsparametere/SP3/verdi?periode=2017-H1",
                f"{rap}/api/v1/styringsparametere?ar=2017&per_dato=2017-06-30",
                f"{rap}/api/v1/rapporter",
                f"{self.system.url('bosetting')}/api/v1/styringsparametere/SP2/verdi?periode=2017",
                *(f"{self.system.url(n)}/api/v1/tjeneste" for n in ("kvalifisering", "tolkeregister", "tilskudd"))]
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            i = 0
            while not self.stop_flag.is_set():
                url = urls[i % len(urls)]
                i += 1
                try:
                    status = client.get(url).status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                self.statuses[status] += 1
                if status != 200:
                    self.failures.append(f"{url}: {status}")
                time.sleep(0.05)


def _growth(samples: list[float]) -> float:
    """Memory at the end against memory after warm-up (the first quarter), as a fraction."""
    warm = samples[len(samples) // 4: len(samples) // 4 + 3]
    end = samples[-3:]
    return statistics.median(end) / statistics.median(warm) - 1


def test_soak(tmp_path, pg):
    import asyncio

    rows, corrections = synth_rows(tmp_path, scale=1.0, seed=2017)
    urls = {name: asyncio.run(pg.create(name)) for name in NAMES}
    system = System(tmp_path, urls)
    try:
        system.start(*NAMES)
        pace = SECONDS / max(1, len(rows) // 20 + len(corrections) // 20)
        load = Load(system, rows, corrections, chunk=20, pause=max(0.0, pace - 0.05))
        readers = Readers(system)
        load.start()
        readers.start()
        memory: dict[str, list[float]] = {n: [] for n in NAMES}
        started = time.monotonic()
        while time.monotonic() - started < SECONDS:
            for n in NAMES:
                memory[n].append(_rss_mib(system.instances[n].proc.pid))
            time.sleep(SAMPLE_SECONDS)
        readers.stop_flag.set()
        load.finish(timeout=600)
        readers.join(30)
        settle(system, timeout=300)
        result = {
            "seconds": round(time.monotonic() - started), "import_chunks": load.sent, "rows": len(rows),
            "corrections": len(corrections), "import_retries": load.retries,
            "reads": dict((str(k), v) for k, v in readers.statuses.items()),
            "rss_mib": {n: {"start": round(s[0]), "after_warmup": round(statistics.median(
                s[len(s) // 4: len(s) // 4 + 3])), "max": round(max(s)), "end": round(s[-1]),
                "growth": round(_growth(s), 3)} for n, s in memory.items()},
        }
        (tmp_path / "soak-result.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
        assert not readers.failures, readers.failures[:5]
        assert all(r["growth"] < 0.15 for r in result["rss_mib"].values()), result["rss_mib"]
    finally:
        system.stop()
