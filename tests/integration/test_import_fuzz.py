"""Hypothesis against bosetting's bulk import (NDJSON and CSV), through the API in process on SQLite: files
of valid rows mixed with malformed lines, wrong encodings, BOMs, control characters and huge fields. Every
answer is a row report or a 4xx problem+json, never a 5xx; the report adds up; exactly the accepted rows are
stored (nothing half-applied)."""

from __future__ import annotations

import asyncio
import json
import select
import socket
import sqlite3
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from shared.auth import ensure_dev_keypair, issue_token
from tests.conftest import case_body, service_settings

CONTENT_TYPE = {"ndjson": "application/x-ndjson", "csv": "text/csv"}
CSV_HEADER = b"ekstern_id,duf_nummer,kjonn,fodselsar,enslig_mindrearig,vedtaksdato,bosettingsdato,kommunenummer\n"


def _valid(i: int, fmt: str) -> bytes:
    body = case_body(f"2016{i:08d}", ekstern_id=f"FUZZ-{i}")
    if fmt == "ndjson":
        return json.dumps(body).encode() + b"\n"
    return (",".join(str(body[k]).lower() if isinstance(body[k], bool) else str(body[k])
                     for k in CSV_HEADER.decode().strip().split(",")) + "\n").encode()


garbage = st.one_of(
    st.binary(max_size=200).map(lambda b: b.replace(b"\n", b"") + b"\n"),  # anything, wrong encodings included
    st.text(max_size=80).map(lambda t: t.replace("\n", " ").encode("utf-8") + b"\n"),
    st.just(b"\xef\xbb\xbf{}\n"),  # a BOM in the middle
    st.just("{\"ekstern_id\": \"Æ\", \"duf_nummer\": \"x\"}\n".encode("latin-1")),
    st.integers(1, 300_000).map(lambda n: json.dumps({"ekstern_id": "x" * n}).encode() + b"\n"),  # huge field
    st.just(b"[" * 5000 + b"\n"),  # deeply nested
    st.just(b"a,b\rc\n"),  # a bare CR
)


@st.composite
def files(draw) -> tuple[str, bytes]:
    fmt = draw(st.sampled_from(["ndjson", "csv"]))
    parts = [b"\xef\xbb\xbf"] if draw(st.booleans()) else []  # a BOM at the start is allowed
    if fmt == "csv":
        parts.append(CSV_HEADER)
    start = draw(st.integers(0, 10**6))
    for j, kind in enumerate(draw(st.lists(st.sampled_from(["valid", "garbage"]), min_size=1, max_size=12))):
        parts.append(_valid(start * 20 + j, fmt) if kind == "valid" else draw(garbage))
    return fmt, b"".join(parts)


