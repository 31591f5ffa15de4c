"""Grant schemes, applications, decisions (tilsagn), disbursements, repayments and cancellations: plain functions
with keyword-only arguments. Money is integer øre here; the views convert kroner text at the edge.

A post or binding is never over-committed: every write that moves money on a post first locks the post's frame
row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the transaction starts with a write, which takes the
database's single write lock, and one asyncio lock per process orders the writers), then checks and writes. So
two decisions that would together exceed a binding cannot both pass, and nothing is half-written.
"""

from __future__ import annotations

import asyncio
import uuid
import weakref
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared import errors
from shared.db import UnitOfWork
from shared.events import schemas as ev
from shared.events import tilskudd as tev
from shared.upsert import insert_new
from tilskudd import figures, frame
from tilskudd.models import ordning, ramme, soknad, tilsagn, utbetaling
from tilskudd.money import kroner

_sqlite_writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _sqlite_writer() -> asyncio.Lock:
    """One writer per event loop (an asyncio lock belongs to the loop it first waits in)."""
    return _sqlite_writers.setdefault(asyncio.get_running_loop(), asyncio.Lock())


def ramme_id(year: int, line_id: str) -> str:
    return f"{year}:{line_id}"


def line_for(year: int, kapittel: int, post: str, binding: str | None) -> frame.Line:
    try:
        lines = frame.lines(year)
    except KeyError as exc:
        raise errors.Invalid.field("ar", f"Det finnes ingen budsjettramme for {year}.") from exc
    line_id = f"{kapittel}.{post}" + (f"/{binding}" if binding else "")
    if line_id not in lines:
        field = "binding" if binding and f"{kapittel}.{post}" in lines else "post"
        raise errors.Invalid.field(field, f"Budsjettrammen for {year} har ingen linje {line_id}.")
    return lines[line_id]


async def ensure_frame(session: AsyncSession, year: int) -> None:
    """The year's frame rows, created once from the data file."""
    rows = [{"id": ramme_id(year, line.id), "ar": year, "kapittel": line.kapittel, "post": line.post,
             "binding": line.binding, "belop_ore": line.belop_ore, "forpliktet_ore": 0}
            for line in frame.lines(year).values()]
    await insert_new(session, ramme, rows, returning="id")


class Writer:
    """Serialises the writers that move money (see the module docstring). Use as ``async with Writer(uow):``."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.sqlite = uow.db.is_sqlite

    async def __aenter__(self) -> UnitOfWork:
        if self.sqlite:
            await _sqlite_writer().acquire()
        try:
            await self.uow.__aenter__()
            if self.sqlite:  # a write first: the transaction holds SQLite's write lock from its start
                await self.uow.session.execute(update(ramme).where(ramme.c.id == "").values(forpliktet_ore=0))
        except BaseException:
            if self.sqlite:
                _sqlite_writer().release()
            raise
        return self.uow

    async def __aexit__(self, *exc) -> None:
        try:
            await self.uow.__aexit__(*exc)
        finally:
            if self.sqlite:
                _sqlite_writer().release()


async def lock_post(session: AsyncSession, year: int, kapittel: int, post: str) -> dict[str, dict]:
    """Lock the post's frame row; return the post's and its bindings' rows by line id."""
    post_id = ramme_id(year, f"{kapittel}.{post}")
    query = select(ramme.c.id).where(ramme.c.id == post_id).with_for_update()
    if (await session.execute(query)).first() is None:
        await ensure_frame(session, year)  # the year's first money: its frame rows are made from the data file
        if (await session.execute(query)).first() is None:
            raise errors.Invalid.field("post", "Posten finnes ikke i budsjettrammen.")
    rows = (await session.execute(select(ramme).where(ramme.c.ar == year, ramme.c.kapittel == kapittel,
                                                      ramme.c.post == post))).mappings()
    return {r["id"]: dict(r) for r in rows}


