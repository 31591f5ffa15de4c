"""Prometheus metrics, labelled by service (several apps may share one process in tests)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("imdi_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram("imdi_http_request_seconds", "HTTP request duration", ["service", "route"])
EVENTS_PUBLISHED = Counter("imdi_events_published_total", "Events relayed from the outbox", ["service", "topic"])
OUTBOX_REPUBLISHED = Counter("imdi_outbox_republished_total", "Outbox events marked for republishing after "
                             "a broker reset", ["service", "topic"])
OUTBOX_PENDING = Gauge("imdi_outbox_pending", "Outbox events not yet published (last relay look)", ["service"])
EVENTS_CONSUMED = Counter("imdi_events_consumed_total", "Events applied by a consumer", ["service", "type"])
EVENTS_DUPLICATE = Counter("imdi_events_duplicate_total", "Events skipped as already processed", ["service"])
EVENTS_DEAD_LETTERED = Counter("imdi_events_dead_lettered_total", "Events sent to the dead-letter topic",
                               ["service"])
CONSUMER_BATCH_SECONDS = Histogram("imdi_consumer_batch_seconds", "Time to apply one fetched batch", ["service"])
