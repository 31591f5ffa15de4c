"""The facts tolkeregister's events make, kept in the generic fact store (see :mod:`rapportering.facts.base`).

* SP10: an interpreter's entry in the register (the newest event per interpreter reference stands).
* SP11: a unit's guidelines for a year: a state agency on tolkeregister's list, or a municipality that answered
  kvalifisering's survey (the same survey event SP7 reads); the newest answer per unit and year stands.
"""

from __future__ import annotations

from stdnum.no import orgnr

from rapportering.facts.base import FactType
from shared.consumer import Received, Rejected
from shared.events import kvalifisering as kv_ev
from shared.events import tolkeregister as ev
from shared.geo import kommuner_2017
from shared.tolkeregister_measures import TOLKEREGISTER_MEASURES, InterpreterGuidelines, RegisteredInterpreter

BY_ID = {m.id: m for m in TOLKEREGISTER_MEASURES}


def _entry(item: Received) -> tuple[str, RegisteredInterpreter]:
    data: ev.TolkOppfortV1 = item.data  # type: ignore[assignment]
    if data.avregistrert_dato is not None and data.avregistrert_dato < data.oppfort_dato:
        raise Rejected("removed before it was entered")
    return data.tolk_ref, RegisteredInterpreter(hoyeste_kategori=data.hoyeste_kategori, tre_hoyeste=data.tre_hoyeste,
                                                oppfort=data.oppfort_dato, avregistrert=data.avregistrert_dato)


def _unit(item: Received) -> tuple[str, str, int, bool]:
    data = item.data
    if item.envelope.type == ev.ETAT_TOLKERETNINGSLINJER_V1.type:
        if not orgnr.is_valid(data.etat):
            raise Rejected("organisation number is not valid")
        return "etat", data.etat, data.ar, data.tolkeretningslinjer_med_register
    if data.kommunenummer not in kommuner_2017():
        raise Rejected("kommunenummer is not in the 2017 division")
    return "kommune", data.kommunenummer, data.ar, data.tolkeretningslinjer_med_register


def _guidelines(item: Received) -> tuple[str, InterpreterGuidelines]:
    kind, unit, year, has = _unit(item)
    return f"{kind}:{unit}:{year}", InterpreterGuidelines(enhetstype=kind, enhet=unit, ar=year,
                                                          retningslinjer_med_register=has)


REGISTER_ENTRY = FactType(name="tolk_oppfort", reads=(ev.TOLK_OPPFORT_V1.type,), fact_class=RegisteredInterpreter,
                          subject=lambda item: item.data.tolk_ref, build=_entry, measures=(BY_ID["SP10"],))
GUIDELINES = FactType(name="tolkeretningslinjer",
                      reads=(kv_ev.KOMMUNEUNDERSOKELSE_V1.type, ev.ETAT_TOLKERETNINGSLINJER_V1.type),
                      fact_class=InterpreterGuidelines, subject=lambda item: _guidelines(item)[0], build=_guidelines,
                      measures=(BY_ID["SP11"],))

FACT_TYPES: tuple[FactType, ...] = (REGISTER_ENTRY, GUIDELINES)
