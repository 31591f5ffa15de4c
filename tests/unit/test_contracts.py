"""The published contracts (docs/openapi, docs/events) must match the code: run `make contracts`."""

from __future__ import annotations

import pytest

from scripts.contracts import ROOT, event_catalogue, expected_files, openapi_documents


@pytest.mark.parametrize("path, text", sorted(expected_files().items()), ids=lambda p: str(p)[-40:])
def test_published_contract_matches_code(path, text):
    assert path.exists(), f"{path.relative_to(ROOT)} missing: run `make contracts`"
    assert path.read_text(encoding="utf-8") == text, f"{path.relative_to(ROOT)} drifted: run `make contracts`"


def test_every_api_route_is_versioned_and_documents_problems():
    for service, doc in openapi_documents().items():
        for path, operations in doc["paths"].items():
            assert path.startswith("/api/v1/") or path.startswith("/health/"), (service, path)
            if path.startswith("/api/v1/"):
                for op in operations.values():
                    assert {"401", "403", "422"} <= set(op["responses"]), (service, path)


def test_every_event_type_has_schema_and_example():
    catalogue = event_catalogue()
    for name, message in catalogue["components"]["messages"].items():
        assert message["payload"]["properties"], name
        assert message["examples"][0]["payload"], name
