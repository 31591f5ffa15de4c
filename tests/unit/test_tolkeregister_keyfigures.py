"""R10/R11's counts from plain rows: tests and passes by language, languages, authorisations, ID cards,
complaints by type, outcome and consequence."""

from __future__ import annotations

from tolkeregister.keyfigures import Rows, count, event


def test_counts_by_language_and_the_number_of_languages():
    c = count(Rows(tests=[("ti", 10, 6), ("ti", 4, 3), ("so", 5, 0), ("ar", 0, 0)],
                   authorisations=[("ti", 2), ("pl", 1), ("ar", 0)]))
    assert (c[("tester", "alle", "alle")], c[("tester_bestatt", "alle", "alle")]) == (19, 9)
    assert (c[("tester", "sprak", "ti")], c[("tester_bestatt", "sprak", "ti")]) == (14, 9)
    assert c[("tester_sprak", "alle", "alle")] == 2  # a sitting with nobody tested names no language
    assert (c[("autorisasjoner", "alle", "alle")], c[("autorisasjoner_sprak", "alle", "alle")]) == (3, 2)


def test_cards_and_complaints():
    c = count(Rows(cards_issued=7, cards_revoked=1, complaints_received=["kvalitet", "kvalitet", "taushetsplikt"],
                   complaints_decided=[("medhold", "suspensjon"), ("ikke_medhold", "ingen")]))
    assert (c[("id_kort_utstedt", "alle", "alle")], c[("id_kort_tilbakekalt", "alle", "alle")]) == (7, 1)
    assert c[("klager", "alle", "alle")] == 3 and c[("klager", "klagetype", "kvalitet")] == 2
    assert c[("klager_avgjort", "utfall", "medhold")] == 1 and c[("klager_avgjort", "konsekvens", "ingen")] == 1


def test_an_empty_year_has_zero_totals():
    c = count(Rows())
    assert c[("klager", "alle", "alle")] == 0 and c[("tester", "alle", "alle")] == 0


def test_the_event_is_r10_for_the_year_and_language_counts_are_not_persons():
    e = event(2017, ("tester_sprak", "alle", "alle"), 4)
    assert (e.objekt, e.periode, e.personer, e.tekst) == ("R10", "2017", False, "Språk det er testet i")
    assert event(2017, ("klager", "klagetype", "kvalitet"), 2).personer
