"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright, against rapportering served
over HTTP (uvicorn on a loopback port) on a populated embedded system (bosetting → broker → rapportering).

Every page is checked with axe-core (from node_modules), with every non-local request blocked and recorded.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import socket
import statistics
import tempfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import uvicorn

from rapportering.config import Settings as RapSettings
from shared.auth import ensure_dev_keypair, issue_token
from shared.broker import EmbeddedBroker
from tests.conftest import ROOT, PgDatabases, bearer, eventually, running_app, service_settings
from tests.integration.test_reports import caught_up, import_cases
from tests.integration.test_workflow import complete

playwright_api = pytest.importorskip("playwright.async_api")
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is missing (scripts/test-setup.sh installs it)"),
    pytest.mark.skipif(not AXE.exists(), reason="node_modules is missing (make npm)"),
]


def cases() -> list[dict]:
    """Oslo settles everyone in time in January–February and no one in time after, straight from the decision
    (no stage dates between); Bergen and Trondheim settle in time all year through every stage (2, 1, 1 and 10
    days). Six wait at the end of June: two ready, one proposed to Oslo and one to Bergen. One EM is settled
    in Trondheim in the second half-year."""
    out = []
    for i in range(60):
        month = 1 + i % 12
        in_time = month <= 2
        vedtak = date(2017, month, 1) if in_time else date(2016, month, 1)
        out.append({"ekstern_id": f"S-{i}", "duf_nummer": f"2016{i:08d}", "kjonn": "KM"[i % 2], "fodselsar": 1985,
                    "kategori": "asyl", "vedtaksdato": vedtak.isoformat(),
                    "bosettingsdato": date(2017, month, 20).isoformat(), "kommunenummer": "0301"})
    for i in range(24):
        month = 1 + i % 12
        kommune = "1201" if i % 3 else "1601"
        out.append({"ekstern_id": f"B-{i}", "duf_nummer": f"2014{i:08d}", "kjonn": "KM"[i % 2], "fodselsar": 1990,
                    "kategori": "overforingsflyktning", "vedtaksdato": date(2017, month, 1).isoformat(),
                    "klar_dato": date(2017, month, 3).isoformat(), "utvalgt_dato": date(2017, month, 4).isoformat(),
                    "utvalgt_kommune": kommune, "akseptert_dato": date(2017, month, 5).isoformat(),
                    "bosettingsdato": date(2017, month, 15).isoformat(), "kommunenummer": kommune})
    for i in range(6):
        vedtak = date(2016, 12, 1 + i) if i < 2 else date(2017, 3, i)
        row = {"ekstern_id": f"W-{i}", "duf_nummer": f"2015{i:08d}", "kjonn": "K", "fodselsar": 1985,
               "kategori": "asyl", "vedtaksdato": vedtak.isoformat()}
        if i < 4:
            row["klar_dato"] = (vedtak + timedelta(days=10 + i)).isoformat()
        if i in (2, 3):
            row.update(utvalgt_dato=date(2017, 3, 20 + i).isoformat(), utvalgt_kommune="0301" if i == 2 else "1201")
        out.append(row)
    out.append({"ekstern_id": "E-0", "duf_nummer": "201700000001", "kjonn": "M", "fodselsar": 2001,
                "kategori": "asyl", "enslig_mindrearig": True, "vedtaksdato": "2017-07-03", "klar_dato": "2017-07-10",
                "utvalgt_dato": "2017-07-20", "utvalgt_kommune": "1601", "akseptert_dato": "2017-08-01",
                "bosettingsdato": "2017-08-20", "kommunenummer": "1601"})
    return out


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class Dashboard:
    def __init__(self, base: str, private_key: bytes, rap, bos) -> None:
        self.base, self.private_key, self.rap, self.bos = base, private_key, rap, bos

    def token(self, *scopes: str, kommune: str | None = None) -> str:
        return issue_token(self.private_key, scopes=scopes, kommunenummer=kommune, subject="e2e")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def dashboard(request, tmp_path_factory):
    """A populated embedded system in development mode, rapportering served on a loopback port; each
    service on SQLite, then on PostgreSQL."""
    tmp = tmp_path_factory.mktemp("dashboard")
    var = tmp / "var"
    private, _ = ensure_dev_keypair(var)
    pg = PgDatabases()

    async def db_url(label: str) -> str:
        return f"sqlite+aiosqlite:///{tmp / (label + '.db')}" if request.param == "sqlite" else await pg.create(label)

    broker = EmbeddedBroker(log_file=tmp / "broker.log").start()
    try:
        b = service_settings("bosetting", db_url=await db_url("bosetting"), bootstrap=broker.bootstrap, keys=var,
                             var_dir=var)
        r = RapSettings(environment="development", database_url=await db_url("rapportering"),
                        kafka_bootstrap=broker.bootstrap, var_dir=var, relay_check_seconds=1.0,
                        risk_sweep_seconds=3600, monthly_publish_seconds=3600)
        async with running_app("bosetting", b) as bos, running_app("rapportering", r) as rap:
            def token(*scopes, kommune=None, subject="dev-user"):
                return issue_token(private.read_bytes(), scopes=scopes, kommunenummer=kommune, subject=subject)

            await import_cases(bos, token, cases())
            write_b = bearer(token("imdi:bosetting.write"))
            for kommune, anmodet, vedtatt in (("0301", (40, 4), (30, 4)), ("1201", (20, 2), (20, 3))):
                await bos.put(f"/api/v1/anmodninger/2017/{kommune}", headers=write_b, json={
                    "antall": anmodet[0], "herav_em": anmodet[1], "sendt_dato": "2016-09-15"})
                await bos.put(f"/api/v1/kommunevedtak/2017/{kommune}", headers=write_b, json={
                    "antall": vedtatt[0], "herav_em": vedtatt[1], "vedtaksdato": "2016-12-01"})
            writer = bearer(token("imdi:rapport.write"))
            r1 = await rap.post("/api/v1/oppdrag/2017/O10/milepaeler/M1", headers=writer, json={
                "ferdig": True, "fremdrift": 100, "dato": "2017-02-20"})
            assert r1.status_code == 202, r1.text
            await caught_up(rap, bos, rap)
            # two versions of the half-year report sent to JD through the workflow (the second after an
            # assessment): narratives and assessments first, then submitted, approved by another person, sent
            owner = bearer(token("imdi:rapport.write", subject="e2e-rapportansvarlig"))
            director = bearer(token("imdi:rapport.intern", "imdi:rapport.godkjenn", subject="e2e-direktor"))
            h1 = "/api/v1/rapporter/halvarsrapport/2017-H1"
            for version in (1, 2):
                await complete(rap, owner, h1)
                p = await rap.post(f"{h1}/send-til-godkjenning", headers=owner)
                assert p.status_code == 201 and p.json()["versjon"] == version, p.text
                for step in ("godkjenn", "send"):
                    r2 = await rap.post(f"{h1}/{step}", headers=director)
                    assert r2.status_code == 200, r2.text
                if version == 1:  # replaces the assessment complete() wrote (same date, later)
                    a = await rap.post("/api/v1/risikovurderinger/2017/O10", headers=writer, json={
                        "status": "gronn", "begrunnelse": "Utbetalt.", "tiltak": "Ingen nye tiltak.",
                        "dato": "2017-06-30"})
                    assert a.status_code == 202
                await caught_up(rap, bos, rap)

            sock = free_socket()
            config = uvicorn.Config(rap.app, lifespan="off", log_level="warning", access_log=False)
            server = uvicorn.Server(config)
            serving = asyncio.create_task(server.serve(sockets=[sock]))
            for _ in range(400):
                if server.started:
                    break
                await asyncio.sleep(0.05)
            port = sock.getsockname()[1]
            try:
                yield Dashboard(f"http://127.0.0.1:{port}", private.read_bytes(), rap, bos)
            finally:
                server.should_exit = True
                await serving
    finally:
        broker.stop()
        await pg.drop_all()


