"""Every tolkeregister operation documents an example of its request body (if it takes one) and of its
successful response, in the OpenAPI document the service serves."""

from __future__ import annotations

from tolkeregister.config import Settings
from tolkeregister.main import build


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _has_example(doc: dict, media: dict) -> bool:
    if "example" in media or "examples" in media:
        return True
    schema = _resolve(doc, media.get("schema", {}))
    if schema.get("type") == "array":
        schema = _resolve(doc, schema.get("items", {}))
    return "example" in schema or "examples" in schema


def test_every_operation_has_request_and_response_examples():
    doc = build(Settings(database_url="sqlite+aiosqlite:///:memory:", kafka_enabled=False)).openapi()
    missing = []
    for path, operations in doc["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in operations.items():
            body = op.get("requestBody", {}).get("content", {})
            if any(not _has_example(doc, media) for media in body.values()):
                missing.append((method, path, "request"))
            ok = next(v for k, v in op["responses"].items() if k.startswith("2"))
            content = ok.get("content", {})
            if not content or not all(_has_example(doc, media) for media in content.values()):
                missing.append((method, path, "response"))
    assert not missing, missing
