"""The admin UI in a real headless Chromium (Playwright driving Debian's /usr/bin/chromium) against a real
uvicorn server: sign in, create an order through the UI, release it, find it in the list with its status,
and a User refused Settings even by URL. Screenshots of the main pages go to test-output/screenshots/.

The server runs in a thread and needs committed data, so it works on a database of its own (a schema on
PostgreSQL, a file on SQLite), not in the rolled-back transaction of the other tests.

Without /usr/bin/chromium (or Playwright) these tests are skipped, unless PACKTRACE_REQUIRE_BROWSER=1
(as in CI): then they fail."""

from __future__ import annotations

import os
import re
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn
from sqlalchemy import text

from packtrace.app import create_app
from packtrace.auth.service import tenant_service, user_service
from packtrace.config import Settings
from packtrace.demo import DEMO_LINE_TAG, DEMO_PRODUCT_CODE, DEMO_TENANT, seed_demo
from packtrace.kit.db import Database, make_engine, normalize_url
from packtrace.kit.migrations import upgrade
from packtrace.lines.service import line_service
from packtrace.models.enums import Role
from packtrace.orders.schemas import OrderCreate
from packtrace.orders.service import order_service
from packtrace.products.service import ProductSettings, product_service
from tests.conftest import SERVER_KEY, DatabaseUnderTest
from tests.support import postgres_url_with_schema

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PASSWORD = "Br0wser-Passw0rd!"
ADMIN_EMAIL = "supervisor@browser.example"
USER_EMAIL = "operator@browser.example"
SECOND_PRODUCT = "04006381333931"
LAPTOP = {"width": 1366, "height": 768}
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
TABLET_PORTRAIT = {"width": 768, "height": 1024}
TIMEOUT_MS = 15_000


def _unavailable(reason: str) -> None:
    if os.environ.get("PACKTRACE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; PACKTRACE_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (the test extra)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# -- a real server on a database of its own ------------------------------------------------------------


@pytest.fixture(scope="module")
def committed_url(test_database: DatabaseUnderTest) -> Iterator[str]:
    if not test_database.is_postgres:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'browser.db'}"
            upgrade(url)
            yield url
        return
    base = normalize_url(test_database.url.split("?")[0])
    schema = f"packtrace_ui_{uuid.uuid4().hex[:8]}"
    owner = make_engine(base)
    with owner.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = postgres_url_with_schema(base, schema)
        upgrade(url)
        yield url
    finally:
        with owner.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        owner.dispose()


