"""The facts kvalifisering's events make, kept in the generic fact store (see :mod:`rapportering.facts.base`)."""

from __future__ import annotations

from rapportering.facts.base import FactType

FACT_TYPES: tuple[FactType, ...] = ()
