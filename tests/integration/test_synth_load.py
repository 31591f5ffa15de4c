"""A generated year loads through bosetting's public API with no row rejected, and bosetting then counts the
SP1–SP3 the generator's manifest expects."""

from __future__ import annotations

from synth import generate
from synth.load import load
from tests.conftest import bearer


async def test_a_small_year_loads_without_rejections_and_gives_the_manifests_figures(bos, token, tmp_path):
    manifest = generate(0.02, 2017, tmp_path)["bosetting"]
    tok = token("imdi:bosetting.write", "imdi:bosetting.read")

    result = (await load(tmp_path, {"bosetting": bos}, tok))["bosetting"]

    assert result["saker"]["avvist"] == 0, result["saker"]["feil"]
    assert result["saker"]["opprettet"] == manifest["rows"]
    assert result["korreksjoner"]["avvist"] == 0, result["korreksjoner"]["feil"]
    assert result["korreksjoner"]["endret"] == manifest["corrections"] > 0
    assert result["anmodninger"] == result["kommunevedtak"] == 426
    for sp, expected in manifest["expected"].items():
        got = (await bos.get(f"/api/v1/styringsparametere/{sp}/verdi?periode=2017", headers=bearer(tok))).json()
        assert (got["teller"], got["nevner"]) == (expected["teller"], expected["nevner"]), sp
    land = (await bos.get("/api/v1/anmodninger/2017/avvik?niva=land", headers=bearer(tok))).json()["rader"][0]
    places = manifest["places"]
    assert (land["anmodet"], land["anmodet_em"], land["vedtatt"], land["vedtatt_em"]) == (
        places["anmodet"], places["anmodet_em"], places["vedtatt"], places["vedtatt_em"])


async def test_loading_the_same_year_twice_changes_nothing(bos, token, tmp_path):
    manifest = generate(0.01, 5, tmp_path)["bosetting"]
    tok = token("imdi:bosetting.write")
    await load(tmp_path, {"bosetting": bos}, tok)

    again = (await load(tmp_path, {"bosetting": bos}, tok))["bosetting"]

    assert again["saker"]["avvist"] == 0
    assert again["saker"]["opprettet"] == 0
    # The first file brings corrected cases back to their first settlement; the second corrects them again.
    assert again["saker"]["endret"] == again["korreksjoner"]["endret"] == manifest["corrections"]
