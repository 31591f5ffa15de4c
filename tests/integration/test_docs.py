"""The interactive API documentation works without internet: /docs names no outside URL, and every file it
loads is served by the service itself (from the fastapi-offline package)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from shared.runner import SERVICES
from tests.conftest import service_settings


class _References(HTMLParser):
    """Every URL the page makes the browser fetch: src/href attributes and the OpenAPI ``url:`` in the script."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]

    def handle_data(self, data):
        self.urls += re.findall(r"""\burl:\s*['"]([^'"]+)['"]""", data)


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
async def test_docs_need_no_network(service, keys, tmp_path):
    settings = service_settings(service, db_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
                                bootstrap="127.0.0.1:1", keys=keys, var_dir=tmp_path, kafka_enabled=False)
    app = __import__(f"{service}.main", fromlist=["build"]).build(settings)
    origin = "http://testserver"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=origin) as client:
        page = await client.get("/docs")
        assert page.status_code == 200
        parser = _References()
        parser.feed(page.text)
        assert len(parser.urls) >= 4, parser.urls  # stylesheet, icon, script, the OpenAPI document
        outside = [u for u in re.findall(r"https?://[^\s'\"<>)]+", page.text) if not u.startswith(origin)]
        assert outside == [], f"/docs names outside URLs: {outside}"
        for url in parser.urls:
            asset = await client.get(url)
            assert asset.status_code == 200, url
            assert asset.content, url
