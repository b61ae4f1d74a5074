"""``packtrace commission import`` and ``packtrace commission market``, on a database of their own."""

from __future__ import annotations

import csv
from pathlib import Path

from fastapi.testclient import TestClient

from packtrace.demo import DEMO_PRODUCT_CODE
from tests.cli.support import Cli
from tests.packs.support import HISTORY, start_order


def _status(api: TestClient, headers: dict[str, str], serial: str) -> str:
    response = api.get(HISTORY, params={"product_code": DEMO_PRODUCT_CODE, "serial": serial}, headers=headers)
    if response.status_code == 404:
        return "Unknown"
    assert response.status_code == 200, response.text
    status: str = response.json()["data"]["summary"]["pack_status"]
    return status


def test_import_commits_the_good_rows_and_writes_the_bad_one(cli: Cli, api: TestClient, tmp_path: Path) -> None:
    demo = cli.json("seed-demo")
    headers = {"x-access-token": demo["static_token"], "x-channel-key": demo["channel_key"]}
    serials = start_order(api, headers).serials
    source = tmp_path / "produced.csv"
    source.write_text(
        "SerialNumber,GTIN,Batch,ExpirationDate,ManufacturingDate\n"
        f"{serials[0]},{DEMO_PRODUCT_CODE},BATCH111,351115,220101\n"
        f"{serials[1]},{DEMO_PRODUCT_CODE},BATCH111,351115,220230\n"
        f"{serials[2]},{DEMO_PRODUCT_CODE},BATCH111,351115,\n"
    )
    failed_out = tmp_path / "failed.csv"
    result = cli.run("commission", "import", str(source), "--tenant", "demo", "--failed-out", str(failed_out))
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "3 rows: 2 packs commissioned, 0 already active, 1 failed." in result.stdout
    assert result.stderr.startswith("error: 1 of 3 rows failed") and str(failed_out) in result.stderr
    with failed_out.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["SerialNumber", "GTIN", "Batch", "ExpirationDate", "ManufacturingDate", "Reason"]
    assert len(rows) == 2 and rows[1][:5] == [serials[1], DEMO_PRODUCT_CODE, "BATCH111", "351115", "220230"]
    assert "manufacturing day 30" in rows[1][5]
    assert [_status(api, headers, s) for s in serials[:3]] == ["Active", "Unknown", "Active"]

    # The same file again: the good rows are retries, the bad one fails again; nothing else changes.
    again = cli.run("commission", "import", str(source), "--tenant", "demo", "--json")
    assert again.exit_code == 1
    assert '"already_active": 2' in again.stdout and '"failed": 1' in again.stdout

    market = cli.json("commission", "market", "--tenant", "demo", "--product", DEMO_PRODUCT_CODE, "--batch", "BATCH111")
    assert market == {"product_code": DEMO_PRODUCT_CODE, "batch": "BATCH111", "market": None, "commissioned": 2}
    assert _status(api, headers, serials[0]) == "Commissioned"
    text = cli.ok("commission", "market", "-t", "demo", "-p", DEMO_PRODUCT_CODE, "-b", "BATCH111", "-m", "eu").stdout
    assert "0 packs" in text


def test_import_of_a_good_file_and_refusals(cli: Cli, tmp_path: Path) -> None:
    cli.json("seed-demo")
    good = tmp_path / "good.csv"
    good.write_text(f"SerialNumber,GTIN,Batch,ExpirationDate\nEXT-1,{DEMO_PRODUCT_CODE},L1,300100\n")
    failed_out = tmp_path / "failed.csv"
    result = cli.ok("commission", "import", str(good), "--tenant", "demo", "--failed-out", str(failed_out))
    assert "1 pack commissioned" in result.stdout and "EXT-1" not in result.stdout
    assert failed_out.read_bytes() == b"SerialNumber,GTIN,Batch,ExpirationDate,Reason\r\n"

    headless = tmp_path / "headless.csv"
    headless.write_text(f"EXT-2,{DEMO_PRODUCT_CODE},L1,300100\n")
    assert "header" in cli.error("commission", "import", str(headless), "--tenant", "demo")
    assert "no tenant" in cli.error("commission", "import", str(good), "--tenant", "nobody").lower()
    assert "batch" in cli.error("commission", "market", "-t", "demo", "-p", DEMO_PRODUCT_CODE, "-b", "NONE")
    assert "does not exist" in cli.error("commission", "import", str(tmp_path / "missing.csv"), "--tenant", "demo")