@pytest.fixture(scope="module")
async def browser():
    async with playwright_api.async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--lang=nb-NO"])
        yield b
        await b.close()


class Session:
    """One browser context: every request leaving 127.0.0.1 is blocked and recorded."""

    def __init__(self, context, page, base: str) -> None:
        self.context, self.page, self.base = context, page, base
        self.outside: list[str] = []

    async def goto(self, path: str, status: int = 200):
        response = await self.page.goto(self.base + path)
        assert response is not None and response.status == status, (path, response and response.status)
        return response

    async def axe(self) -> list[dict]:
        """Serious and critical axe-core violations on the current page."""
        await self.page.add_script_tag(path=str(AXE))
        result = await self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in result["violations"] if v["impact"] in ("serious", "critical")]


async def open_session(browser, dashboard, *, token: str | None = None, width: int = 1280,
                       scale: float = 1) -> Session:
    context = await browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=scale,
                                        accept_downloads=True, locale="nb-NO")
    if token:
        await context.add_cookies([{"name": "imdi_dashbord", "value": token, "url": dashboard.base + "/dashboard/",
                                    "httpOnly": True, "sameSite": "Strict"}])
    page = await context.new_page()
    session = Session(context, page, dashboard.base)

    async def guard(route):
        url = route.request.url
        if url.startswith(dashboard.base + "/") or url == dashboard.base or url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            session.outside.append(url)
            await route.abort()

    await context.route("**/*", guard)
    return session


ANALYST = ("imdi:rapport.intern", "imdi:bosetting.read")
WRITER = ("imdi:rapport.write", "imdi:bosetting.read")


async def risk_of(page, objekt: str) -> str:
    return await page.get_attribute(f"#{objekt}", "data-risiko")


