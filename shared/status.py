"""What the background loops last saw of the broker, for ``/health/ready``."""

from __future__ import annotations


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
