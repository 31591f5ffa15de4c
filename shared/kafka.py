"""Kafka clients configured for what works on both the embedded Tansu broker and Apache Kafka.

No idempotent or transactional producer (Tansu rejects them); ``acks="all"``; manual commits only.
Every client gets the connection's security settings from :func:`connection`: plaintext on the embedded
broker (loopback only), SASL/SCRAM over TLS in production.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

from shared.settings import ServiceSettings

log = logging.getLogger(__name__)


def connection(settings: ServiceSettings) -> dict:
    """Bootstrap servers and security (TLS, SASL) for any aiokafka client."""
    options: dict = {"bootstrap_servers": settings.kafka_bootstrap,
                     "security_protocol": settings.kafka_security_protocol}
    if settings.kafka_security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context(cafile=settings.kafka_ssl_cafile)
    if settings.kafka_security_protocol.startswith("SASL"):
        password = settings.kafka_sasl_password
        options.update(sasl_mechanism=settings.kafka_sasl_mechanism, sasl_plain_username=settings.kafka_sasl_username,
                       sasl_plain_password=password.get_secret_value() if password else None)
    return options


def producer(settings: ServiceSettings) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        **connection(settings),
        client_id=f"imdi-{settings.service_name}",
        acks="all",
        enable_idempotence=False,
        linger_ms=5,
        max_batch_size=256 * 1024,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        retry_backoff_ms=200,
    )


def group_consumer(settings: ServiceSettings, topics: list[str]) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        *topics,
        **connection(settings),
        client_id=f"imdi-{settings.service_name}",
        group_id=settings.consumer_group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        max_partition_fetch_bytes=4 * 1024 * 1024,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        retry_backoff_ms=200,
    )


async def ensure_topics(settings: ServiceSettings, topics: list[str]) -> list[str]:
    """Create ``topics`` with the configured partition count; return those that had to be created."""
    admin = AIOKafkaAdminClient(**connection(settings), request_timeout_ms=settings.kafka_request_timeout_ms)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [NewTopic(t, num_partitions=settings.kafka_partitions, replication_factor=1) for t in missing]
                )
            except TopicAlreadyExistsError:
                pass
            log.info("topics created", extra={"topics": missing})
        return missing
    finally:
        await admin.close()


async def close_quietly(client, timeout: float = 5.0) -> None:
    """Stop a client that may be broken; without a broker, aiokafka's stop() can wait a long time."""
    if client is None:
        return
    try:
        await asyncio.wait_for(client.stop(), timeout)
    except Exception:  # noqa: BLE001 - it is being thrown away
        log.debug("client did not stop cleanly", exc_info=True)


def marker_topic(settings: ServiceSettings, component: str) -> str:
    return f"imdi._marker.{settings.service_name}.{component}"


async def claim_marker(settings: ServiceSettings, component: str) -> bool:
    """True if this broker had not seen ``component`` before: it is new, or it restarted and lost everything.

    Each relay and consumer keeps a marker topic of its own. Tansu with memory storage loses every topic on a
    restart, Apache Kafka keeps them. (Offsets cannot tell: Tansu 0.6's ListOffsets(latest) answers the base
    offset of the last batch plus one, not the high watermark, so end offsets undercount.)
    """
    name = marker_topic(settings, component)
    admin = AIOKafkaAdminClient(**connection(settings), request_timeout_ms=settings.kafka_request_timeout_ms)
    await admin.start()
    try:
        if name in set(await admin.list_topics()):
            return False
        try:
            await admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)])
        except TopicAlreadyExistsError:
            pass
        return True
    finally:
        await admin.close()
