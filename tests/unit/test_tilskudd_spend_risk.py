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
