"""kvalifisering's consumer: bosetting's ``person-bosatt`` opens the right and duty to training in the
settlement kommune (the rule and its source are in ``rules``). The idempotent consumer (``shared.consumer``)
applies a batch in one transaction with its tracking rows; the events this publishes go to the outbox in the
same transaction, so a redelivered settlement changes nothing and publishes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kvalifisering import service
from shared.consumer import Received, Rejected
from shared.db import UnitOfWork
from shared.events import schemas as ev
from shared.events.registry import topic_for
from shared.geo import kommuner_2017


class SettlementProjection:
    topics = (topic_for("bosetting"),)
    handles = frozenset({ev.PERSON_BOSATT_V1.type})

    async def apply(self, session: AsyncSession, events: Sequence[Received]) -> None:
        uow = UnitOfWork(None, "kvalifisering")  # type: ignore[arg-type] - the consumer owns the transaction
        uow.session = session
        newest: dict[str, Received] = {}
        for item in events:  # a batch may hold a settlement and its correction: the newest stands
            current = newest.get(item.data.person_ref)
            if current is None or (item.envelope.time, item.envelope.id) >= (current.envelope.time,
                                                                               current.envelope.id):
                newest[item.data.person_ref] = item
        for item in newest.values():
            if item.data.kommunenummer not in kommuner_2017():
                raise Rejected("kommunenummer is not in the 2017 division")
            await service.open_on_settlement(uow, item.data)
            await session.flush()
        await uow._write_outbox()  # same transaction as the tracking rows (UnitOfWork's own writer)
