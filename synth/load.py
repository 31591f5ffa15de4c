"""Load a generated year into running services through their public APIs (never their databases).

kvalifisering: training and programme participants through its imports, survey answers by ``PUT``;
tolkeregister: the register through its import, the state agencies by ``PUT``.
tilskudd: the schemes by ``PUT``, the refused applications (``POST …/soknader`` and ``…/avslag``), the decisions
and payments through its two imports, the cancellations by ``POST /api/v1/tilsagn/{id}/annullering``, then the
corrections through the imports again (after the cancellations that make room for them).
bosetting: ``PUT /api/v1/anmodninger/{år}/{kommune}`` and ``PUT /api/v1/kommunevedtak/{år}/{kommune}`` for each
municipality, then the cases streamed to ``POST /api/v1/import/saker`` (NDJSON), then the corrections the same
way. Every call is idempotent, so a failed load can simply be run again. Each service gets its own client (its
own base URL); a test passes in-process clients.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from rich.progress import Progress

from synth.core import read_manifest

BLOCK = 256 * 1024
NDJSON = "application/x-ndjson"


class LoadError(RuntimeError):
    """A service refused a call: the load stops (it can be run again; every call is idempotent)."""


async def _file_blocks(path: Path, progress: Progress, task) -> AsyncIterator[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            progress.advance(task, len(block))
            yield block
    progress.update(task, description=f"import {path.name}: venter på svar")


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _size(path: Path) -> int:
    return path.stat().st_size


def _check(response: httpx.Response, what: str) -> httpx.Response:
    if response.status_code >= 300:
        raise LoadError(f"{what}: {response.status_code} {response.text[:500]}")
    return response


async def put_places(client: httpx.AsyncClient, path: Path, kind: str, headers: dict, progress: Progress) -> int:
    """PUT each municipality's row of ``path`` (anmodninger or kommunevedtak); returns how many."""
    return await send_rows(client, path, kind, "PUT", lambda r: f"/api/v1/{kind}/{r['ar']}/{r['kommunenummer']}",
                           lambda r: {k: v for k, v in r.items() if k not in ("ar", "kommunenummer")},
                           headers, progress)


async def import_file(client: httpx.AsyncClient, path: Path, headers: dict, progress: Progress,
                      endpoint: str = "/api/v1/import/saker") -> dict:
    """Stream one NDJSON file to an import endpoint; the import's report with the rate it ran at."""
    task = progress.add_task(f"import {path.name}", total=_size(path))
    started = time.perf_counter()
    response = _check(await client.post(endpoint, content=_file_blocks(path, progress, task),
                                        headers={**headers, "Content-Type": NDJSON},
                                        timeout=httpx.Timeout(30, read=None)), f"import {path.name}")
    seconds = time.perf_counter() - started
    report = response.json()
    progress.update(task, description=f"import {path.name}: {report['rader']} rader, {report['avvist']} avvist")
    return {**{k: report[k] for k in ("rader", "opprettet", "endret", "uendret", "avvist")},
            "feil": report["feil"][:20], "sekunder": round(seconds, 2),
            "rader_per_sekund": round(report["rader"] / seconds) if seconds else None}


async def load_bosetting(client: httpx.AsyncClient, out: Path, section: dict, token: str,
                         progress: Progress) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    files = {name: out / relative for name, relative in section["files"].items()}
    return {
        "anmodninger": await put_places(client, files["anmodninger"], "anmodninger", headers, progress),
        "kommunevedtak": await put_places(client, files["kommunevedtak"], "kommunevedtak", headers, progress),
        "saker": await import_file(client, files["saker"], headers, progress),
        "korreksjoner": await import_file(client, files["korreksjoner"], headers, progress),
    }


async def send_rows(client: httpx.AsyncClient, path: Path, what: str, method: str, url, body, headers: dict,
                    progress: Progress) -> int:
    """Send each row of ``path`` with ``method`` to ``url(row)``, the body ``body(row)`` (every call an
    idempotent upsert); returns how many."""
    rows = _rows(path)
    task = progress.add_task(f"{what} ({len(rows)})", total=len(rows))
    for row in rows:
        _check(await client.request(method, url(row), json=body(row), headers=headers), f"{what} {url(row)}")
        progress.advance(task)
    return len(rows)


async def load_kvalifisering(client: httpx.AsyncClient, out: Path, section: dict, token: str,
                             progress: Progress) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    files = {name: out / relative for name, relative in section["files"].items()}
    return {
        "opplaering": await import_file(client, files["opplaering"], headers, progress, "/api/v1/import/opplaering"),
        "introduksjonsprogram": await import_file(client, files["introduksjonsprogram"], headers, progress,
                                                  "/api/v1/import/introduksjonsprogram"),
        "kommuneundersokelse": await send_rows(
            client, files["kommuneundersokelse"], "kommuneundersøkelsen", "PUT",
            lambda r: f"/api/v1/kommuneundersokelse/{r['ar']}/{r['kommunenummer']}",
            lambda r: {k: v for k, v in r.items() if k not in ("ar", "kommunenummer")}, headers, progress),
        "jobbsjansen_prosjekter": await send_rows(
            client, files["jobbsjansen_prosjekter"], "Jobbsjansen-prosjekter", "PUT",
            lambda r: f"/api/v1/jobbsjansen/prosjekter/{r['prosjekt_id']}",
            lambda r: {k: v for k, v in r.items() if k != "prosjekt_id"}, headers, progress),
        "jobbsjansen_deltakere": await send_rows(
            client, files["jobbsjansen_deltakere"], "Jobbsjansen-deltakere", "POST",
            lambda r: "/api/v1/jobbsjansen/deltakere", lambda r: r, headers, progress),
    }


