"""JD's webhooks against a local receiver (a plain HTTP server on a free port), on SQLite and PostgreSQL with
the real broker: a sent half-year report reaches the receiver signed, also after the receiver was down for a
while; nothing else reaches it; the log is the subscriber's own and a delivery can be replayed."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import select

from rapportering import webhooks
from shared.logging import JsonFormatter
from shared.outbox_tables import outbox
from tests.conftest import bearer, eventually, is_problem
from tests.integration.test_workflow import rap, send_report  # noqa: F401 - the fixture

SECRET = "delt-hemmelighet-for-jd-2017"


class Receiver:
    """Records every request it gets; not listening until :meth:`start` (a receiver that is down)."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.got: list[tuple[str, dict[str, str], bytes]] = []
        self.server: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        got = self.got

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                got.append((self.path, dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


async def test_a_sent_report_reaches_the_webhook_signed_after_the_receiver_was_down(rap, token, caplog):  # noqa: F811
    caplog.set_level("INFO")  # the services log at INFO (aiosqlite prints SQL parameters at DEBUG)
    receiver = Receiver()
    jd = bearer(token("imdi:rapport.read", subject="jd-system"))
    other = bearer(token("imdi:rapport.read", subject="annen-mottaker"))
    try:
        r = await rap.post("/api/v1/abonnementer", headers=jd, json={
            "url": receiver.url("/jd"), "hemmelighet": SECRET, "rapporttyper": ["halvarsrapport"]})
        assert r.status_code == 201 and "hemmelighet" not in r.json() and SECRET not in r.text
        sub = r.json()["id"]
        r = await rap.post("/api/v1/abonnementer", headers=other, json={
            "url": receiver.url("/annen"), "hemmelighet": "en-annen-hemmelighet-0", "rapporttyper": ["arsrapport"]})
        other_sub = r.json()["id"]
        for bad in ("ftp://127.0.0.1/x", "http://bruker:passord@127.0.0.1/x"):
            assert is_problem(await rap.post("/api/v1/abonnementer", headers=jd, json={
                "url": bad, "hemmelighet": SECRET}), 422)

        # the report goes through the workflow while the receiver is down
        version = await send_report(rap, token)
        log = f"/api/v1/abonnementer/{sub}/leveranser"

        async def retried() -> bool:
            entries = (await rap.get(log, headers=jd)).json()
            return len(entries) == 1 and entries[0]["forsok"] >= 2 and entries[0]["status"] == "venter"

        await eventually(retried, timeout=30, what="failed attempts with back-off")
        entry = (await rap.get(log, headers=jd)).json()[0]
        assert entry["siste_feil"] == "ConnectError" and entry["levert"] is None

        receiver.start()

        async def delivered() -> bool:
            return (await rap.get(log, headers=jd)).json()[0]["status"] == "levert"

        await eventually(delivered, timeout=30, what="delivered once the receiver is up")
        assert len(receiver.got) == 1
        path, headers, body = receiver.got[0]
        assert path == "/jd" and headers["Content-Type"] == "application/cloudevents+json"
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Imdi-Signatur"] == expected
        event = json.loads(body)
        assert event["type"] == "no.imdi.rapportering.rapport-sendt.v1" and event["specversion"] == "1.0"
        assert (event["data"]["periode"], event["data"]["versjon"]) == ("2017-H1", version)
        async with rap.app.state.db.sessions() as s:
            sent_ids = list((await s.execute(select(outbox.c.event_id).where(
                outbox.c.event_type == "no.imdi.rapportering.rapport-sendt.v1",
                outbox.c.key == "halvarsrapport-2017-H1"))).scalars())
        assert sent_ids == [event["id"]], "the same CloudEvent as on the topic"

        # the log is the subscriber's own; a replay delivers the same event again
        assert is_problem(await rap.get(log, headers=other), 404)
        assert (await rap.get(f"/api/v1/abonnementer/{other_sub}/leveranser", headers=other)).json() == []
        r = await rap.post(f"{log}/{entry['id']}/send-igjen", headers=jd)
        assert r.status_code == 202 and r.json()["status"] == "venter"

        async def twice() -> bool:
            return len(receiver.got) == 2

        await eventually(twice, timeout=30, what="replayed")
        assert receiver.got[1][2] == body and receiver.got[1][1]["X-Imdi-Signatur"] == expected

        # nothing else reached it: not the workflow's other steps, the monthly reports or the other subscription
        assert [p for p, _, _ in receiver.got] == ["/jd", "/jd"]
        assert (await rap.get("/api/v1/abonnementer", headers=jd)).json()[0]["id"] == sub
        assert (await rap.delete(f"/api/v1/abonnementer/{sub}", headers=other)).status_code == 404
        assert (await rap.delete(f"/api/v1/abonnementer/{sub}", headers=jd)).status_code == 204
        assert (await rap.get("/api/v1/abonnementer", headers=jd)).json() == []
        logged = "\n".join(JsonFormatter("rapportering").format(r) for r in caplog.records)  # as production logs
        assert "webhook attempt" in logged and SECRET not in logged, "the secret is never logged"
    finally:
        receiver.stop()


async def test_a_delivery_that_keeps_failing_stops_after_the_last_attempt(rap, token):  # noqa: F811
    receiver = Receiver()  # never started
    jd = bearer(token("imdi:rapport.read", subject="jd-system"))
    sub = (await rap.post("/api/v1/abonnementer", headers=jd, json={
        "url": receiver.url("/jd"), "hemmelighet": SECRET, "rapporttyper": ["halvarsrapport"]})).json()["id"]
    rap.app.state.settings.webhook_max_attempts = 3
    await send_report(rap, token)
    log = f"/api/v1/abonnementer/{sub}/leveranser"

    async def failed() -> bool:
        entries = (await rap.get(log, headers=jd)).json()
        return len(entries) == 1 and entries[0]["status"] == webhooks.FEILET

    await eventually(failed, timeout=30, what="given up")
    assert (await rap.get(log, headers=jd)).json()[0]["forsok"] == 3


async def test_in_production_a_loopback_receiver_is_refused_unless_allowed(rap, token):  # noqa: F811
    receiver = Receiver()
    receiver.start()
    jd = bearer(token("imdi:rapport.read", subject="jd-system"))
    settings = rap.app.state.settings
    try:
        sub = (await rap.post("/api/v1/abonnementer", headers=jd, json={
            "url": receiver.url("/jd"), "hemmelighet": SECRET, "rapporttyper": ["halvarsrapport"]})).json()["id"]
        settings.environment = "production"  # as if registered before a move to production, or DNS changed since
        r = await rap.post("/api/v1/abonnementer", headers=jd, json={"url": receiver.url("/ny"), "hemmelighet": SECRET})
        assert is_problem(r, 422) and r.json()["feil"][0]["felt"] == "url"
        await send_report(rap, token)
        log = f"/api/v1/abonnementer/{sub}/leveranser"

        async def refused() -> bool:
            entries = (await rap.get(log, headers=jd)).json()
            return len(entries) == 1 and entries[0]["forsok"] >= 2

        await eventually(refused, timeout=30, what="refused attempts")
        assert (await rap.get(log, headers=jd)).json()[0]["siste_feil"] == "adresse_ikke_tillatt"
        assert receiver.got == []

        settings.webhook_allow_private = True  # IMDI_WEBHOOK_ALLOW_PRIVATE: a receiver in the ministry's own net

        async def delivered() -> bool:
            return (await rap.get(log, headers=jd)).json()[0]["status"] == "levert"

        await eventually(delivered, timeout=30, what="delivered once allowed")
        assert [p for p, _, _ in receiver.got] == ["/jd"]
    finally:
        settings.environment = "test"
        receiver.stop()
