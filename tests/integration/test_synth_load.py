"""A generated year loads through bosetting's and tilskudd's public APIs with no row rejected, and the services
then count what the generator's manifest expects: bosetting's SP1–SP3, corrections included; tilskudd's committed
and disbursed per post and binding, cancellations, repayments and corrections included."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from decimal import Decimal

from rich.progress import Progress
from sqlalchemy import func, select

from shared.dates import add_months
from synth import generate
from synth.load import import_file, load
from tests.conftest import bearer
from tests.integration import test_tilskudd
from tilskudd.models import soknad


def first_file_figures(folder) -> tuple[int, Counter]:
    """SP1's numerator and its population per kommune if the corrections file were never applied (the letter's
    population: family-reunified persons are outside SP1–SP3)."""
    rows = [json.loads(line) for line in (folder / "bosetting" / "saker.ndjson").read_text().splitlines()]
    done = [r for r in rows if r.get("bosettingsdato") and r["kategori"] != "familiegjenforent"]
    hits = sum(date.fromisoformat(r["bosettingsdato"]) <= add_months(date.fromisoformat(r["vedtaksdato"]), 6)
               for r in done)
    return hits, Counter(r["kommunenummer"] for r in done)


async def assert_manifest_figures(bos, tok: str, manifest: dict) -> None:
    for sp, expected in manifest["expected"].items():
        got = (await bos.get(f"/api/v1/styringsparametere/{sp}/verdi?periode=2017", headers=bearer(tok))).json()
        assert (got["teller"], got["nevner"]) == (expected["teller"], expected["nevner"]), sp
        if sp == "SP1":
            per_kommune = {k: c["nevner"] for k, c in got["fordeling"]["kommune"].items()}
            assert per_kommune == manifest["expected_nevner_by_kommune"]["SP1"]


async def test_a_small_year_loads_without_rejections_and_gives_the_manifests_figures(bos, token, tmp_path):
    manifest = generate(0.05, 1, tmp_path)["bosetting"]  # a seed whose corrections move SP1 and a kommune
    tok = token("imdi:bosetting.write", "imdi:bosetting.read")

    result = (await load(tmp_path, {"bosetting": bos}, tok))["bosetting"]

    assert result["saker"]["avvist"] == 0, result["saker"]["feil"]
    assert result["saker"]["opprettet"] == manifest["rows"]
    assert result["korreksjoner"]["avvist"] == 0, result["korreksjoner"]["feil"]
    assert result["korreksjoner"]["endret"] == manifest["corrections"] > 0
    assert result["anmodninger"] == result["kommunevedtak"] == 426
    await assert_manifest_figures(bos, tok, manifest)
    uncorrected_hits, uncorrected_kommuner = first_file_figures(tmp_path)
    assert uncorrected_hits != manifest["expected"]["SP1"]["teller"]
    assert uncorrected_kommuner != Counter(manifest["expected_nevner_by_kommune"]["SP1"])
    land = (await bos.get("/api/v1/anmodninger/2017/avvik?niva=land", headers=bearer(tok))).json()["rader"][0]
    places = manifest["places"]
    assert (land["anmodet"], land["anmodet_em"], land["vedtatt"], land["vedtatt_em"]) == (
        places["anmodet"], places["anmodet_em"], places["vedtatt"], places["vedtatt_em"])


async def test_importing_the_files_again_counts_nothing_twice(bos, token, tmp_path):
    manifest = generate(0.05, 2, tmp_path)["bosetting"]
    tok = token("imdi:bosetting.write", "imdi:bosetting.read")
    headers, progress = bearer(tok), Progress(disable=True)
    files = [tmp_path / manifest["files"][name] for name in ("saker", "korreksjoner")]
    for path in files:
        await import_file(bos, path, headers, progress)

    again = [await import_file(bos, path, headers, progress) for path in files]

    assert [r["avvist"] for r in again] == [0, 0] and again[0]["opprettet"] == 0
    # The first file brings corrected cases back to their first settlement; the second corrects them again.
    assert again[0]["endret"] == again[1]["endret"] == manifest["corrections"]
    await assert_manifest_figures(bos, tok, manifest)


til = test_tilskudd.til  # the fixture: tilskudd in this process without a broker


async def spend(til, tok: str) -> dict[str, tuple[int, int]]:
    """tilskudd's (committed, disbursed) in øre per post and binding at 31.12.2017."""
    got = (await til.get("/api/v1/forbruk/2017?per_dato=2017-12-31", headers=bearer(tok))).json()
    return {line["id"]: (int(Decimal(line["forpliktet"]) * 100), int(Decimal(line["utbetalt"]) * 100))
            for line in got["linjer"]}


async def refused(til) -> int:
    async with til.app.state.db.sessions() as s:
        return (await s.execute(select(func.count()).where(soknad.c.status == "avslatt"))).scalar_one()


async def test_a_small_year_of_grants_loads_without_rejections_and_gives_the_manifests_figures(til, token, tmp_path):
    manifest = generate(0.05, 3, tmp_path)["tilskudd"]
    tok = token("imdi:tilskudd.write")
    expected = {line: (f["forpliktet_ore"], f["utbetalt_ore"]) for line, f in manifest["expected"].items()}

    result = (await load(tmp_path, {"tilskudd": til}, tok))["tilskudd"]

    imports = ("tilsagn", "utbetalinger", "tilsagn_korreksjoner", "utbetalinger_korreksjoner")
    for name in imports:
        assert result[name]["avvist"] == 0, result[name]["feil"]
        assert result[name]["opprettet"] == manifest["rows"][name] > 0
    assert result["ordninger"] == 18 and result["annulleringer"] == manifest["rows"]["annulleringer"] > 0
    assert result["avslag"] == manifest["avslag"] == await refused(til)
    figures = await spend(til, tok)
    assert {line: f for line, f in figures.items() if f != (0, 0)} == expected

    again = (await load(tmp_path, {"tilskudd": til}, tok))["tilskudd"]  # a load run again changes nothing

    assert [again[name]["uendret"] for name in imports] == [manifest["rows"][name] for name in imports]
    assert (again["ordninger"], again["avslag"], await refused(til)) == (0, 0, manifest["avslag"])
    assert await spend(til, tok) == figures
