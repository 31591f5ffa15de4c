"""What every service's generator shares: seeds, scale, the municipality distribution, apportioning, files.

Determinism: each service module draws from its own ``random.Random`` seeded from (seed, module name), so adding
a module, or a draw in one, never changes another module's output; files are written in a fixed order with fixed
key order and no timestamps, so the same seed and scale give byte-identical files.

The municipality distribution is Zipf-like over a population proxy: the largest municipalities of 2017 in order
of population first, then the rest in a fixed pseudo-random order (a hash of the kommunenummer); weight
``(rank + OFFSET) ** -EXPONENT``. At scale 1 the largest gets ~7 % of the settled persons and the smallest a few.
"""

from __future__ import annotations

import hashlib
import json
import random
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate
from pathlib import Path

from stdnum.no import orgnr

from shared.geo import kommuner_2017

YEAR = 2017
MANIFEST = "manifest.json"
FORMAT_VERSION = 1

# The largest municipalities of 2017 by population, largest first (SSB, 1 January 2017).
LARGEST = ("0301", "1201", "1601", "1103", "0219", "1001", "0106", "1102", "1902", "0602", "0220", "0231", "0105",
           "0806", "1504", "0710", "0906", "1804", "0709", "0704", "1106", "0805", "0235", "0104", "0213", "0403",
           "1149", "0904", "1502", "0502")
EXPONENT = 1.05
OFFSET = 2.0


def module_rng(seed: int, module: str) -> random.Random:
    """An independent random stream for one module of one run."""
    digest = hashlib.sha256(f"imdi-synth:{seed}:{module}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def check_scale(scale: float) -> float:
    if not 0 < scale <= 1000:
        raise ValueError("scale must be above 0 and at most 1000")
    return scale


def scaled(count: float, scale: float) -> int:
    return max(1, round(count * scale))


def _tail_key(kommunenummer: str) -> str:
    return hashlib.sha256(kommunenummer.encode()).hexdigest()


@dataclass(frozen=True)
class KommuneFordeling:
    """All 426 municipalities of 2017, ranked by the population proxy, with their Zipf weights."""

    @cached_property
    def ranked(self) -> tuple[str, ...]:
        rest = sorted((k for k in kommuner_2017() if k not in LARGEST), key=_tail_key)
        return LARGEST + tuple(rest)

    @cached_property
    def weights(self) -> tuple[float, ...]:
        return tuple((rank + OFFSET) ** -EXPONENT for rank in range(1, len(self.ranked) + 1))

    @cached_property
    def _cumulative(self) -> list[float]:
        return list(accumulate(self.weights))

    def pick(self, rng: random.Random) -> str:
        """A municipality drawn with probability proportional to its weight."""
        point = rng.random() * self._cumulative[-1]
        return self.ranked[min(bisect_right(self._cumulative, point), len(self.ranked) - 1)]


KOMMUNER = KommuneFordeling()


def apportion(total: int, weights: list[float] | tuple[float, ...], minimum: int = 0) -> list[int]:
    """Split ``total`` into whole numbers proportional to ``weights`` (largest remainder), each at least
    ``minimum`` where the total allows it. The parts sum to ``total``."""
    floor_total = minimum * len(weights)
    if total < floor_total:
        minimum, floor_total = 0, 0
    rest = total - floor_total
    whole = sum(weights)
    exact = [rest * w / whole for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[:rest - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


def organisation_number(serial: int, base: int = 97_400_000) -> str:
    """A valid organisation number (9 digits, mod-11 check digit), the ``serial``-th from ``base``: made, not
    sampled (each module keeps its own ``base``, so numbers do not collide between modules)."""
    n = base + serial * 7
    while True:
        stem = f"{n:08d}"
        check = (11 - sum(w * int(d) for w, d in zip((3, 2, 7, 6, 5, 4, 3, 2), stem, strict=True)) % 11) % 11
        if check < 10 and orgnr.is_valid(stem + str(check)):
            return stem + str(check)
        n += 1


class NdjsonWriter:
    """Rows written one at a time as compact JSON lines (fixed key order, UTF-8), counted."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.rows = 0
        self._fh = path.open("w", encoding="utf-8", newline="\n")

    def write(self, row: dict) -> None:
        self._fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.rows += 1

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> NdjsonWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_manifest(out: Path, manifest: dict) -> Path:
    path = out / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def read_manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
