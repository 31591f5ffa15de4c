"""Key figures (``nokkeltall`` events) from the services that count them reach the reports: O5's monthly
progress in the monthly report (and the latest month in the half-year report), R10's counts in the annual
report; a later event for the same figure replaces the earlier one; small person counts are hidden in what
JD gets. Real database (SQLite and PostgreSQL); records fed to the consumer as Kafka would hand them."""

from __future__ import annotations

from rapportering import disclosure, reports
from rapportering.steering import load
from shared.events import schemas as ev
from shared.events.envelope import Envelope
from tests.integration.test_replay_order import fresh_consumer, records


def figure(service: str, **data) -> tuple[str, Envelope]:
    spec = ev.NOKKELTALL_V1[service]
    model = ev.NokkeltallV1(ar=2017, **data)
    return spec.key(model), Envelope.new(source=spec.source, type=spec.type, subject=spec.key(model),
                                         data=model.model_dump(mode="json"))


async def test_key_figures_reach_monthly_half_year_and_annual_reports(db_url_factory):
    log = [
        figure("kvalifisering", objekt="O5", periode="2017-03", navn="registrerte", tekst="Registrert kompetanse",
               antall=900, nevner=4000),
        figure("kvalifisering", objekt="O5", periode="2017-03", navn="veiledet", tekst="Tilbudt karriereveiledning",
               antall=3, nevner=900),
        figure("kvalifisering", objekt="O5", periode="2017-04", navn="registrerte", tekst="Registrert kompetanse",
               antall=1500, nevner=4000),
        figure("kvalifisering", objekt="O5", periode="2017-03", navn="registrerte", tekst="Registrert kompetanse",
               antall=950, nevner=4000),  # a correction of March
        figure("tolkeregister", objekt="R10", periode="2017", navn="bestatte_prover", tekst="Beståtte tolkeprøver",
               dimensjon="sprak", kategori="tigrinja", antall=41),
        figure("tolkeregister", objekt="R10", periode="2017", navn="klager", tekst="Klager på tolker",
               dimensjon="type", kategori="oppmote", antall=2),
    ]
    consumer = await fresh_consumer(await db_url_factory("figures"))
    try:
        await consumer.process(records(log))
        model = load(2017)
        async with consumer.db.sessions() as s:
            march = await reports.build(s, model, "manedsrapport", "2017-03")
            half = await reports.build(s, model, "halvarsrapport", "2017-H1")
            year = await reports.build(s, model, "arsrapport", "2017")
    finally:
        await consumer.db.dispose()

    o5 = next(o for o in march["oppdrag"] if o["id"] == "O5")["nokkeltall"]
    assert o5["periode"] == "2017-03"
    by_name = {f["navn"]: f for f in o5["tall"]}
    assert (by_name["registrerte"]["antall"], by_name["registrerte"]["andel"]) == (950, 0.2375), "the correction"
    assert by_name["veiledet"]["antall"] == 3
    assert next(o for o in half["oppdrag"] if o["id"] == "O5")["nokkeltall"]["periode"] == "2017-04", \
        "a half-year report shows the latest month up to its count date"
    assert next(o for o in march["oppdrag"] if o["id"] == "O7")["nokkeltall"] is None, "none sent: none shown"

    r10 = next(r for r in year["rapporteringskrav"] if r["id"] == "R10")["nokkeltall"]
    assert {(f["navn"], f["kategori"], f["antall"]) for f in r10["tall"]} == {
        ("bestatte_prover", "tigrinja", 41), ("klager", "oppmote", 2)}

    shown = disclosure.protect(march, [], 5)
    hidden = {f["navn"]: f for f in next(o for o in shown["oppdrag"] if o["id"] == "O5")["nokkeltall"]["tall"]}
    assert hidden["veiledet"]["antall"] is None and hidden["registrerte"]["antall"] == 950
    shown_year = disclosure.protect(year, [], 5)
    klager = next(f for r in shown_year["rapporteringskrav"] if r["id"] == "R10"
                  for f in r["nokkeltall"]["tall"] if f["navn"] == "klager")
    assert klager["antall"] is None
