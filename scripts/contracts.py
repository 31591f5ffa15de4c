"""Export the contracts clients rely on: each service's OpenAPI document and the event catalogue.

``python -m scripts.contracts`` writes them under ``docs/``; ``tests/unit/test_contracts.py`` fails when
the files drift from the code. This module sits outside the services and the shared library on purpose:
it is the one place that imports every service.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from shared.events import REGISTRY
from shared.events.registry import dead_letter_topic_for, topic_for
from shared.runner import SERVICES

ROOT = Path(__file__).resolve().parent.parent


def openapi_documents() -> dict[str, dict[str, Any]]:
    docs = {}
    for spec in SERVICES:
        module = importlib.import_module(f"{spec.name}.main")
        app = module.build(module.Settings(service_name=spec.name))
        doc = app.openapi()
        doc["servers"] = [{"url": f"http://127.0.0.1:{spec.port}", "description": "Embedded run (make run)"}]
        docs[spec.name] = doc
    return docs


ENVELOPE_HEADERS = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes in the Kafka binary binding: one ce_<attribute> header each.",
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "Unique event id (UUID); consumers deduplicate on it."},
        "ce_source": {"type": "string", "examples": ["/imdi-styring/bosetting"]},
        "ce_type": {"type": "string", "examples": ["no.imdi.bosetting.person-bosatt.v1"]},
        "ce_time": {"type": "string", "format": "date-time", "description": "ISO 8601 with offset (Europe/Oslo)."},
        "ce_subject": {"type": "string", "description": "The aggregate, equal to the Kafka key."},
        "ce_dataschema": {"type": "string"},
        "content-type": {"type": "string", "const": "application/json"},
    },
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"],
}


def event_catalogue() -> dict[str, Any]:
    """An AsyncAPI 3.0 document: one channel per producing service, one message per event type."""
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for type_, spec in sorted(REGISTRY.items()):
        name = type_.replace(".", "_").replace("-", "_")
        schema = spec.model.model_json_schema()
        messages[name] = {
            "name": type_,
            "title": spec.title,
            "summary": spec.description,
            "contentType": "application/json",
            "headers": ENVELOPE_HEADERS,
            "payload": schema,
            "bindings": {"kafka": {"key": {"type": "string", "description": "Partitioning key (aggregate)."}}},
            "examples": [{"name": "eksempel", "payload": spec.example.model_dump(mode="json"),
                          "headers": {"ce_specversion": "1.0", "ce_type": type_, "ce_source": spec.source,
                                      "ce_id": "0b6f8a8e-5b1e-4a43-9a3c-0c0e4f1a2b3c",
                                      "ce_time": "2017-05-02T10:00:00+02:00", "ce_subject": spec.key(spec.example),
                                      "content-type": "application/json"}}],
        }
        channel = spec.service
        channels.setdefault(channel, {"address": spec.topic, "description": f"Events from {spec.service}.",
                                      "messages": {}})["messages"][name] = {"$ref": f"#/components/messages/{name}"}
        operations.setdefault(f"publish_{channel}", {"action": "send", "channel": {"$ref": f"#/channels/{channel}"},
                                                     "messages": []})["messages"].append(
            {"$ref": f"#/channels/{channel}/messages/{name}"})
    for svc in SERVICES:
        channels.setdefault(svc.name, {"address": topic_for(svc.name), "description":
                                       f"Events from {svc.name} (none published yet).", "messages": {}})
        channels[f"{svc.name}_dlq"] = {"address": dead_letter_topic_for(svc.name), "description":
                                       f"Events {svc.name} could not process, with dlq_reason, dlq_topic, "
                                       "dlq_partition and dlq_offset headers added.", "messages": {}}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "imdi-styring events", "version": "1.0.0",
                 "description": "CloudEvents 1.0 over Kafka (binary binding). Events carry pseudonymous person "
                                "references, never names or identifiers."},
        "defaultContentType": "application/json",
        "channels": dict(sorted(channels.items())),
        "operations": operations,
        "components": {"messages": messages},
    }


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def expected_files() -> dict[Path, str]:
    files = {ROOT / "docs" / "openapi" / f"{name}.json": render(doc) for name, doc in openapi_documents().items()}
    files[ROOT / "docs" / "events" / "asyncapi.json"] = render(event_catalogue())
    return files


def main() -> int:
    for path, text in expected_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
