"""/docs and /redoc work without internet: the pages and every asset they load come from the server."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

# Where a page loads from: src and href attributes, url() in styles, and script-given URLs.
_LOADED = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|(?:url|openapi_url|spec-url)\s*[(:=]\s*["']([^"']+)["']""")


def _loaded_urls(html: str) -> list[str]:
    return [a or b for a, b in _LOADED.findall(html)]


@pytest.mark.parametrize(("page", "title"), [("/docs", "Swagger UI"), ("/redoc", "ReDoc")])
def test_docs_pages_load_only_from_the_server(client: TestClient, page: str, title: str) -> None:
    response = client.get(page)
    assert response.status_code == 200 and title in response.text
    loaded = _loaded_urls(response.text)
    assert loaded, "the page loads nothing: the test would prove nothing"
    external = [url for url in loaded if re.match(r"^(?:[a-z]+:)?//", url)]
    assert external == []
    assert "fonts.googleapis" not in response.text and "cdn.jsdelivr" not in response.text
    for url in loaded:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url


def test_swagger_ui_does_not_call_the_online_validator(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text
