"""``pool generate`` and ``pool status``, and the pool settings of ``product create/update``."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from packtrace.kit.db import Database
from packtrace.kit.errors import InsufficientSerialsError
from packtrace.models import Product
from packtrace.serials import service as serials_module
from packtrace.serials.repository import serial_states
from packtrace.serials.service import SerialService
from tests.cli.support import Cli

# Each serial with its pool status and order, as the one table used to hold them.
STATES = serial_states()

GTIN = "01234512345901"
SMALL_GTIN = "04006381333931"  # made with ten-digit serials: at most 1,000,000 under the EU rule
MAX_LIVE_12_ALNUM = 36**12 // 10_000


@pytest.fixture
def acme(cli: Cli) -> Cli:
    cli.tenant("acme")
    cli.ok("product", "create", "--tenant", "acme", "--code", GTIN, "--name", "Tablets", "--company-prefix-length", "7")
    return cli


def status(cli: Cli, code: str = GTIN) -> dict[str, Any]:
    data: dict[str, Any] = cli.json("pool", "status", "--tenant", "acme", "--product", code)
    return data


def stored(database_url: str) -> tuple[int, int, int]:
    """(rows, distinct serials, products.serial_count), read from the database the CLI committed to."""
    database = Database(database_url)
    try:
        with database.unit_of_work() as session:
            rows, distinct = session.execute(
                select(func.count(STATES.c.id), func.count(func.distinct(STATES.c.serial)))
            ).one()
            made = session.scalar(select(Product.serial_count).where(Product.code == GTIN)) or 0
    finally:
        database.dispose()
    return rows, distinct, made


def test_generate_in_batches_and_show_the_pool(acme: Cli, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serials_module, "BATCH_SIZE", 40)  # 130 serials: four batches
    assert status(acme) == {
        "product_code": GTIN,
        "available": 0,
        "assigned": 0,
        "total": 0,
        "max_live": MAX_LIVE_12_ALNUM,
        "threshold": 0,
        "refill_size": 0,
    }
    generated = acme.json("pool", "generate", "--tenant", "acme", "--product", GTIN, "--count", "130")
    assert generated == status(acme) | {"generated": 130}
    assert (generated["available"], generated["assigned"], generated["total"]) == (130, 0, 130)
    assert stored(database_url) == (130, 130, 130)

    # Without --json: a sentence and the table; the product code in any GTIN form.
    text = acme.ok("pool", "generate", "--tenant", "acme", "--product", "1234512345901", "-n", "20").stdout
    assert "20 serials made for 01234512345901." in text
    assert stored(database_url) == (150, 150, 150)
    table = acme.ok("pool", "status", "--tenant", "acme", "--product", GTIN).stdout
    for heading in ("Available", "Assigned", "Total", "EU maximum", "Refill below", "Refill size"):
        assert heading in table
    assert "150" in table and f"{MAX_LIVE_12_ALNUM:,}" in table and "off" in table


def test_status_shows_the_refill_setting(acme: Cli) -> None:
    acme.ok(
        "product",
        "update",
        "--tenant",
        "acme",
        "--code",
        GTIN,
        "--pool-threshold",
        "1000",
        "--pool-refill-size",
        "5000",
    )
    assert (status(acme)["threshold"], status(acme)["refill_size"]) == (1000, 5000)
    table = acme.ok("pool", "status", "--tenant", "acme", "--product", GTIN).stdout
    assert "1,000" in table and "5,000" in table


def test_unknown_product_or_tenant_is_one_line(acme: Cli) -> None:
    line = acme.error("pool", "generate", "--tenant", "acme", "--product", SMALL_GTIN, "--count", "10")
    assert line == f"error: product_code: no product {SMALL_GTIN}"
    assert acme.error("pool", "status", "--tenant", "acme", "--product", SMALL_GTIN) == line
    assert acme.error("pool", "status", "--tenant", "globex", "--product", GTIN) == (
        "error: tenant: no tenant named 'globex'"
    )
    assert "check digit" in acme.error("pool", "status", "--tenant", "acme", "--product", "01234512345900")


@pytest.mark.parametrize("count", ["0", "-5", "10000001", "many"])
def test_a_bad_count_is_one_line(acme: Cli, database_url: str, count: str) -> None:
    line = acme.error("pool", "generate", "--tenant", "acme", "--product", GTIN, "--count", count)
    assert "--count" in line
    assert stored(database_url) == (0, 0, 0)


def test_a_count_beyond_the_eu_rule_is_refused_before_anything_is_made(acme: Cli, database_url: str) -> None:
    acme.ok(
        "product", "create", "--tenant", "acme", "--code", SMALL_GTIN, "--name", "Ten digits",
        "--company-prefix-length", "7", "--serial-length", "10", "--serial-alphabet", "0123456789",
    )  # fmt: skip
    assert status(acme, SMALL_GTIN)["max_live"] == 1_000_000
    line = acme.error("pool", "generate", "--tenant", "acme", "--product", SMALL_GTIN, "--count", "1000001")
    assert "1,000,001" in line and "EU rule" in line
    assert status(acme, SMALL_GTIN)["total"] == 0
    assert stored(database_url)[0] == 0


def test_a_failure_halfway_keeps_the_batches_already_committed(
    acme: Cli, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serials_module, "BATCH_SIZE", 25)
    original = SerialService.generate_into_pool
    calls: list[int] = []

    def fail_on_the_third_batch(self: SerialService, session: Any, product: Any, count: int) -> int:
        calls.append(count)
        if len(calls) == 3:
            raise InsufficientSerialsError("the serial space is used up")
        return original(self, session, product, count)

    monkeypatch.setattr(SerialService, "generate_into_pool", fail_on_the_third_batch)
    line = acme.error("pool", "generate", "--tenant", "acme", "--product", GTIN, "--count", "100")
    assert line.startswith("error: the serial space is used up")
    assert "50 of 100 serials were made and committed" in line
    assert calls == [25, 25, 25]
    assert stored(database_url) == (50, 50, 50)
    assert status(acme)["available"] == 50


def test_product_pool_settings_round_trip(acme: Cli) -> None:
    shown = acme.json("product", "show", "--tenant", "acme", "--code", GTIN)
    assert (shown["pool_threshold"], shown["pool_refill_size"]) == (0, 0)
    created = acme.json(
        "product", "create", "--tenant", "acme", "--code", SMALL_GTIN, "--name", "Pooled",
        "--company-prefix-length", "7", "--pool-threshold", "200", "--pool-refill-size", "1000",
    )  # fmt: skip
    assert (created["pool_threshold"], created["pool_refill_size"]) == (200, 1000)
    updated = acme.json("product", "update", "--tenant", "acme", "--code", SMALL_GTIN, "--pool-threshold", "0")
    assert (updated["pool_threshold"], updated["pool_refill_size"]) == (0, 1000)
    listed = {
        p["code"]: (p["pool_threshold"], p["pool_refill_size"])
        for p in acme.json("product", "list", "--tenant", "acme")
    }
    assert listed == {GTIN: (0, 0), SMALL_GTIN: (0, 1000)}
    table = acme.ok("product", "list", "--tenant", "acme").stdout
    assert "refill" in table and "off" in table
    acme.ok("product", "update", "--tenant", "acme", "--code", SMALL_GTIN, "--pool-threshold", "1500")
    table = acme.ok("product", "list", "--tenant", "acme").stdout
    assert "below" in table and "1,500" in table and "1,000" in table


def test_bad_pool_settings_are_one_line_and_change_nothing(acme: Cli) -> None:
    line = acme.error("product", "update", "--tenant", "acme", "--code", GTIN, "--pool-threshold", "50")
    assert line.startswith("error: pool_refill_size: must be above 0")
    line = acme.error("product", "update", "--tenant", "acme", "--code", GTIN, "--pool-refill-size", "1000001")
    assert line == "error: pool_refill_size: must be 0 to 1,000,000"
    shown = acme.json("product", "show", "--tenant", "acme", "--code", GTIN)
    assert (shown["pool_threshold"], shown["pool_refill_size"]) == (0, 0)