def room(rows: dict[str, dict], year: int, kapittel: int, post: str, binding: str | None) -> tuple[str, int | None]:
    """What is left to commit on the line a decision goes against: a binding's own rest, or for a decision
    without binding the post's rest outside its bindings. None: the post has no amount for IMDi."""
    post_row = rows[ramme_id(year, f"{kapittel}.{post}")]
    if binding is not None:
        row = rows[ramme_id(year, f"{kapittel}.{post}/{binding}")]
        return row["id"].split(":", 1)[1], row["belop_ore"] - row["forpliktet_ore"]
    if post_row["belop_ore"] is None:
        return post_row["id"].split(":", 1)[1], None
    bound = [r for r in rows.values() if r["binding"] is not None]
    free = (post_row["belop_ore"] - sum(r["belop_ore"] for r in bound)) - (
        post_row["forpliktet_ore"] - sum(r["forpliktet_ore"] for r in bound))
    return post_row["id"].split(":", 1)[1] + " (utenom bindingene)", free


async def _move(session: AsyncSession, year: int, kapittel: int, post: str, binding: str | None, delta: int) -> None:
    ids = [ramme_id(year, f"{kapittel}.{post}")] + ([ramme_id(year, f"{kapittel}.{post}/{binding}")] if binding
                                                     else [])
    await session.execute(update(ramme).where(ramme.c.id.in_(ids)).values(
        forpliktet_ore=ramme.c.forpliktet_ore + delta))


# --- grant schemes and applications -----------------------------------------------------------------
async def create_scheme(*, uow: UnitOfWork, scheme_id: str, data) -> dict:
    line_for(data.ar, data.kapittel, data.post, data.binding)
    async with uow:
        if (await uow.session.execute(select(ordning.c.id).where(ordning.c.id == scheme_id))).first():
            raise errors.Conflict("Tilskuddsordningen finnes allerede.", slug="ordning-finnes")
        row = {"id": scheme_id, **data.model_dump()}
        await uow.session.execute(ordning.insert().values(**row))
    return row


async def get_scheme(*, session: AsyncSession, scheme_id: str) -> dict:
    row = (await session.execute(select(ordning).where(ordning.c.id == scheme_id))).mappings().first()
    if row is None:
        raise errors.NotFound("Tilskuddsordningen finnes ikke.")
    return dict(row)


async def list_schemes(*, session: AsyncSession, year: int | None) -> list[dict]:
    query = select(ordning).order_by(ordning.c.id)
    if year is not None:
        query = query.where(ordning.c.ar == year)
    return [dict(r) for r in (await session.execute(query)).mappings()]


def _check_recipient(scheme: dict, kommunenummer: str | None) -> None:
    kind = "kommune" if kommunenummer else "organisasjon"
    if scheme["mottakere"] not in (kind, "begge"):
        raise errors.Invalid.field("kommunenummer" if kommunenummer else "organisasjonsnummer",
                                   f"Ordningen gir ikke tilskudd til {kind}r." if kind == "kommune"
                                   else "Ordningen gir ikke tilskudd til organisasjoner.")


async def create_application(*, uow: UnitOfWork, scheme_id: str, data, amount_ore: int) -> dict:
    if amount_ore <= 0:
        raise errors.Invalid.field("belop", "Beløpet må være større enn null.")
    async with uow:
        if data.ekstern_id and (same := await application_by_source(uow.session, data.ekstern_id)):
            return same  # idempotent: the source system sent it before
        scheme = await get_scheme(session=uow.session, scheme_id=scheme_id)
        _check_recipient(scheme, data.kommunenummer)
        if (scheme["soknad_fra"] and data.mottatt < scheme["soknad_fra"]) or (
                scheme["soknad_til"] and data.mottatt > scheme["soknad_til"]):
            raise errors.Invalid.field("mottatt", "Søknaden er mottatt utenfor ordningens søknadsvindu.")
        row = {"id": str(uuid.uuid4()), "ordning_id": scheme_id, "kommunenummer": data.kommunenummer,
               "organisasjonsnummer": data.organisasjonsnummer, "belop_ore": amount_ore, "mottatt": data.mottatt,
               "status": "mottatt", "ekstern_id": data.ekstern_id}
        await uow.session.execute(soknad.insert().values(**row))
    return row


async def application_by_source(session: AsyncSession, ekstern_id: str) -> dict | None:
    row = (await session.execute(select(soknad).where(soknad.c.ekstern_id == ekstern_id))).mappings().first()
    return dict(row) if row else None


async def get_application(*, session: AsyncSession, application_id: str) -> dict:
    row = (await session.execute(select(soknad).where(soknad.c.id == application_id))).mappings().first()
    if row is None:
        raise errors.NotFound("Søknaden finnes ikke.")
    return dict(row)


