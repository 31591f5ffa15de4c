"""Webhooks for JD's systems: subscriptions, signed delivery of ``rapport-sendt``, retries, a delivery log.

* A subscriber (a token with ``imdi:rapport.read``, typically JD's system) registers a URL and a shared secret
  (``POST /api/v1/abonnementer``), optionally limited to some report types. The secret is stored because
  signing needs it; it is never returned, logged or put in an error message. A subscriber sees and manages
  only its own subscriptions (by token subject).
* When a report is sent, the ``rapport-sendt`` CloudEvent is queued for every matching subscription in the
  same transaction as the step (:func:`enqueue`): nothing is sent for a step that did not commit, and a queued
  delivery survives a restart. Only ``rapport-sendt`` is ever delivered.
* The dispatcher (a background task) POSTs the CloudEvent in structured JSON mode
  (``application/cloudevents+json``) with ``X-Imdi-Signatur: sha256=<hex>``, the HMAC-SHA256 of the exact
  body bytes under the shared secret, and ``X-Imdi-Levering`` (the delivery id). A 2xx answer is delivered;
  anything else (an error status, a refused connection, a timeout) is retried with exponential back-off
  (``base · 2^(attempt-1)``, capped) until ``webhook_max_attempts``, then the delivery is ``feilet``. The
  subscriber reads the log and can ask for any delivery again (``…/send-igjen``). Delivery is at least
  once: a receiver deduplicates by the CloudEvent ``id``.
* SSRF: only ``http``/``https`` URLs without credentials; redirects are not followed. In production a URL
  whose host resolves to a loopback, private, link-local or otherwise non-public address is refused, at
  registration and again at each delivery (DNS may change), unless ``IMDI_WEBHOOK_ALLOW_PRIVATE=true``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapportering.models import metadata
from shared import errors
from shared.db import Database
from shared.events.envelope import Envelope
from shared.types import UtcDateTime

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Imdi-Signatur"
DELIVERY_HEADER = "X-Imdi-Levering"
CONTENT_TYPE = "application/cloudevents+json"

subscription = Table(
    "webhook_subscription",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("eier", String(200), nullable=False),
    Column("url", Text, nullable=False),
    Column("hemmelighet", Text, nullable=False),
    Column("rapporttyper", String(80), nullable=False),  # comma-separated; empty: every type
    Column("opprettet", UtcDateTime, nullable=False),
    Column("aktiv", Boolean, nullable=False),
    Index("ix_webhook_subscription_eier", "eier"),
)

delivery = Table(
    "webhook_delivery",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("abonnement_id", String(36), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("rapporttype", String(20), nullable=False),
    Column("innhold", Text, nullable=False),
    Column("status", String(12), nullable=False),
    Column("forsok", Integer, nullable=False),
    Column("neste_forsok", UtcDateTime, nullable=False),
    Column("siste_svar", Integer, nullable=True),
    Column("siste_feil", String(80), nullable=True),
    Column("levert", UtcDateTime, nullable=True),
    Column("opprettet", UtcDateTime, nullable=False),
    UniqueConstraint("abonnement_id", "event_id", name="uq_webhook_delivery_event"),
    Index("ix_webhook_delivery_due", "status", "neste_forsok"),
)

VENTER, LEVERT, FEILET = "venter", "levert", "feilet"


# --- pure rules ------------------------------------------------------------------------------------------
def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempt: int, base: float, cap: float) -> float:
    """Seconds to wait after the ``attempt``-th failed attempt (1, 2, …)."""
    return min(cap, base * 2 ** (attempt - 1))


def public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def check_form(url: str) -> tuple[str, int]:
    """An http(s) URL with a host and no credentials. Returns (host, port)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise errors.Invalid.field("url", "Adressen må være en http- eller https-URL med vertsnavn.")
    if parts.username or parts.password:
        raise errors.Invalid.field("url", "Adressen kan ikke inneholde brukernavn eller passord.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise errors.Invalid.field("url", "Ugyldig port.") from exc
    return parts.hostname, port


async def check_url(url: str, *, restrict: bool, resolver: Resolver = resolve) -> None:
    """Refuse what a webhook must not reach. ``restrict`` (production without the opt-out): every address
    the host resolves to must be public."""
    host, port = check_form(url)
    if not restrict:
        return
    try:
        addresses = await resolver(host, port)
    except OSError as exc:
        raise errors.Invalid.field("url", "Vertsnavnet kan ikke slås opp.") from exc
    if not addresses or not all(public_address(a) for a in addresses):
        raise errors.Invalid.field("url", "Adressen peker til et lokalt eller privat nett; det er ikke tillatt.")


# --- subscriptions ---------------------------------------------------------------------------------------
def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "url": row["url"], "rapporttyper": [t for t in row["rapporttyper"].split(",") if t],
            "opprettet": row["opprettet"].isoformat(), "aktiv": row["aktiv"]}


