"""tilskudd's OpenAPI document has an example for every endpoint: its request body, its parameters and its
successful answer."""

from __future__ import annotations

from typing import Any

from tilskudd.main import build


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _has_example(spec: dict, content: dict[str, Any]) -> bool:
    for media in content.values():
        if "example" in media or "examples" in media:
            return True
        schema = _resolve(spec, media.get("schema", {}))
        if "examples" in schema or "example" in schema:
            return True
        items = schema.get("items")
        if items and ("examples" in _resolve(spec, items) or "example" in _resolve(spec, items)):
            return True
    return False


def missing_examples(spec: dict) -> list[str]:
    missing = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            if "drift" in op.get("tags", []):
                continue
            where = f"{method.upper()} {path}"
            body = op.get("requestBody")
            if body and not _has_example(spec, body["content"]):
                missing.append(f"{where}: request body")
            for p in op.get("parameters", []):
                given = {"example", "examples"} & (set(p) | set(p.get("schema", {})))
                if p["in"] in ("path", "query") and not given:
                    missing.append(f"{where}: parameter {p['name']}")
            ok = next((r for code, r in op["responses"].items() if code.startswith("2")), None)
            if ok is None or not _has_example(spec, ok.get("content", {})):
                missing.append(f"{where}: response")
    return missing


def test_every_endpoint_has_an_example():
    spec = build().openapi()
    assert len(spec["paths"]) >= 15
    assert missing_examples(spec) == []


def test_the_check_sees_a_missing_example():
    spec = build().openapi()
    op = spec["paths"]["/api/v1/tilsagn"]["post"]
    op["requestBody"]["content"]["application/json"] = {"schema": {"type": "object"}}
    assert missing_examples(spec) == ["POST /api/v1/tilsagn: request body"]
