"""An SP's value is served from a cache while the read model is unchanged, with a strong ETag and 304 for
If-None-Match; once the consumer applies new events, the next read has the new figure and a new ETag. Real
database (SQLite and PostgreSQL); records are fed to the consumer as Kafka would hand them."""

from __future__ import annotations

from rapportering.config import Settings
from rapportering.projection import MeasureProjection
from shared.consumer import IdempotentConsumer
from shared.status import BrokerStatus
from tests.conftest import bearer, running_app, service_settings
from tests.integration.test_pipeline import bosatt_envelope
from tests.integration.test_replay_order import records

SP1 = "/api/v1/styringsparametere/SP1/verdi"


async def test_value_is_cached_until_events_are_applied(db_url_factory, keys, token, tmp_path):
    url = await db_url_factory("rapportering")
    settings = service_settings("rapportering", db_url=url, bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path,
                                kafka_enabled=False)
    async with running_app("rapportering", settings) as rap:
        consumer = IdempotentConsumer(rap.app.state.db, Settings(environment="test", database_url=url,
                                                                 kafka_enabled=False),
                                      MeasureProjection(), BrokerStatus(["consumer"]))
        headers = bearer(token("imdi:rapport.intern"))
        first, second = (bosatt_envelope(d, vedtaksdato="2017-01-10", bosettingsdato="2017-03-02") for d in "ab")
        await consumer.process(records([("a", first)]))

        before = await rap.get(SP1, params={"periode": "2017"}, headers=headers)
        assert before.status_code == 200 and before.json()["nevner"] == 1
        etag = before.headers["etag"]
        unchanged = await rap.get(SP1, params={"periode": "2017"}, headers={**headers, "If-None-Match": etag})
        assert unchanged.status_code == 304 and unchanged.headers["etag"] == etag and not unchanged.content
        other_period = await rap.get(SP1, params={"periode": "2016"}, headers=headers)
        assert other_period.json()["status"] == "ingen_data", "the period is part of the cache key"

        await consumer.process(records([("b", second)]))
        after = await rap.get(SP1, params={"periode": "2017"}, headers={**headers, "If-None-Match": etag})
        assert after.status_code == 200 and after.json()["nevner"] == 2
        assert after.headers["etag"] != etag