async def subscribe(*, db: Database, owner: str, url: str, secret: str, report_types: list[str],
                    restrict: bool, resolver: Resolver = resolve) -> dict[str, Any]:
    await check_url(url, restrict=restrict, resolver=resolver)
    row = {"id": str(uuid.uuid4()), "eier": owner, "url": url, "hemmelighet": secret,
           "rapporttyper": ",".join(sorted(set(report_types))), "opprettet": datetime.now(UTC), "aktiv": True}
    async with db.sessions() as session, session.begin():
        await session.execute(subscription.insert().values(**row))
    log.info("webhook subscription created", extra={"abonnement": row["id"]})
    return _shown(row)


async def _own(session: AsyncSession, owner: str, subscription_id: str) -> dict[str, Any]:
    row = (await session.execute(select(subscription).where(
        subscription.c.id == subscription_id, subscription.c.eier == owner, subscription.c.aktiv))).mappings().first()
    if row is None:
        raise errors.NotFound("Abonnementet finnes ikke.")
    return dict(row)


async def subscriptions(*, session: AsyncSession, owner: str) -> list[dict[str, Any]]:
    rows = await session.execute(select(subscription).where(subscription.c.eier == owner, subscription.c.aktiv)
                                 .order_by(subscription.c.opprettet))
    return [_shown(dict(r)) for r in rows.mappings()]


async def unsubscribe(*, db: Database, owner: str, subscription_id: str) -> None:
    async with db.sessions() as session, session.begin():
        await _own(session, owner, subscription_id)
        await session.execute(update(subscription).where(subscription.c.id == subscription_id).values(aktiv=False))
        await session.execute(update(delivery).where(delivery.c.abonnement_id == subscription_id,
                                                     delivery.c.status == VENTER).values(status=FEILET,
                                                                                        siste_feil="avmeldt"))


def _logged(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "hendelse": row["event_id"], "type": row["event_type"], "rapporttype": row["rapporttype"],
            "status": row["status"], "forsok": row["forsok"], "siste_svar": row["siste_svar"],
            "siste_feil": row["siste_feil"], "opprettet": row["opprettet"].isoformat(),
            "neste_forsok": row["neste_forsok"].isoformat() if row["status"] == VENTER else None,
            "levert": row["levert"].isoformat() if row["levert"] else None}


async def deliveries(*, session: AsyncSession, owner: str, subscription_id: str) -> list[dict[str, Any]]:
    await _own(session, owner, subscription_id)
    rows = await session.execute(select(delivery).where(delivery.c.abonnement_id == subscription_id)
                                 .order_by(delivery.c.opprettet, delivery.c.id))
    return [_logged(dict(r)) for r in rows.mappings()]


