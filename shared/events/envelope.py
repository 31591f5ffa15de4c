"""CloudEvents 1.0 envelope, JSON data, carried over Kafka in the CloudEvents Kafka *binary* binding.

Binary mode: the event's data is the Kafka value (JSON), every other attribute is a ``ce_<name>`` header,
``content-type`` names the data's media type, and the Kafka key is the aggregate (partitioning key).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.dates import event_time

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"


class Envelope(BaseModel):
    """One CloudEvent. ``data`` is validated against the registered schema for ``type``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    specversion: Literal["1.0"] = SPECVERSION
    id: str = Field(min_length=1, max_length=64)
    source: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=200)
    time: AwareDatetime
    subject: str | None = Field(default=None, max_length=200)
    datacontenttype: Literal["application/json"] = CONTENT_TYPE
    dataschema: str | None = None
    data: dict[str, Any]

    @classmethod
    def new(cls, *, source: str, type: str, subject: str | None, data: dict[str, Any],
            dataschema: str | None = None, time: datetime | None = None) -> Envelope:
        return cls(id=str(uuid.uuid4()), source=source, type=type, subject=subject, data=data,
                   dataschema=dataschema, time=time or event_time())

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)

    # --- Kafka binary content mode -------------------------------------------------------------------
    def kafka_headers(self) -> list[tuple[str, bytes]]:
        headers = [
            ("ce_specversion", self.specversion.encode()),
            ("ce_id", self.id.encode()),
            ("ce_source", self.source.encode()),
            ("ce_type", self.type.encode()),
            ("ce_time", self.time.isoformat().encode()),
            ("content-type", self.datacontenttype.encode()),
        ]
        if self.subject is not None:
            headers.append(("ce_subject", self.subject.encode()))
        if self.dataschema is not None:
            headers.append(("ce_dataschema", self.dataschema.encode()))
        return headers

    def kafka_value(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"), default=str).encode()

    @classmethod
    def from_kafka(cls, headers: list[tuple[str, bytes]] | tuple, value: bytes | None) -> Envelope:
        """Parse a binary-mode message. Raises ``ValueError`` (or a pydantic error) if it is not one."""
        attrs = cls._attributes(headers, value)
        data = json.loads(value)
        if not isinstance(data, dict):
            raise ValueError("event data is not a JSON object")
        return cls(**attrs, data=data)

    @classmethod
    def attributes_from_kafka(cls, headers: list[tuple[str, bytes]] | tuple, value: bytes | None) -> Envelope:
        """The envelope's attributes of a binary-mode message, validated, with ``data`` left empty: a consumer
        parses the data straight from the value's bytes into its registered schema (one pass, no dict)."""
        return cls(**cls._attributes(headers, value), data={})

    @staticmethod
    def _attributes(headers: list[tuple[str, bytes]] | tuple, value: bytes | None) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        content_type = None
        for name, raw in headers or ():
            text = raw.decode("utf-8") if raw is not None else None
            if name == "content-type":
                content_type = text
            elif name.startswith("ce_"):
                attrs[name[3:]] = text
        if content_type is not None and content_type.split(";")[0].strip() != CONTENT_TYPE:
            raise ValueError(f"unsupported content-type {content_type!r}")
        if value is None:
            raise ValueError("event has no data")
        return attrs
