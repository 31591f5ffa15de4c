"""The registry of versioned event schemas: one entry per CloudEvents ``type``.

A type is named ``no.imdi.<service>.<event>.v<N>``; a breaking change is a new version with its own
schema, published beside the old one until every consumer has moved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


def topic_for(service: str) -> str:
    """One topic per producing service."""
    return f"imdi.{service}.v1"


def dead_letter_topic_for(service: str) -> str:
    """Where a consuming service puts the events it cannot process."""
    return f"imdi.{service}.dlq.v1"


@dataclass(frozen=True)
class EventSpec:
    service: str
    name: str
    version: int
    model: type[BaseModel]
    key: Callable[[Any], str]
    title: str
    description: str
    example: BaseModel

    @property
    def type(self) -> str:
        return f"no.imdi.{self.service}.{self.name}.v{self.version}"

    @property
    def topic(self) -> str:
        return topic_for(self.service)

    @property
    def source(self) -> str:
        return f"/imdi-styring/{self.service}"

    @property
    def dataschema(self) -> str:
        return f"https://imdi-styring/docs/events/{self.type}.schema.json"


REGISTRY: dict[str, EventSpec] = {}


def register(spec: EventSpec) -> EventSpec:
    if spec.type in REGISTRY:
        raise ValueError(f"event type {spec.type} registered twice")
    REGISTRY[spec.type] = spec
    return spec


def spec_for_model(model: type[BaseModel]) -> EventSpec:
    for spec in REGISTRY.values():
        if spec.model is model:
            return spec
    raise KeyError(model.__name__)