async def redeliver(*, db: Database, owner: str, subscription_id: str, delivery_id: str) -> dict[str, Any]:
    """Queue a logged delivery again, now, with a fresh count of attempts (replay)."""
    async with db.sessions() as session, session.begin():
        await _own(session, owner, subscription_id)
        row = (await session.execute(select(delivery).where(
            delivery.c.id == delivery_id, delivery.c.abonnement_id == subscription_id))).mappings().first()
        if row is None:
            raise errors.NotFound("Leveransen finnes ikke.")
        values = {"status": VENTER, "forsok": 0, "neste_forsok": datetime.now(UTC), "siste_feil": None}
        await session.execute(update(delivery).where(delivery.c.id == delivery_id).values(**values))
    return _logged({**dict(row), **values})


# --- queue and dispatch ----------------------------------------------------------------------------------
async def enqueue(session: AsyncSession, envelope: Envelope, report_type: str) -> int:
    """Queue ``envelope`` for every active subscription that wants ``report_type`` (in the caller's transaction)."""
    rows = (await session.execute(select(subscription.c.id, subscription.c.rapporttyper)
                                  .where(subscription.c.aktiv))).all()
    now = datetime.now(UTC)
    body = envelope.to_json()
    queued = [{"id": str(uuid.uuid4()), "abonnement_id": sid, "event_id": envelope.id, "event_type": envelope.type,
               "rapporttype": report_type, "innhold": body, "status": VENTER, "forsok": 0, "neste_forsok": now,
               "opprettet": now} for sid, types in rows if not types or report_type in types.split(",")]
    if queued:
        await session.execute(delivery.insert(), queued)
    return len(queued)


async def _attempt(client: httpx.AsyncClient, target: dict[str, Any], row: dict[str, Any], restrict: bool,
                   resolver: Resolver) -> tuple[int | None, str | None]:
    """(HTTP status, error class) of one attempt; never raises for the receiver's faults."""
    body = row["innhold"].encode()
    headers = {"Content-Type": CONTENT_TYPE, SIGNATURE_HEADER: signature(target["hemmelighet"], body),
               DELIVERY_HEADER: row["id"]}
    try:
        await check_url(target["url"], restrict=restrict, resolver=resolver)
        response = await client.post(target["url"], content=body, headers=headers)
    except errors.Invalid:
        return None, "adresse_ikke_tillatt"
    except httpx.HTTPError as exc:
        return None, type(exc).__name__[:80]
    return response.status_code, None


async def deliver_due(db: Database, client: httpx.AsyncClient, *, restrict: bool, base: float, cap: float,
                      max_attempts: int, batch: int = 50, resolver: Resolver = resolve) -> int:
    """Attempt every delivery that is due; returns how many were delivered. One dispatcher per database is
    assumed; should two run, a receiver may get an event twice (it deduplicates by CloudEvent id)."""
    now = datetime.now(UTC)
    async with db.sessions() as session:
        due = (await session.execute(
            select(delivery, subscription.c.url, subscription.c.hemmelighet)
            .join(subscription, subscription.c.id == delivery.c.abonnement_id)
            .where(delivery.c.status == VENTER, delivery.c.neste_forsok <= now, subscription.c.aktiv)
            .order_by(delivery.c.neste_forsok, delivery.c.opprettet).limit(batch))).mappings().all()
    delivered = 0
    for row in due:
        status, failure = await _attempt(client, row, row, restrict, resolver)
        attempts = row["forsok"] + 1
        ok = status is not None and 200 <= status < 300
        values: dict[str, Any] = {"forsok": attempts, "siste_svar": status,
                                  "siste_feil": failure or (None if ok else f"http_{status}")}
        if ok:
            values.update(status=LEVERT, levert=datetime.now(UTC))
            delivered += 1
        elif attempts >= max_attempts:
            values.update(status=FEILET)
        else:
            values.update(neste_forsok=datetime.now(UTC) + timedelta(seconds=backoff(attempts, base, cap)))
        async with db.sessions() as session, session.begin():
            await session.execute(update(delivery).where(delivery.c.id == row["id"]).values(**values))
        log.info("webhook attempt", extra={"leveranse": row["id"], "abonnement": row["abonnement_id"],
                                          "svar": status, "feil": values["siste_feil"], "forsok": attempts})
    return delivered
