"""/docs and /redoc in a real browser that may reach only the server: an air-gapped plant's view. Every
request to another host is refused and recorded, and the pages must still show the API."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.admin.browser.conftest import LAPTOP, TIMEOUT_MS, shot

DOCS_TIMEOUT_MS = 60_000

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Route


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/docs", ".swagger-ui .opblock-summary-path"),
        ("/redoc", "[data-section-id^='tag/']"),
    ],
)
def test_api_docs_render_without_internet(browser: Browser, live_server: str, path: str, shown: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=LAPTOP)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # The pages' Content-Security-Policy refuses what the vendors' bundles would fetch from elsewhere
    # (ReDoc's footer logo): the browser says so in its console, and nothing else may be there.
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
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
    # The first /openapi.json is built on demand and ReDoc lays out the whole API: with both test runs
    # side by side on two cores that can outlast the default timeout, so these waits get the long one.
    page.goto(f"{live_server.removesuffix('/admin')}{path}", timeout=DOCS_TIMEOUT_MS)
    expect(page.locator(shown).first).to_be_visible(timeout=DOCS_TIMEOUT_MS)
    expect(page.get_by_text("packaging_order", exact=False).first).to_be_attached()
    page.wait_for_load_state("networkidle", timeout=DOCS_TIMEOUT_MS)
    shot(page, f"api-docs{path.replace('/', '-')}")
    context.close()
    assert elsewhere == []
    assert [p for p in problems if "violates the following Content Security Policy" not in p] == [], problems
