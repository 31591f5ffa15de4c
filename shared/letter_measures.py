"""Every steering parameter of the letter beyond SP1–SP3, written once as engine definitions: SP4–SP9.2 in
:mod:`shared.kvalifisering_measures`, SP10–SP11 in :mod:`shared.tolkeregister_measures`. Until a source
service publishes the events a definition reads, rapportering says ``ingen_data`` for it and names them.
"""

from __future__ import annotations

from shared.kvalifisering_measures import KVALIFISERING_MEASURES
from shared.measures import Measure
from shared.tolkeregister_measures import TOLKEREGISTER_MEASURES

LETTER_MEASURES: tuple[Measure, ...] = (*KVALIFISERING_MEASURES, *TOLKEREGISTER_MEASURES)
BY_ID = {m.id: m for m in LETTER_MEASURES}