async def load_tolkeregister(client: httpx.AsyncClient, out: Path, section: dict, token: str,
                             progress: Progress) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    files = {name: out / relative for name, relative in section["files"].items()}
    return {
        "tolker": await import_file(client, files["tolker"], headers, progress, "/api/v1/import/tolker"),
        "etater": await send_rows(
            client, files["etater"], "statlige etater", "PUT",
            lambda r: f"/api/v1/etater/{r['ar']}/{r['organisasjonsnummer']}",
            lambda r: {"navn": r["navn"], "tolkeretningslinjer_med_register": r["tolkeretningslinjer_med_register"]},
            headers, progress),
    }


async def load_tilskudd(client: httpx.AsyncClient, out: Path, section: dict, token: str,
                         progress: Progress) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    files = {name: out / relative for name, relative in section["files"].items()}
    created = await put_schemes(client, files["ordninger"], headers, progress)
    return {
        "ordninger": len(created),
        "avslag": await refuse_applications(client, files["soknader"], headers, progress),
        "tilsagn": await import_file(client, files["tilsagn"], headers, progress, "/api/v1/import/tilsagn"),
        "utbetalinger": await import_file(client, files["utbetalinger"], headers, progress,
                                          "/api/v1/import/utbetalinger"),
        "annulleringer": await cancel_decisions(client, files["annulleringer"], headers, progress),
        "tilsagn_korreksjoner": await import_file(client, files["tilsagn_korreksjoner"], headers, progress,
                                                  "/api/v1/import/tilsagn"),
        "utbetalinger_korreksjoner": await import_file(client, files["utbetalinger_korreksjoner"], headers, progress,
                                                       "/api/v1/import/utbetalinger"),
    }


def _problem(response: httpx.Response, slug: str) -> bool:
    """Whether the response is the problem ``slug`` (a 409 that means the call was made before)."""
    return response.status_code == 409 and str(response.json().get("type", "")).endswith("/" + slug)


async def put_schemes(client: httpx.AsyncClient, path: Path, headers: dict, progress: Progress) -> set[str]:
    """``PUT`` each scheme; returns the ids this run created (a scheme that exists already is left as it is)."""
    rows = _rows(path)
    task = progress.add_task(f"tilskuddsordninger ({len(rows)})", total=len(rows))
    created = set()
    for row in rows:
        body = {k: v for k, v in row.items() if k != "id"}
        response = await client.put(f"/api/v1/ordninger/{row['id']}", json=body, headers=headers)
        if not _problem(response, "ordning-finnes"):
            _check(response, f"ordning {row['id']}")
            created.add(row["id"])
        progress.advance(task)
    return created


async def refuse_applications(client: httpx.AsyncClient, path: Path, headers: dict, progress: Progress) -> int:
    """Register and refuse the refused applications. Each carries its ``ekstern_id``, so a load run again gets the
    stored application back, and its refusal answered ``soknad-avgjort`` is one made before. Granted applications
    come in as the decisions of the import. Returns how many were refused by this run."""
    rows = [r for r in _rows(path) if r["utfall"] == "avslatt"]
    task = progress.add_task(f"avslåtte søknader ({len(rows)})", total=len(rows))
    made = 0
    for row in rows:
        body = {k: row[k] for k in ("kommunenummer", "organisasjonsnummer", "belop", "mottatt", "ekstern_id")
                if k in row}
        application = _check(await client.post(f"/api/v1/ordninger/{row['ordning']}/soknader", json=body,
                                               headers=headers), f"søknad til {row['ordning']}").json()
        refused = await client.post(f"/api/v1/soknader/{application['id']}/avslag", headers=headers)
        if not _problem(refused, "soknad-avgjort"):
            _check(refused, f"avslag {application['id']}")
            made += 1
        progress.advance(task)
    return made


async def cancel_decisions(client: httpx.AsyncClient, path: Path, headers: dict, progress: Progress) -> int:
    """Cancel the unpaid rest of each decision in ``path`` (by its ``ekstern_id``); one cancelled already is
    left as it is. Returns how many rows."""
    rows = _rows(path)
    task = progress.add_task(f"annulleringer ({len(rows)})", total=len(rows))
    ids: dict[str, str] = {}
    for year in sorted({r["dato"][:4] for r in rows}):
        listed = _check(await client.get("/api/v1/tilsagn", params={"ar": year}, headers=headers), "tilsagn")
        ids.update({d["ekstern_id"]: d["id"] for d in listed.json() if d["ekstern_id"]})
    for row in rows:
        if row["tilsagn_ekstern_id"] not in ids:
            raise LoadError(f"annullering {row['tilsagn_ekstern_id']}: tilsagnet finnes ikke i tilskudd")
        response = await client.post(f"/api/v1/tilsagn/{ids[row['tilsagn_ekstern_id']]}/annullering",
                                     json={"dato": row["dato"]}, headers=headers)
        if not _problem(response, "tilsagn-annullert"):
            _check(response, f"annullering {row['tilsagn_ekstern_id']}")
        progress.advance(task)
    return len(rows)


LOADERS = {"bosetting": load_bosetting, "kvalifisering": load_kvalifisering, "tolkeregister": load_tolkeregister,
           "tilskudd": load_tilskudd}


async def load(out: Path, clients: dict[str, httpx.AsyncClient], token: str,
               progress: Progress | None = None) -> dict:
    """Load every service in the manifest that has a client; returns what each service answered and how many
    seconds its load took."""
    manifest = read_manifest(out)
    progress = progress or Progress(disable=True)
    results = {}
    with progress:
        for name, loader in LOADERS.items():
            if name in manifest and name in clients:
                started = time.perf_counter()
                results[name] = await loader(clients[name], out, manifest[name], token, progress)
                results[name]["sekunder"] = round(time.perf_counter() - started, 1)
    return results
