"""Hypothesis against bosetting's bulk import (NDJSON and CSV), through the API in process on SQLite: files
of valid rows mixed with malformed lines, wrong encodings, BOMs, control characters and huge fields. Every
answer is a row report or a 4xx problem+json, never a 5xx; the report adds up; exactly the accepted rows are
stored (nothing half-applied)."""

from __future__ import annotations

import json
import sqlite3

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