async def reject_application(*, uow: UnitOfWork, application_id: str) -> dict:
    async with uow:
        app = await get_application(session=uow.session, application_id=application_id)
        if app["status"] != "mottatt":
            raise errors.Conflict("Søknaden er allerede avgjort.", slug="soknad-avgjort")
        await uow.session.execute(update(soknad).where(soknad.c.id == application_id).values(status="avslatt"))
        app["status"] = "avslatt"
    return app


# --- decisions, disbursements, cancellations ----------------------------------------------------------
async def get_decision(*, session: AsyncSession, decision_id: str, lock: bool = False) -> dict:
    query = select(tilsagn).where(tilsagn.c.id == decision_id)
    row = (await session.execute(query.with_for_update() if lock else query)).mappings().first()
    if row is None:
        raise errors.NotFound("Tilsagnet finnes ikke.")
    return dict(row)


async def list_decisions(*, session: AsyncSession, year: int, kapittel: int | None, post: str | None) -> list[dict]:
    query = select(tilsagn).where(tilsagn.c.ar == year).order_by(tilsagn.c.dato, tilsagn.c.id)
    if kapittel is not None:
        query = query.where(tilsagn.c.kapittel == kapittel)
    if post is not None:
        query = query.where(tilsagn.c.post == post)
    return [dict(r) for r in (await session.execute(query)).mappings()]


def _refuse_overcommitment(line_id: str, left: int | None, amount_ore: int) -> None:
    if left is None:
        raise errors.Invalid.field("post", f"Budsjettrammen gir ikke IMDi et beløp på {line_id}; tilsagn kan ikke "
                                   "gis før departementet har fordelt midlene.")
    if amount_ore > left:
        raise errors.Conflict(
            f"Tilsagnet på {kroner(amount_ore)} kr overstiger det som er igjen på {line_id}: {kroner(max(left, 0))} "
            "kr. Ingenting er lagret.", slug="overforpliktelse", linje=line_id.split(" ", 1)[0],
            gjenstaende=kroner(max(left, 0)), omsøkt=kroner(amount_ore))


async def create_decision(*, uow: UnitOfWork, data, amount_ore: int) -> dict:
    """Grant an application: refused with how much is left if it would over-commit the binding or post."""
    async with Writer(uow):
        session = uow.session
        if data.ekstern_id and (same := await decision_by_source(session, data.ekstern_id)):
            return same  # idempotent: the decision is there already
        app = await get_application(session=session, application_id=data.soknad_id)
        if app["status"] != "mottatt":
            raise errors.Conflict("Søknaden er allerede avgjort.", slug="soknad-avgjort")
        scheme = await get_scheme(session=session, scheme_id=app["ordning_id"])
        row = await decide(uow, scheme=scheme, application_id=app["id"], kommunenummer=app["kommunenummer"],
                           organisasjonsnummer=app["organisasjonsnummer"], amount_ore=amount_ore, data=data)
        await figures.publish(session, uow.publish, row["ar"], line_ids(row), row["dato"])
    return row


async def decision_by_source(session: AsyncSession, ekstern_id: str) -> dict | None:
    row = (await session.execute(select(tilsagn).where(tilsagn.c.ekstern_id == ekstern_id))).mappings().first()
    return dict(row) if row else None