def _seed(db: Database, settings: Settings) -> None:
    """The demo tenant, a supervisor (Administrator) and an operator (User), and orders to list."""
    with db.unit_of_work() as s:
        seed_demo(s, settings.signing_key())
        tenant_id = tenant_service.get_by_name(s, DEMO_TENANT).id
        user_service.create(s, tenant_id, ADMIN_EMAIL, PASSWORD, Role.ADMINISTRATOR, "Sam Supervisor")
        user_service.create(s, tenant_id, USER_EMAIL, PASSWORD, Role.USER, "Olivia Operator")
        product_service.create(
            s,
            tenant_id,
            SECOND_PRODUCT,
            ProductSettings(
                name="Acme 20 mg 28 tablets", alias="ACME-20", markets=["EU", "US"], company_prefix_length=7
            ),
        )
        line_service.create(s, tenant_id, "blister-2", "Blister line 2")
        for number, (product, line, quantity) in enumerate(
            [
                (DEMO_PRODUCT_CODE, DEMO_LINE_TAG, 120),
                (SECOND_PRODUCT, "blister-2", 500),
                (DEMO_PRODUCT_CODE, "blister-2", 80),
                (SECOND_PRODUCT, DEMO_LINE_TAG, 250),
            ],
            start=1,
        ):
            body = {
                "order_id": f"PO-2026-{number:04d}",
                "order_description": f"Weekly run {number}",
                "product_code_schema": "GTIN",
                "product_code": product,
                "packaging_line_tag": line,
                "market": "EU",
                "batch": f"B{number:05d}",
                "expiry_date": "281200",
                "quantity": quantity,
                "serialized": True,
            }
            order_id = order_service.create(s, tenant_id, OrderCreate.model_validate(body), "erp").order.order_id
            if number % 2:
                order_service.release(s, tenant_id, order_id, None, "erp")
                order_service.report_status(s, tenant_id, order_id, "In progress", quantity // 3, None, "line")


@pytest.fixture(scope="module")
def live_server(browser: Browser, committed_url: str) -> Iterator[str]:
    settings = Settings(database_url=committed_url, secret_key=SERVER_KEY, auth_failure_limit=1000)
    db = Database(committed_url)
    _seed(db, settings)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(create_app(settings, database=db), log_level="warning", ws="none", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/admin"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        listener.close()
        db.dispose()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    # Script errors and Content-Security-Policy violations show in the console. A refused page (403)
    # is logged as a failed load, which the User test wants.
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    yield opened
    context.close()
    assert [p for p in problems if "Failed to load resource" not in p] == []


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, email: str, screenshot: str | None = None) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    if screenshot:
        shot(page, screenshot)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/products")


# -- the tests -----------------------------------------------------------------------------------------


def test_create_an_order_release_it_and_find_it_in_the_list(page: Page, live_server: str) -> None:
    from playwright.sync_api import expect

    base = live_server
    sign_in(page, base, ADMIN_EMAIL, screenshot="login")
    expect(page.get_by_role("link", name="Products", exact=True)).to_have_attribute("aria-current", "page")
    shot(page, "products")
    page.get_by_role("link", name=SECOND_PRODUCT).click()
    expect(page.locator("#f-name")).to_have_value("Acme 20 mg 28 tablets")
    shot(page, "product")

    page.get_by_role("link", name="Packaging", exact=True).click()
    page.wait_for_url(f"{base}/packaging/orders")
    page.get_by_role("link", name="Create order").click()
    page.get_by_label("Order id").fill("UI-0001")
    page.get_by_label("Description").fill("Created in the browser")
    page.get_by_label("Product").select_option(DEMO_PRODUCT_CODE)
    page.get_by_label("Market").select_option("EU")
    page.get_by_label("Packaging line").select_option(DEMO_LINE_TAG)
    page.get_by_label("Batch").fill("BROWSER1")
    page.get_by_label("Expiry date").fill("281231")
    page.get_by_label("Quantity").fill("40")
    page.get_by_label("Extra serials (%)").fill("10")
    shot(page, "order-form")
    page.get_by_role("button", name="Create order").click()

    expect(page.locator(".flash")).to_have_text("Order UI-0001 created.")
    expect(page.locator("h1 .badge")).to_have_text("Open")
    expect(page.locator(".figures")).to_contain_text("44")  # serials: 40 + 10 %
    page.get_by_role("button", name="Release to line").click()
    expect(page.locator(".flash")).to_have_text("Order UI-0001: released.")
    expect(page.locator("h1 .badge")).to_have_text("In progress")
    expect(page.get_by_role("button", name="Release to line")).to_have_count(0)
    expect(page.get_by_role("button", name="Suspend")).to_be_visible()
    page.locator("#a-progress-produced").fill("25")
    page.get_by_role("button", name="Report progress").click()
    expect(page.locator(".percent")).to_have_text("62 %")
    shot(page, "order")

    page.get_by_role("link", name="Packaging orders").first.click()
    page.get_by_label("Status").select_option("In progress")
    expect(page).to_have_url(re.compile(r"/packaging/orders\?.*status=In(%20|\+)progress"))  # htmx pushed it
    row = page.locator("#results tbody tr", has_text="UI-0001")
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text("In progress")
    expect(page.locator("#results tbody tr .badge")).not_to_contain_text(["Open"])
    shot(page, "orders")

    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    shot(page, "settings")
    page.get_by_role("link", name="Tenant", exact=True).click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    shot(page, "tenant")


def test_a_user_cannot_open_settings_even_by_url(page: Page, live_server: str) -> None:
    from playwright.sync_api import expect

    sign_in(page, live_server, USER_EMAIL)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Products", "Packaging"])
    for path in ("/settings", "/tenant/users", "/tenant/api-keys"):
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    shot(page, "user-refused-settings")
    page.goto(f"{live_server}/packaging/orders")
    expect(page.get_by_role("link", name="Create order")).to_have_count(0)


@pytest.mark.parametrize(
    ("name", "viewport"), [("tablet-landscape", TABLET_LANDSCAPE), ("tablet-portrait", TABLET_PORTRAIT)]
)
def test_pages_on_a_tablet(page: Page, live_server: str, name: str, viewport: dict[str, int]) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(viewport)  # type: ignore[arg-type]
    sign_in(page, live_server, ADMIN_EMAIL)
    page.goto(f"{live_server}/packaging/orders")
    shot(page, f"orders-{name}")
    page.locator("#results tbody tr a").first.click()
    expect(page.get_by_role("heading", name="Actions")).to_be_visible()
    shot(page, f"order-{name}")
    # Nothing wider than the screen: no sideways scrolling of the page.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], width