async def test_overview_changes_with_the_as_of_date_and_drills_down_to_events(browser, dashboard):
    s = await open_session(browser, dashboard)
    # no token: the development login page; choose the analyst role with the keyboard-reachable form
    await s.goto("/dashboard/")
    assert s.page.url.endswith("/dashboard/logg-inn?neste=%2Fdashboard%2F")
    await s.page.check("#rolle-analytiker")
    await s.page.click("button[type=submit]")
    assert s.page.url == dashboard.base + "/dashboard/"

    # the half-year: SP1 was behind (Oslo stopped settling in time after February) — red, in colour AND word
    await s.page.fill("#per_dato", "2017-06-30")
    await s.page.click("form.per-dato button")
    assert "per_dato=2017-06-30" in s.page.url
    assert await risk_of(s.page, "SP1") == "rod"
    card = s.page.locator("#SP1")
    assert "Rød" in await card.locator(".risiko").first.inner_text()
    assert "Avvik" in await card.locator(".risiko").first.inner_text()
    assert await card.locator("svg.graf").count() == 1
    assert "Resultatkrav" in await card.inner_text() and "Framskrevet årsverdi" in await card.inner_text()
    assert await card.locator("details table tbody tr").count() == 6  # the chart's numbers, month by month
    assert s.page.locator("#O10")  # an assignment with its milestones
    assert "ferdig" in await s.page.locator("#O10").inner_text()
    assert await s.axe() == []

    # at the end of February every settlement so far was in time: green
    await s.goto("/dashboard/?ar=2017&per_dato=2017-02-28")
    assert await risk_of(s.page, "SP1") == "gronn"
    assert "I rute" in await s.page.locator("#SP1 .risiko").first.inner_text()

    # drill down: SP1 by kommune, sorted by share descending; Oslo is last (the lowest share)
    await s.goto("/dashboard/?ar=2017&per_dato=2017-06-30")
    await s.page.click("#SP1 >> text=SP1 etter fylke, kommune")
    await s.page.select_option("#niva", "kommune")
    await s.page.click("form.per-dato button")
    await s.page.click("#tabell-sted thead >> text=Andel")
    await s.page.click("#tabell-sted thead >> text=Andel")
    assert "retning=synkende" in s.page.url
    await s.page.wait_for_load_state()  # the sorted table is a new page: read it once it has loaded
    await s.page.locator("#tabell-sted tbody th").first.wait_for(timeout=15_000)
    names = await s.page.locator("#tabell-sted tbody th").all_inner_texts()
    assert names[-1] == "Oslo" and set(names) == {"Oslo", "Bergen", "Trondheim"}
    assert await s.page.get_attribute("#tabell-sted th[aria-sort]", "aria-sort") == "descending"
    assert await s.axe() == []
    await s.page.screenshot(path=str(_shot("drill-down")), full_page=True)

    # from Oslo's figure to the events behind it
    oslo = s.page.locator("#tabell-sted tbody tr", has_text="Oslo")
    shown = int((await oslo.locator("td").first.inner_text()).replace("\u00a0", ""))
    await oslo.locator("td a").first.click()
    await s.page.wait_for_load_state("load")  # the click starts the navigation; count on the new page
    assert "dimensjon=kommune" in s.page.url and "verdi=0301" in s.page.url
    await s.page.locator("#hendelser tbody tr").first.wait_for()
    behind_oslo = await s.page.locator("#hendelser tbody tr").count()
    assert behind_oslo >= shown > 0
    assert "person-bosatt" in await s.page.locator("#hendelser").inner_text()
    assert "Oslo" in await s.page.locator("h1").inner_text()
    await s.page.click("text=Tilbake til SP1")
    await s.page.click("text=Hendelsene bak tallet")  # the national figure has more events behind it
    assert await s.page.locator("#hendelser tbody tr").count() > behind_oslo
    assert await s.axe() == []
    assert s.outside == []


def _shot(name: str) -> Path:
    """Where a screenshot goes: the committed ones in docs/ only when asked (``IMDI_SCREENSHOTS=1``), so a test
    run never changes tracked files; otherwise a scratch folder (the page is still rendered and captured)."""
    folder = SCREENSHOTS if os.environ.get("IMDI_SCREENSHOTS") == "1" else Path(tempfile.gettempdir()) / "imdi-shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"dashboard-{name}.png"


async def test_every_page_is_accessible_offline_and_reachable_by_keyboard(browser, dashboard):
    writer = dashboard.token(*WRITER)
    pages = ["/dashboard/?ar=2017&per_dato=2017-06-30", "/dashboard/sp/SP1?ar=2017&periode=2017-H1&niva=kommune",
             "/dashboard/sp/SP1?ar=2017&periode=2017-H1&niva=fylke",
             "/dashboard/sp/SP1/hendelser?periode=2017-H1", "/dashboard/bosetting?ar=2017&per_dato=2017-06-30",
             "/dashboard/kommune/0301?ar=2017&per_dato=2017-06-30", "/dashboard/rapporter",
             "/dashboard/rapporter/halvarsrapport/2017-H1/1",
             "/dashboard/rapporter/halvarsrapport/2017-H1/endringer?fra=1&til=2",
             "/dashboard/tekster/halvarsrapport/2017-H1", "/dashboard/rapporter/halvarsrapport/2017-H1/arbeidsflyt"]
    s = await open_session(browser, dashboard, token=writer)
    for path in pages:
        await s.goto(path)
        assert await s.axe() == [], path
        await _tab_through(s.page, path)
    assert s.outside == []

    login = await open_session(browser, dashboard)
    await login.goto("/dashboard/logg-inn")
    assert await login.axe() == []
    await _tab_through(login.page, "/dashboard/logg-inn")
    assert login.outside == []


