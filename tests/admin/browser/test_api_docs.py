"""/docs and /redoc in a real browser that may reach only the server: an air-gapped plant's view. Every
request to another host is refused and recorded, and the pages must still show the API."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.admin.browser.conftest import shot

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

REDOC_FOOTER_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/docs", ".swagger-ui .opblock-summary-path"),
        ("/redoc", "[data-section-id^='tag/']"),
    ],
)
def test_api_docs_render_without_internet(page: Page, live_server: str, path: str, shown: str) -> None:
    from playwright.sync_api import expect

    server = urlsplit(live_server).netloc
    elsewhere: list[str] = []

    def only_the_server(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == server or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    page.route("**/*", only_the_server)
    page.goto(f"{live_server.removesuffix('/admin')}{path}")
    expect(page.locator(shown).first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("packaging_order", exact=False).first).to_be_attached()
    page.wait_for_load_state("networkidle")
    shot(page, f"api-docs{path.replace('/', '-')}")
    # ReDoc's footer asks its vendor for a logo and hides the image when that fails; the page needs
    # nothing else from outside.
    assert [url for url in elsewhere if url != REDOC_FOOTER_LOGO] == []
