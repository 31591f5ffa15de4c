"""shared/audit.py without a database: who and in which role, the route template, what a purpose may be."""

from __future__ import annotations

import re
from types import SimpleNamespace

from starlette.requests import Request

from shared.audit import NOT_GIVEN, PURPOSE_PATTERN, Actor, append_only_ddl
from shared.auth import Principal


def _request(path: str, template: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": [],
                    "route": SimpleNamespace(path=template)})


def test_the_actor_names_subject_role_kommune_route_and_purpose():
    kommune = Principal(subject="bergen-1", scopes=frozenset({"imdi:bosetting.write", "imdi:bosetting.read"}),
                        kommunenummer="1201")
    actor = Actor.of(kommune, None, _request("/api/v1/saker/abc-1", "/saker/{sak_id}"))
    assert actor == Actor(hvem="bergen-1", rolle="imdi:bosetting.read imdi:bosetting.write kommune:1201",
                          rute="GET /api/v1/saker/{sak_id}", formal=NOT_GIVEN)
    imdi = Principal(subject="s", scopes=frozenset({"imdi:bosetting.write"}))
    assert Actor.of(imdi, "klage", _request("/api/v1/saker", "/api/v1/saker"), default_purpose="x").formal == "klage"
    assert Actor.of(imdi, None, None, default_purpose="import").rute == "(ukjent)"


def test_a_purpose_is_a_short_code_or_reference():
    ok = ["klage", "journal:2017/1234", "tilsyn-2017", "a"]
    bad = ["Ola Nordmann", "ola nordmann", "Klage", "", "x" * 65, "-klage", "navn=ola"]
    assert [p for p in ok if not re.fullmatch(PURPOSE_PATTERN, p)] == []
    assert [p for p in bad if re.fullmatch(PURPOSE_PATTERN, p)] == []


def test_both_databases_refuse_update_and_delete():
    for dialect in ("postgresql", "sqlite"):
        ddl = " ".join(append_only_ddl(dialect))
        assert "BEFORE UPDATE" in ddl and "DELETE" in ddl
    assert "TRUNCATE" in " ".join(append_only_ddl("postgresql"))
