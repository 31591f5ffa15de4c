"""The time in each settlement stage through rapportering's API (``GET /api/v1/bosetting/stadier/{ar}``), on SQLite
and PostgreSQL: bosetting's stage events through the idempotent consumer, then the figures for the country, a
fylke, a kommune and EM, each worked out by hand below; a municipality's token sees its own kommune only."""

from __future__ import annotations

from datetime import date

from shared.events import schemas as ev
from shared.events.envelope import Envelope
from tests.conftest import bearer, is_problem, running_app, service_settings
from tests.integration.test_replay_order import fresh_consumer, records

D = date


def _event(spec: ev.EventSpec, model_cls, ref: str, vedtak: date, em: bool = False, **data) -> tuple[str, Envelope]:
    model = model_cls(person_ref=ref, kjonn="K", vedtaksdato=vedtak, enslig_mindrearig=em,
                      em_aldersgruppe="15_18" if em else None, fodselsar=2001 if em else 1990, **data)
    return ref, Envelope.new(source=spec.source, type=spec.type, subject=ref, data=model.model_dump(mode="json"))


def person(ref: str, vedtak: date, *, klar=None, utvalgt=None, akseptert=None, bosatt=None, kommune=None,
           em=False) -> list[tuple[str, Envelope]]:
    """The events bosetting publishes for a case taken as far as the dates given."""
    out = [_event(ev.SAK_REGISTRERT_V1, ev.SakRegistrertV1, ref, vedtak, em)]
    if klar:
        out.append(_event(ev.PERSON_KLAR_V1, ev.PersonKlarV1, ref, vedtak, em, klar_dato=klar))
    if utvalgt:
        out.append(_event(ev.PERSON_UTVALGT_V1, ev.PersonUtvalgtV1, ref, vedtak, em, utvalgt_dato=utvalgt,
                          kommunenummer=kommune))
    if akseptert:
        out.append(_event(ev.PERSON_AKSEPTERT_V1, ev.PersonAkseptertV1, ref, vedtak, em, akseptert_dato=akseptert,
                          kommunenummer=kommune))
    if bosatt:
        out.append(_event(ev.PERSON_BOSATT_V1, ev.PersonBosattV1, ref, vedtak, em, bosettingsdato=bosatt,
                          kommunenummer=kommune, klar_dato=klar, utvalgt_dato=utvalgt, akseptert_dato=akseptert))
    return out


# Days in each stage (vedtak→klar, klar→utvalgt, utvalgt→akseptert, akseptert→bosatt; whole run), as of 30.6.2017:
#   A (Oslo):   10, 20, 30, 10; 70               settled 12.3
#   B (Bergen):  5, 10, 90, 10; 115              settled 27.5
#   C (Oslo):   10, 30, waiting since 10.4 (81 days); whole run waiting 121 days
#   D (EM):     waiting for klar since 1.5 (60 days); whole run waiting 60 days
A, B, C, E = (f"p-{c * 32}" for c in "abce")
EVENTS = [*person(A, D(2017, 1, 1), klar=D(2017, 1, 11), utvalgt=D(2017, 1, 31), akseptert=D(2017, 3, 2),
                  bosatt=D(2017, 3, 12), kommune="0301"),
          *person(B, D(2017, 2, 1), klar=D(2017, 2, 6), utvalgt=D(2017, 2, 16), akseptert=D(2017, 5, 17),
                  bosatt=D(2017, 5, 27), kommune="1201"),
          *person(C, D(2017, 3, 1), klar=D(2017, 3, 11), utvalgt=D(2017, 4, 10), kommune="0301"),
          *person(E, D(2017, 5, 1), em=True)]


def _figures(body: dict) -> dict[str, tuple]:
    rows = [*body["stadier"], body["hele_lopet"]]
    return {r["id"]: (r["gjennom"], r["median_dager"], r["venter"], r["venter_median_dager"]) for r in rows}


async def test_time_in_each_stage_and_the_bottleneck_by_area_and_em(db_url_factory, keys, tmp_path, token):
    url = await db_url_factory("rapportering")
    consumer = await fresh_consumer(url)
    await consumer.process(records(EVENTS))
    settings = service_settings("rapportering", db_url=url, bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path,
                                kafka_enabled=False)
    imdi = bearer(token("imdi:rapport.intern"))
    async with running_app("rapportering", settings) as rap:
        async def get(headers=imdi, **params):
            return await rap.get("/api/v1/bosetting/stadier/2017", params={"per_dato": "2017-06-30", **params},
                                 headers=headers)

        body = (await get()).json()
        assert _figures(body) == {
            "vedtak_klar": (3, 10.0, 1, 60.0), "klar_utvalgt": (3, 20.0, 0, None),
            "utvalgt_akseptert": (2, 60.0, 1, 81.0), "akseptert_bosatt": (2, 10.0, 0, None),
            "vedtak_bosatt": (2, 92.5, 2, 90.5)}
        assert (body["flaskehals"], body["flest_venter"]) == ("utvalgt_akseptert", None)  # one waits in each

        oslo = (await get(fylke="03")).json()  # A and C (C proposed to Oslo); D belongs to no kommune yet
        assert _figures(oslo)["vedtak_klar"] == (2, 10.0, 0, None)
        assert _figures(oslo)["utvalgt_akseptert"] == (1, 30.0, 1, 81.0)
        bergen = (await get(kommune="1201")).json()
        assert _figures(bergen)["utvalgt_akseptert"] == (1, 90.0, 0, None) and bergen["kommunenummer"] == "1201"
        em = (await get(em="true")).json()  # no EM through any stage yet: the stage most of them wait in
        assert _figures(em)["vedtak_klar"] == (0, None, 1, 60.0) and em["flaskehals"] == "vedtak_klar"
        early = (await get(per_dato="2017-03-31")).json()  # B not yet accepted, C not yet proposed
        assert _figures(early)["utvalgt_akseptert"] == (1, 30.0, 1, 43.0)

        assert is_problem(await get(kommune="9999"), 404)
        assert is_problem(await get(fylke="3"), 422)
        oslo_token = bearer(token("imdi:rapport.intern", kommune="0301"))
        own = (await get(oslo_token)).json()
        assert own["kommunenummer"] == "0301" and _figures(own) == _figures((await get(kommune="0301")).json())
        assert is_problem(await get(oslo_token, kommune="1201"), 403)
        assert is_problem(await get(oslo_token, fylke="12"), 403)
        assert is_problem(await get(bearer(token("imdi:rapport.read"))), 403)  # JD: no live figures
