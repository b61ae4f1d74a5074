"""Fixtures of the browser tests: the admin UI in a real headless Chromium (Playwright driving Debian's
/usr/bin/chromium) against a real uvicorn server, one for the whole package, seeded once. Screenshots of
the pages go to test-output/screenshots/ (``shot``).

The server runs in a thread and needs committed data, so it works on a database of its own (a schema on
PostgreSQL, a file on SQLite), not in the rolled-back transaction of the other tests. A test that changes
data makes its own (order ids, products) so that the tests do not depend on each other's order.

Without /usr/bin/chromium (or Playwright) these tests are skipped, unless PACKTRACE_REQUIRE_BROWSER=1
(as in CI): then they fail."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn

from packtrace.app import create_app
from packtrace.auth.service import tenant_service, user_service
from packtrace.config import Settings
from packtrace.demo import DEMO_LINE_TAG, DEMO_PRODUCT_CODE, DEMO_TENANT, seed_demo
from packtrace.kit.db import Database
from packtrace.kit.migrations import upgrade
from packtrace.lines.service import line_service
from packtrace.models.enums import Role
from packtrace.orders.schemas import OrderCreate
from packtrace.orders.service import order_service
from packtrace.products.service import ProductSettings, product_service
from tests.conftest import SERVER_KEY, DatabaseUnderTest
from tests.support import postgres_schema, register_prefixes

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
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-output" / "screenshots"
PASSWORD = "Br0wser-Passw0rd!"
ADMIN_EMAIL = "supervisor@browser.example"
USER_EMAIL = "operator@browser.example"
SECOND_PRODUCT = "04006381333931"
LAPTOP = {"width": 1366, "height": 768}
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
TABLET_PORTRAIT = {"width": 768, "height": 1024}
# For ``pytest.mark.parametrize(("name", "viewport"), TABLETS)``: the name goes into screenshot names.
TABLETS = [("tablet-landscape", TABLET_LANDSCAPE), ("tablet-portrait", TABLET_PORTRAIT)]
TIMEOUT_MS = 15_000


def _unavailable(reason: str) -> None:
    if os.environ.get("PACKTRACE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; PACKTRACE_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="package")
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


@pytest.fixture(scope="package")
def committed_url(test_database: DatabaseUnderTest) -> Iterator[str]:
    if not test_database.is_postgres:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'browser.db'}"
            upgrade(url)
            yield url
        return
    with postgres_schema(test_database.url, "packtrace_ui") as url:
        upgrade(url)
        yield url


def _seed(db: Database, settings: Settings) -> None:
    """The demo tenant, a supervisor (Administrator) and an operator (User), and orders to list."""
    with db.unit_of_work() as s:
        seed_demo(s, settings.signing_key())
        tenant_id = tenant_service.get_by_name(s, DEMO_TENANT).id
        register_prefixes(s, tenant_id)
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


@pytest.fixture(scope="package")
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


def assert_no_sideways_scroll(page: Page, where: str = "") -> None:
    """Nothing on the page is wider than the window: the page never scrolls sideways."""
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{where or page.url}: {width} px wide in a {window} px window"


def sign_in(page: Page, base: str, email: str, screenshot: str | None = None) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    if screenshot:
        shot(page, screenshot)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/products")