FOCUSABLE = """() => {
    const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
    return [...document.querySelectorAll(sel)]
        .filter(e => e.offsetParent !== null && !e.closest('details:not([open]) > :not(summary)')).length;
}"""
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const s = getComputedStyle(e);
    const key = [e.tagName, e.id, e.getAttribute('href'), e.name, e.value, e.textContent.slice(0, 40)].join('|');
    return {key, visible: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'};
}"""
RADIOS = """() => {
    const radios = [...document.querySelectorAll('input[type=radio]')].filter(e => e.offsetParent !== null);
    return [radios.length, new Set(radios.map(e => e.name)).size];
}"""


async def _tab_through(page, path: str) -> None:
    """Tab from the top: every visible link, button and field gets focus, with a visible focus indicator."""
    await page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    await page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = false)")
    wanted = await page.evaluate(FOCUSABLE)
    reached, seen = 0, set()
    for _ in range(wanted * 2 + 10):
        await page.keyboard.press("Tab")
        info = await page.evaluate(FOCUSED)
        if info is None:
            continue
        if info["key"] in seen:
            if reached >= wanted:
                break
            continue
        seen.add(info["key"])
        reached += 1
        assert info["visible"], (path, info["key"])
    # a radio group is one Tab stop (arrow keys move inside it)
    radio_inputs, radio_groups = await page.evaluate(RADIOS)
    assert reached >= wanted - radio_inputs + radio_groups, (path, reached, wanted)


async def test_narrow_and_zoomed_pages_do_not_scroll_sideways(browser, dashboard):
    token = dashboard.token(*ANALYST)
    for width, scale in ((320, 1), (640, 2)):  # 320 px wide; 1280 px at 200 % zoom is 640 CSS px
        s = await open_session(browser, dashboard, token=token, width=width, scale=scale)
        for path in ("/dashboard/?ar=2017&per_dato=2017-06-30", "/dashboard/sp/SP1?ar=2017&niva=kommune",
                     "/dashboard/sp/SP1?ar=2017&niva=fylke", "/dashboard/bosetting", "/dashboard/kommune/0301"):
            await s.goto(path)
            overflow = await s.page.evaluate(
                "() => [document.documentElement.scrollWidth - window.innerWidth,"
                " document.querySelector('main').scrollWidth - document.querySelector('main').clientWidth]")
            assert overflow[0] <= 0 and overflow[1] <= 0, (width, path, overflow)
            assert await s.axe() == [], (width, path)  # e.g. a table that scrolls must be reachable by keyboard
        assert s.outside == []


async def test_municipality_sees_only_its_own_kommune(browser, dashboard):
    s = await open_session(browser, dashboard)
    await s.goto("/dashboard/logg-inn")
    await s.page.check("#rolle-kommune")
    await s.page.select_option("#kommunenummer", "1201")
    await s.page.click("button[type=submit]")
    assert s.page.url.startswith(dashboard.base + "/dashboard/kommune/1201")
    text = await s.page.locator("#kommune-plasser").inner_text()
    assert re.search(r"Anmodet av IMDi\s+20\s+2", text) and re.search(r"Vedtatt av kommunen\s+20\s+3", text)
    assert await s.axe() == []
    await s.page.screenshot(path=str(_shot("kommune")), full_page=True)
    await s.goto("/dashboard/kommune/0301", status=403)
    for path in ("/dashboard/sp/SP1", "/dashboard/sp/SP1/hendelser?periode=2017", "/dashboard/bosetting",
                 "/dashboard/rapporter", "/dashboard/rapporter/halvarsrapport/2017-H1/1"):
        await s.goto(path, status=403)
    await s.goto("/dashboard/")  # the start page sends a municipality to its own kommune
    assert s.page.url.endswith("/dashboard/kommune/1201")
    assert s.outside == []


async def test_jd_sees_published_reports_suppressed_and_no_live_figures(browser, dashboard):
    s = await open_session(browser, dashboard, token=dashboard.token("imdi:rapport.read"))
    await s.goto("/dashboard/")
    assert s.page.url.endswith("/dashboard/rapporter")
    assert await s.page.locator("#arbeidsflyt, a[href$='/arbeidsflyt']").count() == 0  # no workflow for JD
    await s.page.click("#versjoner >> text=Halvårsrapport 2017-H1, versjon 1")
    kommuner = await s.page.locator("#statistikk-kommune").inner_text()
    assert "prikket" in kommuner  # Trondheim's few settlements are suppressed for JD
    await s.goto("/dashboard/?ar=2017")
    assert s.page.url.endswith("/dashboard/rapporter")  # the overview sends JD to the reports
    for path in ("/dashboard/sp/SP1", "/dashboard/sp/SP1/hendelser?periode=2017", "/dashboard/bosetting",
                 "/dashboard/kommune/0301"):
        await s.goto(path, status=403)
    await s.page.goto(dashboard.base + "/dashboard/rapporter/halvarsrapport/2017-H1/1")
    assert await s.axe() == []

    analyst = await open_session(browser, dashboard, token=dashboard.token(*ANALYST))
    await analyst.goto("/dashboard/rapporter/halvarsrapport/2017-H1/1")
    assert "prikket" not in await analyst.page.locator("#statistikk-kommune").inner_text()
    assert s.outside == analyst.outside == []


async def test_excel_download_opens_with_openpyxl(browser, dashboard):
    s = await open_session(browser, dashboard, token=dashboard.token("imdi:rapport.read"))
    await s.goto("/dashboard/rapporter")
    async with s.page.expect_download() as info:
        await s.page.click("#versjoner a[href$='/2017-H1/1/excel']")
    download = await info.value
    assert download.suggested_filename == "halvarsrapport-2017-H1-v1.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(await asyncio.to_thread(Path(await download.path()).read_bytes)))
    assert len(workbook.sheetnames) >= 3
    cells = [c for ws in workbook for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "SP1" in cells


async def test_assessment_is_recorded_and_shown_beside_the_computed_risk(browser, dashboard):
    s = await open_session(browser, dashboard, token=dashboard.token(*WRITER))
    await s.goto("/dashboard/?ar=2017&per_dato=2017-06-30")
    form = s.page.locator("#SP1 details.vurder")
    await form.locator("summary").click()
    await form.locator("button[type=submit]").click()  # nothing chosen: told in Norwegian, nothing stored
    # the answer is a new page: wait for it before reading (the old page's status can still be there)
    await s.page.locator("[role=status]", has_text="Begrunnelse").wait_for(timeout=15_000)
    alert = await s.page.locator("[role=status]").inner_text()
    assert "Vurdering: velg grønn, gul eller rød." in alert and "Begrunnelse må fylles ut." in alert
    form = s.page.locator("#SP1 details.vurder")
    await form.locator("summary").click()
    await form.locator("input[value=gul]").check()
    await form.locator("textarea[name=begrunnelse]").fill("Oslo har stanset bosetting i tide siden mars.")
    await form.locator("textarea[name=tiltak]").fill("Møte med Oslo kommune i august.")
    await form.locator("button[type=submit]").click()
    await s.page.locator("[role=status]", has_text="er mottatt").wait_for(timeout=15_000)
    assert "er mottatt" in await s.page.locator("[role=status]").inner_text()

    async def shown() -> bool:
        await s.page.reload()
        return "Møte med Oslo kommune" in await s.page.locator("#SP1 .vurdering").inner_text()

    await eventually(shown, timeout=30, what="the assessment on the overview")
    assert await risk_of(s.page, "SP1") == "rod"  # the computed risk is unchanged beside it
    assert "Gul" in await s.page.locator("#SP1 .vurdering").inner_text()
    await s.page.set_viewport_size({"width": 1280, "height": 1500})
    await s.goto("/dashboard/?ar=2017&per_dato=2017-06-30")
    await s.page.screenshot(path=str(_shot("oversikt")), full_page=False)
    assert s.outside == []


async def test_settlement_requests_decisions_and_the_queue(browser, dashboard):
    s = await open_session(browser, dashboard, token=dashboard.token(*ANALYST))
    await s.goto("/dashboard/bosetting?ar=2017&per_dato=2017-06-30")
    oslo = await s.page.locator("#plasser-kommune tbody tr", has_text="Oslo").locator("td").all_inner_texts()
    # anmodet, EM, vedtatt, EM, difference, settled 1.1–30.6, EM
    assert oslo == ["40", "4", "30", "4", "-10", "30", "0"]
    bergen = await s.page.locator("#plasser-kommune tbody tr", has_text="Bergen").locator("td").all_inner_texts()
    assert bergen[:5] == ["20", "2", "20", "3", "0"]
    fylker = await s.page.locator("#plasser-fylke tbody th").all_inner_texts()
    assert set(fylker) == {"Oslo", "Hordaland", "Sør-Trøndelag"}
    # on 30.6: the six waiting and the 30 Oslo settles July–December, all decided before 30.6
    text = await s.page.locator("main").inner_text()
    assert "36 personer har vedtak og er ikke bosatt" in text, [ln for ln in text.splitlines() if "vedtak" in ln]
    assert s.outside == []


STEPS = [("vedtak_klar", "vedtaksdato", "klar_dato"), ("klar_utvalgt", "klar_dato", "utvalgt_dato"),
         ("utvalgt_akseptert", "utvalgt_dato", "akseptert_dato"),
         ("akseptert_bosatt", "akseptert_dato", "bosettingsdato")]


def expected_stages(rows: list[dict], as_of: date, *, kommune: str | None = None, em: bool = False,
                    ) -> dict[str, list[str]]:
    """Per stage, from the cases sent: the table's cells (through in 2017 by ``as_of``, median, 90th percentile,
    waiting on ``as_of``, their median wait), as the page formats them."""
    from rapportering.dashboard.views import num

    def day(row: dict, field: str) -> date | None:
        value = row.get(field)
        return date.fromisoformat(value) if value and date.fromisoformat(value) <= as_of else None

    through: dict[str, list[int]] = {k: [] for k, _, _ in (*STEPS, ("vedtak_bosatt", 0, 0))}
    waiting: dict[str, list[int]] = {k: [] for k in through}
    for row in rows:
        if (kommune and (row.get("kommunenummer") or row.get("utvalgt_kommune")) != kommune) or (
                em and not row.get("enslig_mindrearig")):
            continue
        for key, start, end in (*STEPS, ("vedtak_bosatt", "vedtaksdato", "bosettingsdato")):
            if day(row, start) and day(row, end) and day(row, end) >= date(2017, 1, 1):
                through[key].append((day(row, end) - day(row, start)).days)
        if day(row, "vedtaksdato") and not day(row, "bosettingsdato"):
            key, start, _ = next(s for s in reversed(STEPS) if day(row, s[1]))
            waiting[key].append((as_of - day(row, start)).days)
            waiting["vedtak_bosatt"].append((as_of - day(row, "vedtaksdato")).days)

    def p90(v: list[int]) -> float | None:
        return None if not v else float(v[0]) if len(v) == 1 else round(
            statistics.quantiles(v, n=10, method="inclusive")[8], 1)

    def med(v: list[int]) -> float | None:
        return float(statistics.median(v)) if v else None

    return {k: [num(len(v)), num(med(v)), num(p90(v)), num(len(waiting[k])), num(med(waiting[k]))]
            for k, v in through.items()}


async def stage_table(page, which: str = "alle") -> dict[str, list[str]]:
    rows = page.locator(f"#stadier-{which} tbody tr")
    return {await rows.nth(i).get_attribute("data-steg"): await rows.nth(i).locator("td").all_inner_texts()
            for i in range(await rows.count())}


async def test_settlement_shows_the_time_in_each_stage_and_names_the_bottleneck(browser, dashboard):
    s = await open_session(browser, dashboard, token=dashboard.token(*ANALYST))
    for as_of in (date(2017, 6, 30), date(2017, 12, 31)):
        await s.goto(f"/dashboard/bosetting?ar=2017&per_dato={as_of.isoformat()}")
        expected = expected_stages(cases(), as_of)
        assert await stage_table(s.page) == expected, as_of
        assert await stage_table(s.page, "em") == expected_stages(cases(), as_of, em=True), as_of
        medians = {k: float(v[1].replace(",", ".")) for k, v in expected.items() if k != "vedtak_bosatt"}
        slowest = max(medians, key=medians.get)
        assert slowest == "akseptert_bosatt"  # Bergen's and Trondheim's 10 days from acceptance to settlement
        named = await s.page.locator("#flaskehals-alle").inner_text()
        assert "flaskehalsen er fra akseptert til bosatt" in named  # in words, not by colour alone
        bottleneck_row = s.page.locator("#stadier-alle tr.flaskehals")
        assert await bottleneck_row.get_attribute("data-steg") == slowest
        assert "(flaskehals)" in await bottleneck_row.inner_text()
        assert await s.page.locator("#stadier svg .stolpe.merket").count() == 1
        # the queue's paragraph and the whole run's waiting persons are one population: they agree
        queue = await s.page.locator("main p", has_text="har vedtak og er ikke bosatt").inner_text()
        assert f"Median ventetid {expected['vedtak_bosatt'][4]} dager" in queue
        assert f"{expected['vedtak_bosatt'][3]} personer har vedtak" in queue
        assert await s.axe() == []
    # the EM case went through every stage in the second half-year; on 30.6 it had no decision yet
    assert (await stage_table(s.page, "em"))["vedtak_bosatt"][:2] == ["1", "48,0"]
    await s.page.screenshot(path=str(_shot("bosetting")), full_page=True)

    # one fylke: Hordaland is Bergen's persons only
    await s.page.select_option("#fylke", "12")
    await s.page.click("form.per-dato button")
    assert "fylke=12" in s.page.url and "Hordaland" in await s.page.locator("#tid-i-steg").inner_text()
    assert await stage_table(s.page) == expected_stages(cases(), date(2017, 12, 31), kommune="1201")
    assert s.outside == []


async def test_a_municipality_sees_the_stage_times_of_its_own_kommune_only(browser, dashboard):
    s = await open_session(browser, dashboard, token=dashboard.token("imdi:bosetting.read", kommune="1201"))
    await s.goto("/dashboard/kommune/1201?ar=2017&per_dato=2017-06-30")
    shown = await stage_table(s.page)
    assert shown == expected_stages(cases(), date(2017, 6, 30), kommune="1201")
    assert shown["utvalgt_akseptert"][3] == "1"  # W-3, proposed to Bergen; not W-2, proposed to Oslo
    assert shown["vedtak_klar"][3] == "0"  # persons not yet proposed belong to no kommune
    assert "Bergen" in await s.page.locator("#tid-i-steg").inner_text()
    assert await s.axe() == []
    await s.goto("/dashboard/bosetting?ar=2017&fylke=12", status=403)
    assert s.outside == []


async def test_drill_down_map_colours_each_fylke_and_labels_it_with_its_figure(browser, dashboard):
    s = await open_session(browser, dashboard, token=dashboard.token(*ANALYST))
    await s.goto("/dashboard/sp/SP1?ar=2017&periode=2017-H1&niva=fylke")
    assert await s.page.locator("#kart path.fylke").count() == 19  # the 2017 division, served with the page
    rows = s.page.locator("#tabell-sted tbody tr")
    shown = set()
    for i in range(await rows.count()):
        row = rows.nth(i)
        code = re.search(r"verdi=(\d+)", await row.locator("a").first.get_attribute("href")).group(1)
        name = await row.locator("th").inner_text()
        teller, nevner, andel = await row.locator("td").all_inner_texts()
        share = int(teller.replace("\u00a0", "")) / int(nevner.replace("\u00a0", ""))
        path = s.page.locator(f"#kart path[data-fylke='{code}']")
        assert f"klasse-{min(int(share * 5), 4)}" in await path.get_attribute("class"), (name, share)
        label = await s.page.locator(f"#kart text[data-fylke='{code}']").text_content()
        assert label == f"{name}: {andel}"  # colour is never alone: the name and figure are beside it
        shown.add(code)
    assert shown  # Oslo, Hordaland, Sør-Trøndelag
    others = s.page.locator("#kart path.klasse-ingen")
    assert await others.count() == 19 - len(shown)
    assert "ingen data" in await s.page.locator("#kart text[data-fylke='20']").text_content()
    assert await s.axe() == []
    await s.page.locator("#kart").screenshot(path=str(_shot("kart")))
    await s.goto("/dashboard/sp/SP1?ar=2017&periode=2017-H1&niva=kommune")
    assert await s.page.locator("#kart").count() == 0  # the map is of fylker
    assert s.outside == []


async def test_report_diff_and_the_narrative_per_requirement(browser, dashboard):
    jd = await open_session(browser, dashboard, token=dashboard.token("imdi:rapport.read"))
    await jd.goto("/dashboard/rapporter")
    await jd.page.click("#versjoner a[href*='endringer?fra=1&til=2']")
    changes = await jd.page.locator("#endringer tbody").inner_text()
    assert "/oppdrag/" in changes and "virksomhetens_vurdering" in changes and "Utbetalt." in changes
    assert await jd.page.locator("a[href^='/dashboard/tekster/']").count() == 0
    # any two versions: from version 2 back to version 1 the change runs the other way
    await jd.goto("/dashboard/rapporter/halvarsrapport/2017-H1/2")
    await jd.page.select_option("#fra", "1")
    await jd.page.click("text=Vis endringer")
    assert jd.page.url.endswith("endringer?til=2&fra=1")
    assert "Utbetalt." in await jd.page.locator("#endringer tbody").inner_text()
    await jd.goto("/dashboard/rapporter/halvarsrapport/2017-H1/endringer?fra=2&til=1")
    row = jd.page.locator("#endringer tbody tr", has_text="virksomhetens_vurdering").filter(has_text="Utbetalt.")
    assert await row.locator("td").all_inner_texts() == ["Utbetalt.", "Forsinket."]
    await jd.goto("/dashboard/rapporter/halvarsrapport/2017-H1/x", status=404)
    assert "Versjonen må være et positivt heltall." in await jd.page.locator("main").inner_text()
    await jd.goto("/dashboard/tekster/halvarsrapport/2017-H1", status=403)

    s = await open_session(browser, dashboard, token=dashboard.token(*WRITER))
    await s.goto("/dashboard/rapporter")
    await s.page.click("text=Tekster til halvårsrapport 2017-H1")
    await s.page.fill("#tekst-R1", "")  # the fixture wrote a text (the report was sent); emptied, it is refused
    await s.page.click("#R1 button[type=submit]")  # empty: told in Norwegian, nothing stored
    assert "R1: Teksten må fylles ut" in await s.page.locator("[role=status]").inner_text()
    await s.page.fill("#tekst-R1", "Bosettingen i Oslo er forsinket; tiltak er satt inn.")
    await s.page.click("#R1 button[type=submit]")
    assert "er mottatt" in await s.page.locator("[role=status]").inner_text()

    async def shown() -> bool:
        await s.page.reload()
        return await s.page.input_value("#tekst-R1") == "Bosettingen i Oslo er forsinket; tiltak er satt inn."

    await eventually(shown, timeout=30, what="the narrative on the page")
    await s.goto("/dashboard/tekster/manedsrapport/2017-03", status=404)
    assert s.outside == jd.outside == []


ARSRAPPORT = "/dashboard/rapporter/arsrapport/2017"


async def press(s: Session, button: str, status: int = 200, keyboard: bool = False) -> None:
    """Click a workflow button (or focus it and press Enter) and wait for the page its form leads to: after a
    step, the workflow page (303 to 200); after a refusal, the page with the reason and the refusal's status."""
    async with s.page.expect_navigation() as navigation:
        if keyboard:
            await s.page.focus(button)
            await s.page.keyboard.press("Enter")
        else:
            await s.page.click(button)
    response = await navigation.value
    assert response is not None and response.status == status, (button, response and response.status)


