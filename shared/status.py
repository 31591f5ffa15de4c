"""What the background loops last saw of the broker (for ``/health/ready``), and how they are kept alive."""

from __future__ import annotations

import asyncio
import logging


class BrokerStatus:
    def __init__(self, components: list[str]) -> None:
        self._state: dict[str, str | None] = {c: "not started" for c in components}

    def ok(self, component: str) -> None:
        self._state[component] = None

    def failed(self, component: str, exc: BaseException) -> None:
        self._state[component] = type(exc).__name__

    @property
    def ready(self) -> bool:
        return all(v is None for v in self._state.values())

    def problems(self) -> dict[str, str]:
        return {k: v for k, v in self._state.items() if v is not None}


async def supervise(name: str, stop, status: BrokerStatus, run, close, transient) -> None:
    """Run ``run(connected)`` again and again until ``stop`` is set, with backoff, and never die.

    ``run`` connects, calls ``connected()`` once it is up (which marks the component ready and resets the
    backoff), and works until ``stop``; any failure is logged (a warning for ``transient(exc)``: broker or
    database away; with a traceback otherwise) and ``close`` tidies up before the next try.
    """
    log = logging.getLogger(f"shared.{name}")
    backoff = 0.2

    def connected() -> None:
        nonlocal backoff
        status.ok(name)
        backoff = 0.2

    while not stop.is_set():
        try:
            await run(connected)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            status.failed(name, exc)
            if transient(exc):
                log.warning(f"{name} lost the broker or the database; retrying",
                            extra={"error": type(exc).__name__, "retry_in_s": backoff})
            else:
                log.exception(f"{name} failed; retrying", extra={"retry_in_s": backoff})
        await close()
        try:
            await asyncio.wait_for(stop.wait(), backoff)
        except TimeoutError:
            pass
        backoff = min(backoff * 2, 5.0)
    await close()
