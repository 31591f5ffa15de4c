"""SP10 and SP11 as tolkeregister itself counts them, from its own tables, with the shared definitions
(:mod:`shared.tolkeregister_measures`) rapportering counts the events with, so the two agree exactly.

SP11 here is the state agencies' part (``enhetstype=etat``): the municipalities' answers are kvalifisering's
survey, which rapportering reads directly; tolkeregister does not keep them.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.measure_schemas import MaalVerdi, from_cells
from shared.measures import contributions
from shared.tolkeregister_measures import TOLKEREGISTER_MEASURES, InterpreterGuidelines, RegisteredInterpreter
from tolkeregister import rules
from tolkeregister.models import EtatRetningslinjer, Tolk

BY_ID = {m.id: m for m in TOLKEREGISTER_MEASURES}


def guidelines(row: EtatRetningslinjer) -> InterpreterGuidelines:
    return InterpreterGuidelines(enhetstype="etat", enhet=row.organisasjonsnummer, ar=row.ar,
                                 retningslinjer_med_register=row.tolkeretningslinjer_med_register)


async def facts(session: AsyncSession, measure_id: str, period: str) -> list:
    if measure_id == "SP10":
        rows = await session.execute(select(Tolk.hoyeste_kategori, Tolk.tre_hoyeste, Tolk.oppfort_dato, Tolk.status,
                                            Tolk.status_dato))
        return [RegisteredInterpreter(r.hoyeste_kategori, r.tre_hoyeste, r.oppfort_dato,
                                      rules.removal_date(r.status, r.status_dato)) for r in rows]
    rows = (await session.execute(select(EtatRetningslinjer).where(
        EtatRetningslinjer.ar == int(period[:4])))).scalars()
    return [guidelines(r) for r in rows]


async def measure(*, session: AsyncSession, measure_id: str, period: str) -> MaalVerdi:
    """SP10 or SP11 (agencies) for a period, by the shared definition."""
    definition = BY_ID[measure_id]
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    # Equal facts count equally: expand each distinct fact once and weigh it by how many there are.
    for fact, times in Counter(await facts(session, measure_id, period)).items():
        for m, p, dimension, value, num, den in contributions((definition,), fact):
            if m == measure_id and p == period:
                cells[(dimension, value)][0] += num * times
                cells[(dimension, value)][1] += den * times
    return from_cells(measure_id, period, {k: (v[0], v[1]) for k, v in cells.items()})
