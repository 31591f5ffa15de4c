"""The bulk write side of the outbox writes the same CloudEvents envelope as the unit of work's publish."""

from __future__ import annotations

import json
from datetime import date

import pytest

from shared.dates import event_time
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


def test_every_event_is_strictly_later_than_the_one_before():
    """Consumers order an aggregate's events by (time, id): a case created and settled in one import row writes
    sak-registrert and person-bosatt in one call, and a shared time would leave their order to the random ids
    (half the settlements counted as older than their registration kept their queue entry open)."""
    registered = ev.SakRegistrertV1(**SETTLED.model_dump(include=set(ev.SakRegistrertV1.model_fields)))
    rows = event_rows("bosetting", [registered, SETTLED] * 500)
    times = [row["occurred_at"] for row in rows]
    assert all(a < b for a, b in zip(times, times[1:], strict=False))
    assert [Envelope.model_validate_json(r["envelope"]).time for r in rows] == times
    uow = UnitOfWork(db=None, source_service="bosetting")  # type: ignore[arg-type]
    published = [uow.publish(SETTLED).time for _ in range(1000)]
    assert all(a < b for a, b in zip(published, published[1:], strict=False))
    assert published[0] > times[-1]


def test_the_event_clock_never_repeats_itself():
    """Many calls fall in one microsecond of the wall clock; the event clock still moves on each time."""
    times = [event_time() for _ in range(100_000)]
    assert len(set(times)) == len(times) and times == sorted(times)
