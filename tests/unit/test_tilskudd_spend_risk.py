"""rapportering's spend risk per post: the year's forecast against the frame, at IMDi's own tolerance."""

from __future__ import annotations

from rapportering import budget


def test_within_the_tolerance_is_green_beyond_it_yellow_then_red():
    frame = 100_000_000
    assert budget.risk(frame, frame)["status"] == "gronn"
    assert budget.risk(frame + frame * 5 // 100, frame)["status"] == "gronn"  # exactly 5 % over
    assert budget.risk(frame + frame * 5 // 100 + 1, frame)["status"] == "gul"  # one øre beyond
    yellow = budget.risk(frame * 106 // 100, frame)
    assert (yellow["status"], yellow["retning"]) == ("gul", "over") and "overforbruk" in yellow["begrunnelse"]
    red = budget.risk(frame * 80 // 100, frame)
    assert (red["status"], red["retning"]) == ("rod", "under") and "(20,0 %)" in red["begrunnelse"]
    assert budget.risk(0, None)["status"] == "ingen_data"
    assert "IMDis egen innstilling" in budget.TOLERANCE_SOURCE


def test_kroner_text_is_exact():
    assert budget.kroner(-5) == "-0.05" and budget.kroner(400_000_000) == "4000000.00"
    assert budget.kroner(None) is None


def test_the_dashboards_budget_table_shows_the_figures_per_post_and_binding(monkeypatch):
    import asyncio
    from datetime import date

    from rapportering.dashboard.views import templates
    from rapportering.steering import load

    row = {"event_id": "e", "event_time": None, "ar": 2017, "kapittel": 496, "post": "62", "binding": "gronland-oslo",
           "per_dato": date(2017, 6, 30), "ramme_ore": 400_000_000, "utbetalt_ore": 123_456_789,
           "forpliktet_ore": 400_000_000, "prognose_rest_ore": 276_543_211, "prognose_ar_ore": 400_000_000,
           "saerskilt_kriterium": 0}

    async def figures_as_of(session, year, as_of):
        return {(496, "62", "gronland-oslo"): row, (496, "62", None): {**row, "binding": None, "ramme_ore": None}}

    monkeypatch.setattr(budget, "figures_as_of", figures_as_of)
    section = asyncio.run(budget.section(None, load(2017), date(2017, 6, 30)))
    source = templates.env.loader.get_source(templates.env, "oversikt.html")[0]
    start = source.index('<section aria-labelledby="budsjett">')
    html = templates.env.from_string('{% from "macros.html" import risk %}' + source[
        start:source.index("</section>", start) + 10]).render(budget=section)
    start62 = html.index('<th scope="row">62</th>')
    post62 = html[start62:html.index("</tr>", start62)]
    binding = html[html.index("– gronland-oslo"):]
    binding = binding[:binding.index("</tr>")]
    assert "1\u00a0234\u00a0567" in post62 and "Rød" in post62 and "1\u00a0234\u00a0567" in binding
    assert "leverer ikke" not in html
