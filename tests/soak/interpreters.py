"""The soak's interpreter load: interpreters registered during the run (one at a time, and every tenth round a
small import of ten), an internal read now and then, and the public search in several query shapes from several
client addresses, each within tolkeregister's public rate limit.

The limit is a token bucket per client address (default: a burst of 60, refilled at 1 a second). Each searcher
binds its own loopback source address (127.0.0.11, .12, …: every 127.x address is the local host, and uvicorn
trusts forwarded headers only from 127.0.0.1, so each is a client of its own) and asks at most
:data:`PER_CLIENT_RATE` a second, below the refill: a 429 is a failure here, not an expected answer.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections import Counter

import httpx

from tests.faults.harness import System, scalar
from tests.integration.test_tolkeregister import CAT1, CAT2, CAT3, CAT4, CAT5, tolk_body

CLIENTS = ("127.0.0.11", "127.0.0.12", "127.0.0.13")
PER_CLIENT_RATE = 0.8
"""Public searches a second per client address: under the default refill of 1 a second."""
SEARCHES = ({"sprak": "so"}, {"sprak": "ar", "kategori": "5"}, {"fylke": "12"}, {"kommune": "0301", "kjonn": "K"},
            {"sprak": "ti", "fylke": "03", "per_side": "50"}, {"side": "2"}, {})
LANGUAGES = (("so", CAT1), ("ar", CAT5), ("ti", CAT3), ("fa", CAT4), ("pl", CAT2))
KOMMUNER = ("0301", "1201", "1103", "1601", "1902")
REGISTER_EVERY = 1.0
"""Seconds between registrations."""


class Counted(threading.Thread):
    """A load thread counting answers by status; anything but the expected status is a failure."""

    def __init__(self, system: System) -> None:
        super().__init__(daemon=True)
        self.system, self.stop_flag, self.statuses = system, threading.Event(), Counter()
        self.failures: list[str] = []

    def _count(self, what: str, call, expected: int = 200) -> httpx.Response | None:
        try:
            response = call()
            status: int | str = response.status_code
        except httpx.HTTPError as exc:
            response, status = None, type(exc).__name__
        self.statuses[status] += 1
        if status != expected:
            self.failures.append(f"{what}: {status}")
            return None
        return response


class PublicSearch(Counted):
    """The public search from one client address, cycling through the query shapes."""

    def __init__(self, system: System, address: str, offset: int = 0) -> None:
        super().__init__(system)
        self.address, self.offset = address, offset

    def run(self) -> None:
        url = f"{self.system.url('tolkeregister')}/api/v1/offentlig/tolker"
        transport = httpx.HTTPTransport(local_address=self.address)
        with httpx.Client(transport=transport, timeout=30) as client:
            for i in itertools.count(self.offset):
                if self.stop_flag.wait(1 / PER_CLIENT_RATE):
                    return
                params = SEARCHES[i % len(SEARCHES)]
                self._count(f"søk {params}", lambda p=params: client.get(url, params=p))


def interpreter(i: int) -> dict:
    """A new interpreter: one or two languages, one of five municipalities."""
    first, second = LANGUAGES[i % len(LANGUAGES)], LANGUAGES[(i // len(LANGUAGES)) % len(LANGUAGES)]
    languages = [first] if first == second else [first, second]
    return tolk_body(i, kommunenummer=KOMMUNER[i % len(KOMMUNER)],
                     sprak=[{"sprak": s, "bevis": b} for s, b in languages])


class Registrations(Counted):
    """Interpreters registered through the API at a steady pace, a small import every tenth round, and a read
    of a registered interpreter every fifth."""

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self.registered = 0
        self.imported = 0
        self.read = 0

    def run(self) -> None:
        base = f"{self.system.url('tolkeregister')}/api/v1"
        token = self.system.token("imdi:tolkeregister.write")
        headers = {"Authorization": f"Bearer {token}", "X-Formaal": "soak"}
        numbers = itertools.count()
        with httpx.Client(headers=headers, timeout=30) as client:
            for round_ in itertools.count():
                if self.stop_flag.wait(REGISTER_EVERY):
                    return
                created = self._count("POST /tolker", lambda: client.post(f"{base}/tolker",
                                                                            json=interpreter(next(numbers))), 201)
                if created is not None:
                    self.registered += 1
                    if round_ % 5 == 0:
                        url = f"{base}/tolker/{created.json()['id']}"
                        self.read += self._count("GET /tolker/{id}", lambda u=url: client.get(u)) is not None
                if round_ % 10 == 9:
                    self._import(client, base, [next(numbers) for _ in range(10)])

    def _import(self, client: httpx.Client, base: str, numbers: list[int]) -> None:
        body = "".join(json.dumps({**interpreter(i), "ekstern_id": f"SOAK-{i}"}) + "\n" for i in numbers)
        r = self._count("POST /import/tolker", lambda: client.post(
            f"{base}/import/tolker", content=body, headers={"Content-Type": "application/x-ndjson"}))
        if r is not None:
            report = r.json()
            self.imported += report["opprettet"]
            if report["avvist"]:
                self.failures.append(f"import: {report['feil'][:1]}")


def audit_counts(system: System) -> dict[str, int]:
    """tolkeregister's audit log at the end: interpreters created and read by the soak's writer, and entries of
    public callers (the search leaves none; the soak verifies no card)."""
    url = system.database_urls["tolkeregister"]
    return {what: asyncio.run(scalar(url, f"SELECT count(*) FROM revisjonslogg WHERE {where}")) for what, where in (
        ("opprett", "objekt = 'tolk' AND handling = 'opprett'"),
        ("les", "objekt = 'tolk' AND handling = 'les'"),
        ("offentlig", "hvem = 'offentlig'"))}


def active_interpreters(system: System) -> int:
    """The public search's count of active interpreters (every one registered in the soak is active)."""
    transport = httpx.HTTPTransport(local_address="127.0.0.20")
    with httpx.Client(transport=transport, timeout=30) as client:
        r = client.get(f"{system.url('tolkeregister')}/api/v1/offentlig/tolker", params={"per_side": "1"})
    r.raise_for_status()
    return r.json()["treff"]