async def decide(uow: UnitOfWork, *, scheme: dict, application_id: str | None, kommunenummer: str | None,
                 organisasjonsnummer: str | None, amount_ore: int, data) -> dict:
    """Check and record one decision inside the caller's locked transaction (see :class:`Writer`): every check
    comes before the first write, so a refused decision writes nothing. The caller publishes the figures."""
    if amount_ore <= 0:
        raise errors.Invalid.field("belop", "Beløpet må være større enn null.")
    _check_recipient(scheme, kommunenummer)
    session = uow.session
    year, kap, post, binding = scheme["ar"], scheme["kapittel"], scheme["post"], scheme["binding"]
    if data.dato.year != year:
        raise errors.Invalid.field("dato", f"Tilsagn på ordningen gis i budsjettåret {year}.")
    rows = await lock_post(session, year, kap, post)
    line_id, left = room(rows, year, kap, post, binding)
    _refuse_overcommitment(line_id, left, amount_ore)
    row = {"id": str(uuid.uuid4()), "ekstern_id": data.ekstern_id, "soknad_id": application_id,
           "ordning_id": scheme["id"], "ar": year, "kapittel": kap, "post": post, "binding": binding,
           "kommunenummer": kommunenummer, "organisasjonsnummer": organisasjonsnummer,
           "belop_ore": amount_ore, "vilkar": data.vilkar, "dato": data.dato, "periode_fra": data.periode_fra,
           "periode_til": data.periode_til, "utbetalt_ore": 0, "tilbakebetalt_ore": 0, "annullert_ore": 0,
           "annullert_dato": None}
    await session.execute(tilsagn.insert().values(**row))
    if application_id is not None:
        await session.execute(update(soknad).where(soknad.c.id == application_id).values(status="innvilget"))
    await _move(session, year, kap, post, binding, amount_ore)
    uow.publish(tev.TilsagnGittV1(
        ar=year, kapittel=kap, post=post, binding=binding, tilsagn_id=row["id"], ordning=scheme["id"],
        kommunenummer=kommunenummer, organisasjonsnummer=organisasjonsnummer, belop_ore=amount_ore, dato=data.dato,
        periode_fra=data.periode_fra, periode_til=data.periode_til))
    return row


def line_ids(row: dict) -> list[str]:
    return _line_ids(row["kapittel"], row["post"], row["binding"])


def _line_ids(kapittel: int, post: str, binding: str | None) -> list[str]:
    return [f"{kapittel}.{post}"] + ([f"{kapittel}.{post}/{binding}"] if binding else [])


def unpaid(row: dict) -> int:
    return row["belop_ore"] - row["annullert_ore"] - row["utbetalt_ore"]


async def create_payment(*, uow: UnitOfWork, decision_id: str, data, amount_ore: int) -> dict:
    """A disbursement (no more than is unpaid) or a repayment (no more than is paid); a repayment also lowers
    the commitment, so the money can be granted again."""
    async with Writer(uow):
        session = uow.session
        if data.ekstern_id and (same := await payment_by_source(session, data.ekstern_id)):
            return same
        payment, row = await pay(uow, decision_id=decision_id, data=data, amount_ore=amount_ore)
        await figures.publish(session, uow.publish, row["ar"], line_ids(row), data.dato)
    return payment


async def payment_by_source(session: AsyncSession, ekstern_id: str) -> dict | None:
    row = (await session.execute(select(utbetaling).where(utbetaling.c.ekstern_id == ekstern_id))).mappings().first()
    return dict(row) if row else None


async def pay(uow: UnitOfWork, *, decision_id: str, data, amount_ore: int) -> tuple[dict, dict]:
    """Check and record one payment inside the caller's transaction; every check before the first write.
    Returns (payment, decision as it was). The caller publishes the figures."""
    if amount_ore <= 0:
        raise errors.Invalid.field("belop", "Beløpet må være større enn null.")
    session = uow.session
    found = await get_decision(session=session, decision_id=decision_id)
    await lock_post(session, found["ar"], found["kapittel"], found["post"])
    row = await get_decision(session=session, decision_id=decision_id)
    if data.dato < row["dato"]:
        raise errors.Invalid.field("dato", "Utbetalingen kan ikke være før tilsagnet.")
    paid = row["utbetalt_ore"] - row["tilbakebetalt_ore"]
    if data.type == "utbetaling" and amount_ore > unpaid(row):
        raise errors.Invalid.field("belop", f"Beløpet er mer enn det som gjenstår av tilsagnet: "
                                   f"{kroner(unpaid(row))} kr.")
    if data.type == "tilbakebetaling" and amount_ore > paid:
        raise errors.Invalid.field("belop", f"Tilbakebetalingen er mer enn det som er utbetalt: {kroner(paid)} kr.")
    column = "utbetalt_ore" if data.type == "utbetaling" else "tilbakebetalt_ore"
    await session.execute(update(tilsagn).where(tilsagn.c.id == decision_id).values(
        {column: tilsagn.c[column] + amount_ore}))
    if data.type == "tilbakebetaling":
        await _move(session, row["ar"], row["kapittel"], row["post"], row["binding"], -amount_ore)
    payment = {"id": str(uuid.uuid4()), "ekstern_id": data.ekstern_id, "tilsagn_id": decision_id,
               "type": data.type, "belop_ore": amount_ore, "dato": data.dato}
    await session.execute(utbetaling.insert().values(**payment))
    uow.publish(tev.UtbetalingGjortV1(
        ar=row["ar"], kapittel=row["kapittel"], post=row["post"], binding=row["binding"],
        utbetaling_id=payment["id"], tilsagn_id=decision_id, type=data.type, kommunenummer=row["kommunenummer"],
        organisasjonsnummer=row["organisasjonsnummer"], belop_ore=amount_ore, dato=data.dato))
    await _milestone(session, uow, row, data.dato)
    return payment, row