def _cases(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM sak").fetchone()[0]


def test_the_import_answers_every_file_with_a_report_or_a_problem(tmp_path):
    keys = tmp_path / "keys"
    private, _ = ensure_dev_keypair(keys)
    headers = {"Authorization": "Bearer " + issue_token(private.read_bytes(), scopes=["imdi:bosetting.write"])}
    db = tmp_path / "bosetting.db"
    app = __import__("bosetting.main", fromlist=["build"]).build(service_settings(
        "bosetting", db_url=f"sqlite+aiosqlite:///{db}", bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path,
        kafka_enabled=False))
    wrong: list = []
    seen = {"opprettet": 0, "avvist": 0, "problem": 0}
    with TestClient(app, raise_server_exceptions=False) as client:
        @settings(max_examples=60, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(file=files())
        def run(file):
            fmt, body = file
            before = _cases(db)
            r = client.post("/api/v1/import/saker", content=body, headers={**headers,
                                                                          "Content-Type": CONTENT_TYPE[fmt]})
            stored = _cases(db) - before
            if r.status_code >= 500 or (r.status_code >= 400 and not r.headers["content-type"].startswith(
                    "application/problem+json")):
                wrong.append((fmt, r.status_code, body[:80]))
            elif r.status_code != 200:
                seen["problem"] += 1
            else:
                rep = r.json()
                seen["opprettet"] += rep["opprettet"]
                seen["avvist"] += rep["avvist"]
                if rep["opprettet"] + rep["endret"] + rep["uendret"] + rep["avvist"] != rep["rader"] \
                        or stored != rep["opprettet"]:
                    wrong.append((fmt, rep, stored, body[:80]))

        run()
    assert not wrong, wrong[:5]
    assert seen["opprettet"] and seen["avvist"], seen  # the files held both kinds of rows


# --- a body of about a gigabyte --------------------------------------------------------------------------
GIGABYTE = 10**9
PIECE = 64 * 1024
PADDING = b" " * (60 * 1024 - 1) + b"\n"  # a blank line the import skips: cheap to read, never a row


class Gigabyte:
    """A streamed NDJSON body of ``total`` bytes, made as it is read: ``rows`` valid cases, then blank lines.
    ``sent`` counts the bytes the server took; nothing of it is held in memory."""

    def __init__(self, total: int, rows: int, prefix: str = "GB") -> None:
        self.total, self.rows, self.prefix, self.sent = total, rows, prefix, 0

    def ids(self, n: int) -> list[str]:
        return [f"{self.prefix}-{i}" for i in range(n)]

    def _pieces(self):
        buffer = b"".join(json.dumps(case_body(f"2016{7_000_000 + i:08d}", ekstern_id=ext)).encode() + b"\n"
                          for i, ext in enumerate(self.ids(self.rows)))
        while self.sent < self.total:
            while len(buffer) < PIECE:
                buffer += PADDING
            piece, buffer = buffer[:PIECE], buffer[PIECE:]
            self.sent += len(piece)
            yield piece

    def __iter__(self):
        return self._pieces()

    async def streamed(self):
        for piece in self._pieces():
            yield piece


def _stored_ids(db) -> list[str]:
    with sqlite3.connect(db) as conn:
        return sorted(r[0] or "" for r in conn.execute("SELECT ekstern_id FROM sak"))


async def test_a_gigabyte_body_is_refused_at_the_cap_without_reading_the_rest(tmp_path, keys):
    """In process with an import cap of 4 MiB: a 1 GB stream is refused at the cap, and the chunks committed
    before it are exactly the first 1 000 rows (the 200 rows of the pending chunk are not applied)."""
    from tests.conftest import running_app

    db = tmp_path / "bosetting.db"
    cap = 4 * 1024**2
    settings = service_settings("bosetting", db_url=f"sqlite+aiosqlite:///{db}", bootstrap="127.0.0.1:1",
                                keys=keys, var_dir=tmp_path, kafka_enabled=False, max_import_bytes=cap)
    write = {"Authorization": "Bearer " + issue_token((keys / "dev-signing-key.pem").read_bytes(),
                                                      scopes=["imdi:bosetting.write"])}
    async with running_app("bosetting", settings) as client:
        body = Gigabyte(GIGABYTE, rows=1200)
        r = await client.post("/api/v1/import/saker", content=body.streamed(),
                              headers={**write, "Content-Type": "application/x-ndjson"})
        assert r.status_code == 413 and r.headers["content-type"].startswith("application/problem+json"), r.text
        assert cap < body.sent <= cap + 2 * PIECE, body.sent
        assert r.json()["lagret"] == 1000 and _stored_ids(db) == sorted(body.ids(1000))


def _rss_mib(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _post_streamed(url: str, path: str, headers: dict[str, str], body: Gigabyte) -> tuple[int, dict]:
    """POST ``body`` chunked over a plain socket, stopping as soon as the server answers (an HTTP client would
    insist on sending the whole gigabyte first). Returns the status and the JSON answer."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=300)
    head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Transfer-Encoding: chunked",
            *(f"{k}: {v}" for k, v in headers.items())]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    try:
        for piece in body:
            if select.select([sock], [], [], 0)[0]:
                break
            sock.sendall(b"%x\r\n%b\r\n" % (len(piece), piece))
        else:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    answer = b""
    while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _length(answer):
        data = sock.recv(65536)
        if not data:
            break
        answer += data
    sock.close()
    status = int(answer.split(b" ", 2)[1])
    return status, json.loads(answer.split(b"\r\n\r\n", 1)[1])


def _length(answer: bytes) -> int:
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


@pytest.mark.e2e
@pytest.mark.soak
async def test_a_gigabyte_import_to_a_process_is_refused_at_its_cap_with_flat_memory(tmp_path, pg):
    """bosetting as a process on PostgreSQL with its real import cap (1 GiB): a stream that would go on to
    1.2 GB. It answers 413 once the cap is passed, having committed exactly the full chunks before it, and its
    memory stays flat while it reads the gigabyte (RSS sampled every 0.2 s; printed for the README)."""
    import asyncpg

    from tests.faults.harness import System, asyncpg_dsn

    url = await pg.create("bosetting")
    system = System(tmp_path, {"bosetting": url})
    try:
        system.start("bosetting")
        pid = system.instances["bosetting"].proc.pid
        before, peak, stop = _rss_mib(pid), [0.0], threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], _rss_mib(pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        cap = 1024**3
        body = Gigabyte(int(1.2 * GIGABYTE), rows=1200)
        started = time.monotonic()
        status, answer = await asyncio.to_thread(
            _post_streamed, system.url("bosetting"), "/api/v1/import/saker",
            {"Authorization": f"Bearer {system.token('imdi:bosetting.write')}",
             "Content-Type": "application/x-ndjson"}, body)
        seconds = time.monotonic() - started
        stop.set()
        sampler.join()
        after = _rss_mib(pid)
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            stored = sorted(r[0] for r in await conn.fetch("SELECT ekstern_id FROM sak"))
        finally:
            await conn.close()
        print(json.dumps({"sent_mib": round(body.sent / 1024**2), "seconds": round(seconds, 1),
                          "rss_mib": {"before": round(before), "peak": round(peak[0]), "after": round(after)}}))
        assert status == 413 and answer["lagret"] == 1000, answer
        assert stored == sorted(body.ids(1000))
        assert cap < body.sent <= cap + 32 * 1024**2, body.sent  # the socket buffers' worth beyond the cap
        assert peak[0] - before < 200, (before, peak[0])  # generous: a gigabyte held would be ~1 000 MiB
    finally:
        system.stop()


async def test_every_route_that_takes_a_body_stops_a_gigabyte_at_its_cap(tmp_path, keys):
    """Every POST, PUT and PATCH of the five services (enumerated from their OpenAPI documents, so a new one is
    included), sent a 1 GB stream: if it takes a body, 413 problem+json having read at most its cap (1 MiB;
    imports 4 MiB here) plus one piece; if it takes none, an answer having read no more than that."""
    import contextlib

    from tests.conftest import running_app
    from tests.integration.test_access_matrix import SERVICES, concrete

    cap = 4 * 1024**2
    scopes = [f"imdi:{s}.write" for s in ("bosetting", "kvalifisering", "tolkeregister", "tilskudd", "rapport")]
    write = {"Authorization": "Bearer " + issue_token((keys / "dev-signing-key.pem").read_bytes(), scopes=scopes)}
    wrong, tried = [], 0
    async with contextlib.AsyncExitStack() as stack:
        for name in SERVICES:
            settings = service_settings(name, db_url=f"sqlite+aiosqlite:///{tmp_path / (name + '.db')}",
                                        bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path, kafka_enabled=False,
                                        max_import_bytes=cap)
            client = await stack.enter_async_context(running_app(name, settings))
            paths = client.app.openapi()["paths"]
            for method, path in [(m.upper(), p) for p, ops in paths.items() for m in ops
                                 if m in ("post", "put", "patch")]:
                limit = cap if "/import/" in path else 1024**2
                body = Gigabyte(GIGABYTE, rows=0)
                content_type = "application/x-ndjson" if "/import/" in path else "application/json"
                r = await client.request(method, concrete(path), content=body.streamed(), headers={
                    **write, "Content-Type": content_type, "If-Match": "*"})
                takes_body = "requestBody" in paths[path][method.lower()]
                tried += takes_body
                if body.sent > limit + PIECE or (takes_body and not (
                        r.status_code == 413 and r.headers["content-type"].startswith("application/problem+json"))):
                    wrong.append((name, method, path, r.status_code, body.sent))
    assert tried >= 10 and not wrong, (tried, wrong)