async def test_report_walks_the_workflow_through_the_buttons(browser, dashboard):
    """The annual report: refused while incomplete (the list in Norwegian), submitted by the report owner, not
    approved by the same person, sent back and approved by the director, and seen by JD only once sent."""
    jd = await open_session(browser, dashboard, token=dashboard.token("imdi:rapport.read"))
    await jd.goto(f"{ARSRAPPORT}/arbeidsflyt", status=403)  # JD has no workflow page
    analyst = await open_session(browser, dashboard, token=dashboard.token(*ANALYST))
    await analyst.goto(f"{ARSRAPPORT}/arbeidsflyt")  # an analyst sees the state but has no buttons
    assert await analyst.page.locator("form.handling").count() == 0
    assert "ingen handlinger" in await analyst.page.locator("#ingen-handlinger").inner_text()
    r = await analyst.page.request.post(dashboard.base + f"{ARSRAPPORT}/arbeidsflyt",
                                        form={"handling": "send_til_godkjenning"})
    assert r.status == 403
    # the dashboard's own publishing is gone: nothing freezes a report outside the workflow
    r = await analyst.page.request.post(dashboard.base + "/dashboard/rapporter/publiser",
                                        form={"valg": "arsrapport|2017"})
    assert r.status in (404, 405)

    # the report owner (who may also approve, but not her own submission)
    owner_token = issue_token(dashboard.private_key, scopes=(*WRITER, "imdi:rapport.godkjenn"), subject="e2e-anna")
    owner = await open_session(browser, dashboard, token=owner_token)
    await owner.goto("/dashboard/rapporter")
    await owner.page.click(f"#arbeidsflyt a[href='{ARSRAPPORT}/arbeidsflyt']")
    assert owner.page.url.endswith(f"{ARSRAPPORT}/arbeidsflyt")
    assert await owner.page.get_attribute("#flyt-tilstand", "data-tilstand") == "utkast"
    assert await owner.axe() == []
    await press(owner, "#knapp-send_til_godkjenning", 409)
    refusal = await owner.page.locator("#flyt-feil").inner_text()
    assert "Rapporten er ikke komplett og kan ikke sendes til godkjenning." in refusal
    assert "R1 mangler virksomhetens tekst." in refusal and "mangler virksomhetens vurdering med tiltak" in refusal
    assert await owner.page.get_attribute("#flyt-tilstand", "data-tilstand") == "utkast"
    assert await owner.axe() == []
    await complete(dashboard.rap, bearer(owner_token), "/api/v1/rapporter/arsrapport/2017")

    await owner.goto(f"{ARSRAPPORT}/arbeidsflyt")
    await press(owner, "#knapp-send_til_godkjenning")
    assert "Versjon 1 er fryst og sendt til godkjenning." in await owner.page.locator("[role=status]").inner_text()
    assert await owner.page.get_attribute("#flyt-tilstand", "data-tilstand") == "til_godkjenning"
    await press(owner, "#knapp-godkjenn", 403)  # the same person: refused, and the page says why
    assert "kan ikke godkjenne den selv" in await owner.page.locator("#flyt-feil").inner_text()
    assert await owner.page.get_attribute("#flyt-tilstand", "data-tilstand") == "til_godkjenning"
    await jd.goto("/dashboard/rapporter")
    assert await jd.page.locator(f"#versjoner a[href^='{ARSRAPPORT}/']").count() == 0
    await jd.goto(f"{ARSRAPPORT}/1", status=404)  # a version not sent does not exist for JD

    # the director logs in with the development login's role, sends back (a reason is required), approves, sends
    director = await open_session(browser, dashboard)
    await director.goto("/dashboard/logg-inn")
    await director.page.check("#rolle-direktor")
    await director.page.click("button[type=submit]")
    await director.goto(f"{ARSRAPPORT}/arbeidsflyt")
    assert "direktør" in await director.page.locator("header").inner_text()
    assert await director.axe() == []
    await _tab_through(director.page, "arbeidsflyt (til godkjenning)")
    # a fresh page: the Tab round ends on the skip link, which (focused) lies over the top of the page
    await director.goto(f"{ARSRAPPORT}/arbeidsflyt")
    await press(director, "#knapp-avvis", 422)
    assert "Oppgi hvorfor rapporten sendes tilbake." in await director.page.locator("#flyt-feil").inner_text()
    assert await director.page.get_attribute("#flyt-tilstand", "data-tilstand") == "til_godkjenning"
    await director.page.fill("#begrunnelse", "R2 må si mer om kvalifiseringen.")
    await press(director, "#knapp-avvis")
    assert await director.page.get_attribute("#flyt-tilstand", "data-tilstand") == "utkast"
    assert await director.page.locator("#knapp-godkjenn").count() == 0  # nothing to approve in a draft

    await owner.goto(f"{ARSRAPPORT}/arbeidsflyt")
    await press(owner, "#knapp-send_til_godkjenning")
    await director.goto(f"{ARSRAPPORT}/arbeidsflyt")
    await press(director, "#knapp-godkjenn", keyboard=True)
    assert "Versjon 1 er godkjent." in await director.page.locator("[role=status]").inner_text()
    await jd.goto(f"{ARSRAPPORT}/1", status=404)  # approved is not sent
    await press(director, "#knapp-send", keyboard=True)
    assert "Versjon 1 er sendt til JD." in await director.page.locator("[role=status]").inner_text()
    assert await director.page.get_attribute("#flyt-tilstand", "data-tilstand") == "sendt"
    history = director.page.locator("#historikk tbody tr")
    steps = [(await history.nth(i).locator("td").all_inner_texts()) for i in range(await history.count())]
    assert [s[1] for s in steps] == ["Send til godkjenning", "Send tilbake", "Send til godkjenning", "Godkjenn",
                                     "Send til JD"]
    # role and unit from the token (the owner holds the approval right too), never who it was
    assert [(s[5], s[6]) for s in steps] == [("godkjenner", "IMDi")] * 5
    assert steps[1][7] == "R2 må si mer om kvalifiseringen."
    assert "e2e-anna" not in await director.page.locator("main").inner_text()
    assert await director.axe() == []

    await jd.goto("/dashboard/rapporter")
    await jd.page.click("#versjoner >> text=Årsrapport 2017, versjon 1")
    assert "Årsrapport" in await jd.page.locator("h1").inner_text()
    assert "Sendt til JD" in await jd.page.locator("main").inner_text()
    assert jd.outside == analyst.outside == owner.outside == director.outside == []