async def cancel_decision(*, uow: UnitOfWork, decision_id: str, dato: date) -> dict:
    """Cancel what is unpaid of a decision: it is no longer committed."""
    async with Writer(uow):
        session = uow.session
        found = await get_decision(session=session, decision_id=decision_id)
        await lock_post(session, found["ar"], found["kapittel"], found["post"])
        row = await get_decision(session=session, decision_id=decision_id)
        if row["annullert_dato"] is not None:
            raise errors.Conflict("Tilsagnet er allerede annullert.", slug="tilsagn-annullert")
        rest = unpaid(row)
        if rest <= 0:
            raise errors.Conflict("Tilsagnet er fullt utbetalt; ingenting å annullere.", slug="tilsagn-utbetalt")
        if dato < row["dato"]:
            raise errors.Invalid.field("dato", "Annulleringen kan ikke være før tilsagnet.")
        await session.execute(update(tilsagn).where(tilsagn.c.id == decision_id).values(
            annullert_ore=rest, annullert_dato=dato))
        await _move(session, row["ar"], row["kapittel"], row["post"], row["binding"], -rest)
        uow.publish(tev.TilsagnAnnullertV1(ar=row["ar"], kapittel=row["kapittel"], post=row["post"],
                                           binding=row["binding"], tilsagn_id=decision_id, annullert_ore=rest,
                                           dato=dato))
        await figures.publish(session, uow.publish, row["ar"], _line_ids(row["kapittel"], row["post"],
                                                                       row["binding"]), dato)
        row.update(annullert_ore=rest, annullert_dato=dato)
    return row


async def _milestone(session: AsyncSession, uow: UnitOfWork, row: dict, dato: date) -> None:
    """A binding tied to an assignment's milestone (the Grønland funds to Oslo kommune: O10 M1): the milestone's
    progress is what is paid to the named municipality on the binding, complete when all of it is paid."""
    if row["binding"] is None:
        return
    line = frame.lines(row["ar"]).get(f"{row['kapittel']}.{row['post']}/{row['binding']}")
    if line is None or line.milepael is None or row["kommunenummer"] != line.mottaker_kommune:
        return
    paid_rows = (await session.execute(select(tilsagn.c.utbetalt_ore, tilsagn.c.tilbakebetalt_ore).where(
        tilsagn.c.ar == row["ar"], tilsagn.c.kapittel == row["kapittel"], tilsagn.c.post == row["post"],
        tilsagn.c.binding == row["binding"], tilsagn.c.kommunenummer == line.mottaker_kommune))).all()
    paid = sum(p.utbetalt_ore - p.tilbakebetalt_ore for p in paid_rows)
    progress = min(100, paid * 100 // line.belop_ore)
    uow.publish(ev.MILEPAEL_OPPDATERT_V1["tilskudd"].model(
        ar=row["ar"], oppdrag=line.milepael.oppdrag, milepael=line.milepael.milepael, ferdig=paid >= line.belop_ore,
        fremdrift=progress, dato=dato,
        kommentar=f"Utbetalt {kroner(paid)} av {kroner(line.belop_ore)} kr: {line.navn}."))


def decision_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in row.items() if not k.endswith("_ore") and k != "annullert_dato"},
            "belop": kroner(row["belop_ore"]), "utbetalt": kroner(row["utbetalt_ore"]),
            "tilbakebetalt": kroner(row["tilbakebetalt_ore"]), "annullert": kroner(row["annullert_ore"]),
            "gjenstaende": kroner(unpaid(row))}
