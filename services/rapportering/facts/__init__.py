"""Every fact type the engine keeps, one module per source service."""

from __future__ import annotations

from rapportering.facts import bosetting, kvalifisering, tolkeregister
from rapportering.facts.base import FactType

FACT_TYPES: tuple[FactType, ...] = (*bosetting.FACT_TYPES, *kvalifisering.FACT_TYPES, *tolkeregister.FACT_TYPES)

__all__ = ["FACT_TYPES", "FactType"]