async def test_overview_shows_the_reporting_obligations(browser, dashboard):
    s = await open_session(browser, dashboard, token=dashboard.token(*ANALYST))
    await s.goto("/dashboard/?ar=2017&per_dato=2017-06-30")
    row = s.page.locator("#forpliktelse-RK-H1")
    assert await row.get_attribute("data-status") == "i_rute" and "I rute" in await row.inner_text()
    await s.goto("/dashboard/?ar=2017&per_dato=2017-08-10")  # due 19 August: within two weeks
    row = s.page.locator("#forpliktelse-RK-H1")
    assert await row.get_attribute("data-status") == "snart_frist" and "Snart frist" in await row.inner_text()
    await s.goto("/dashboard/?ar=2017&per_dato=2017-12-31")  # the report was not sent by then (it was sent today)
    row = s.page.locator("#forpliktelse-RK-H1")
    assert await row.get_attribute("data-status") == "forsinket" and await row.get_attribute("data-risiko") == "rod"
    assert "Forsinket" in await row.inner_text() and "Rød" in await row.inner_text()
    assert "Sendt til JD, versjon 2" in await row.inner_text()
    await row.locator("a").click()  # the obligation leads to the report's workflow
    assert s.page.url.endswith("/dashboard/rapporter/halvarsrapport/2017-H1/arbeidsflyt")
    assert await s.page.locator("#historikk tbody tr").count() == 6  # two rounds of submit, approve, send
    assert s.outside == []


