"""A seeded, deterministic synthetic IMDi year, written as each service's bulk-import files.

``generate(scale, seed, out)`` runs every service module in ``MODULES`` (each with its own random stream) and
writes ``manifest.json``: the seed, the scale, what was written, and the figures a checker should find once the
files are loaded (for bosetting: SP1–SP3 for 2017). The generator never touches a database; ``synth.load``
drives the services' public APIs. A later service adds a module with ``generate(*, rng, scale, out) -> dict``
and an entry here (and a loader in ``synth.load``).
"""

from __future__ import annotations

from pathlib import Path

from synth import bosetting, kvalifisering, tilskudd, tolkeregister
from synth.core import FORMAT_VERSION, YEAR, check_scale, module_rng, write_manifest

MODULES = {"bosetting": bosetting.generate, "kvalifisering": kvalifisering.generate,
           "tolkeregister": tolkeregister.generate, "tilskudd": tilskudd.generate}


def generate(scale: float, seed: int, out: Path) -> dict:
    """Write the year at ``scale`` (1 ≈ Norway 2017) under ``out``; the same seed and scale give the same bytes."""
    check_scale(scale)
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"generator": "imdi-synth", "format": FORMAT_VERSION, "seed": seed, "scale": scale,
                      "year": YEAR}
    for name, module in MODULES.items():
        manifest[name] = module(rng=module_rng(seed, name), scale=scale, out=out)
    write_manifest(out, manifest)
    return manifest
