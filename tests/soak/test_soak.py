"""The soak (``make soak``): all five services as processes on PostgreSQL under a steady mixed load for
``IMDI_SOAK_SECONDS`` (default 600): bosetting imports, SP and overview reads, report lists, the other services'
reads, interpreters registered (API and small imports) and the public interpreter search from several client
addresses within its rate limit (:mod:`tests.soak.interpreters`). No request may fail, no service's memory may
grow steadily, and at the end the checker equals rapportering, the public search counts every interpreter
registered, and tolkeregister's audit log holds each registration and read once (and no public caller). The
figures are written to ``soak-result.json`` in the test's directory and printed."""

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
from tests.soak.interpreters import CLIENTS, PublicSearch, Registrations, active_interpreters, audit_counts

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
        registrations = Registrations(system)
        searches = [PublicSearch(system, address, offset=i) for i, address in enumerate(CLIENTS)]
        for thread in (load, readers, registrations, *searches):
            thread.start()
        memory: dict[str, list[float]] = {n: [] for n in NAMES}
        started = time.monotonic()
        while time.monotonic() - started < SECONDS:
            for n in NAMES:
                memory[n].append(_rss_mib(system.instances[n].proc.pid))
            time.sleep(SAMPLE_SECONDS)
        for thread in (readers, registrations, *searches):
            thread.stop_flag.set()
        load.finish(timeout=600)
        for thread in (readers, registrations, *searches):
            thread.join(30)
        settle(system, timeout=300)
        search_statuses = sum((s.statuses for s in searches), Counter())
        result = {
            "seconds": round(time.monotonic() - started), "import_chunks": load.sent, "rows": len(rows),
            "corrections": len(corrections), "import_retries": load.retries,
            "reads": dict((str(k), v) for k, v in readers.statuses.items()),
            "public_search": {"clients": len(searches), "answers": {str(k): v for k, v in search_statuses.items()}},
            "interpreters": {"registered": registrations.registered, "imported": registrations.imported,
                             "answers": {str(k): v for k, v in registrations.statuses.items()},
                             "read": registrations.read, "active_at_end": active_interpreters(system),
                             "audit_entries": audit_counts(system)},
            "rss_mib": {n: {"start": round(s[0]), "after_warmup": round(statistics.median(
                s[len(s) // 4: len(s) // 4 + 3])), "max": round(max(s)), "end": round(s[-1]),
                "growth": round(_growth(s), 3)} for n, s in memory.items()},
        }
        (tmp_path / "soak-result.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
        assert not readers.failures, readers.failures[:5]
        failures = registrations.failures + [f for s in searches for f in s.failures]
        assert not failures, failures[:5]
        assert result["interpreters"]["active_at_end"] == registrations.registered + registrations.imported
        assert result["interpreters"]["audit_entries"] == {  # one entry each, none lost under load, none public
            "opprett": registrations.registered + registrations.imported, "les": registrations.read, "offentlig": 0}
        assert all(r["growth"] < 0.15 for r in result["rss_mib"].values()), result["rss_mib"]
    finally:
        system.stop()