async def test_development_login_does_not_exist_outside_development(tmp_path, keys):
    settings = service_settings("rapportering", db_url=f"sqlite+aiosqlite:///{tmp_path / 'r.db'}",
                                bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path, kafka_enabled=False)
    assert settings.environment == "test"
    async with running_app("rapportering", settings) as rap:
        assert (await rap.get("/dashboard/logg-inn")).status_code == 404
        r = await rap.post("/dashboard/logg-inn", content="rolle=analytiker",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 404 and "set-cookie" not in r.headers
        page = await rap.get("/dashboard/")
        assert page.status_code == 401 and "Du må logge inn" in page.text
        assert "logg-inn" not in page.text
        # a real token in the Authorization header is accepted, exactly as by the API
        tok = issue_token((keys / "dev-signing-key.pem").read_bytes(), scopes=["imdi:rapport.intern"])
        assert (await rap.get("/dashboard/?ar=2017", headers=bearer(tok))).status_code == 200
        forged = tok[:-4] + ("AAAA" if not tok.endswith("AAAA") else "BBBB")
        assert (await rap.get("/dashboard/?ar=2017", headers=bearer(forged))).status_code == 401


def test_screenshots_are_committed():
    """The README shows these; the browser tests above write them with ``IMDI_SCREENSHOTS=1``."""
    names = ("oversikt", "drill-down", "kommune", "bosetting", "kart")
    for name in names:
        assert (SCREENSHOTS / f"dashboard-{name}.png").exists(), name
    readme = (ROOT / "README.md").read_text()
    assert all(f"docs/screenshots/dashboard-{n}.png" in readme for n in names)

