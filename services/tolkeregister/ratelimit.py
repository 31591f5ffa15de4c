"""A per-client rate limit for the public endpoints: an in-process token bucket keyed by the client's address.

Each client address has a bucket of ``capacity`` tokens, refilled at ``rate`` tokens per second; a request takes
one token, and a client with an empty bucket is told when the next token arrives (429 with ``Retry-After``).
With the page-size cap this keeps the register from being harvested in one sweep: 20 000 interpreters at 50 a
page is 400 requests, which at the default 1 a second (after a burst of 60) takes more than five minutes from one
address. The buckets live in one process: behind several instances each keeps its own (the limit is then per
instance), and behind a reverse proxy the proxy must pass the client's address (uvicorn
``--forwarded-allow-ips``) or every client shares one bucket. Idle buckets are dropped as the map grows.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_CLIENTS = 100_000


@dataclass
class TokenBucket:
    capacity: int
    rate: float
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # client → (tokens, at)

    def take(self, client: str) -> float:
        """Take a token for ``client``: 0 if granted, else the seconds until one is free."""
        now = self.clock()
        tokens, at = self._buckets.get(client, (float(self.capacity), now))
        tokens = min(float(self.capacity), tokens + (now - at) * self.rate)
        if tokens >= 1:
            self._remember(client, tokens - 1, now)
            return 0.0
        self._remember(client, tokens, now)
        return (1 - tokens) / self.rate if self.rate > 0 else math.inf

    def _remember(self, client: str, tokens: float, now: float) -> None:
        if client not in self._buckets and len(self._buckets) >= MAX_CLIENTS:
            full = [c for c, (t, at) in self._buckets.items() if t + (now - at) * self.rate >= self.capacity]
            for c in full or list(self._buckets)[: MAX_CLIENTS // 10]:
                del self._buckets[c]
        self._buckets[client] = (tokens, now)
