"""The bulk write side of the outbox writes the same CloudEvents envelope as the unit of work's publish."""

from __future__ import annotations

import json
from datetime import date

import pytest

from shared.db import UnitOfWork
from shared.events import schemas as ev
from shared.events.envelope import Envelope
from shared.outbox import event_rows

SETTLED = ev.PersonBosattV1(person_ref="p-" + "a" * 32, kjonn="K", fodselsar=1990, kategori="asyl",
                            enslig_mindrearig=False, vedtaksdato=date(2017, 1, 10), bosettingsdato=date(2017, 3, 1),
                            kommunenummer="0301")


def test_event_rows_are_the_envelopes_publish_writes():
    uow = UnitOfWork(db=None, source_service="bosetting")  # type: ignore[arg-type]
    published = uow.publish(SETTLED)
    [row] = event_rows("bosetting", [SETTLED])
    ours = Envelope.model_validate_json(row["envelope"])
    assert ours.model_dump(exclude={"id", "time"}) == published.model_dump(exclude={"id", "time"})
    theirs = json.loads(published.to_json())
    assert list(json.loads(row["envelope"])) == list(theirs)  # same attributes, same order
    assert (row["event_id"], row["occurred_at"]) == (ours.id, ours.time)
    assert (row["topic"], row["key"], row["event_type"]) == ("imdi.bosetting.v1", SETTLED.person_ref,
                                                             "no.imdi.bosetting.person-bosatt.v1")


def test_event_rows_refuse_another_services_event():
    with pytest.raises(ValueError):
        event_rows("kvalifisering", [SETTLED])
