from __future__ import annotations

import io
import zipfile
from pathlib import Path

import zxingcpp
from fastapi.testclient import TestClient

from tests.cli.support import Cli
from tests.labels.decoding import biip_pairs, read, scanner_string


def _demo_order(cli: Cli, api: TestClient, order_id: str, quantity: int) -> None:
    """The demo, and an order of `quantity` packs of batch B7 made through the API."""
    demo = cli.json("seed-demo", "--json")
    headers = {"x-access-token": demo["static_token"], "x-channel-key": demo["channel_key"]}
    body = {
        "order_id": order_id,
        "product_code_schema": "GTIN",
        "product_code": "01234512345901",
        "quantity": quantity,
        "serialized": True,
        "batch": "B7",
        "expiry_date": "291031",
    }
    assert api.post("/v1/manufacturer/v2/api/packaging_order", json=body, headers=headers).status_code == 200


def test_labels_render_writes_the_orders_labels(cli: Cli, api: TestClient, tmp_path: Path) -> None:
    _demo_order(cli, api, "L1", 2)
    out = tmp_path / "labels.zip"
    result = cli.json(
        "labels", "render", "--tenant", "demo", "--order", "L1", "--format", "png", "--out", str(out), "--json"
    )
    assert result["label_count"] == 2
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        for name in archive.namelist():
            pairs = dict(biip_pairs(scanner_string(read(archive.read(name), zxingcpp.BarcodeFormat.DataMatrix))))
            assert pairs["10"] == "B7" and pairs["17"] == "291031"


def test_labels_render_refuses_in_one_line(cli: Cli, tmp_path: Path) -> None:
    cli.ok("seed-demo", "--json")
    result = cli.run(
        "labels", "render", "--tenant", "demo", "--format", "gif", "--order", "x", "--out", str(tmp_path / "x")
    )
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "format" in result.stderr
    missing = cli.run("labels", "render", "--tenant", "demo", "--order", "nope", "--out", str(tmp_path / "y"))
    assert missing.exit_code == 1 and "nope" in missing.stderr
    assert not (tmp_path / "y").exists()


def test_labels_render_takes_the_new_templates_and_sizes(cli: Cli, api: TestClient, tmp_path: Path) -> None:
    _demo_order(cli, api, "L2", 1)
    out = tmp_path / "dl.zip"
    args = ("labels", "render", "--tenant", "demo", "--order", "L2", "--template", "pack_qr")
    cli.ok(*args, "--format", "png", "--width-mm", "80", "--height-mm", "26", "--out", str(out))
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        qr = read(archive.read(archive.namelist()[0]), zxingcpp.BarcodeFormat.QRCode)
    assert qr.text.startswith("https://id.gs1.org/01/01234512345901/10/B7/21/")
    error = cli.error(*args, "--width-mm", "80", "--out", str(tmp_path / "x"))
    assert "label_height_mm" in error
    assert "0.396 mm" in cli.error(*args, "--width-mm", "40", "--height-mm", "12", "--out", str(tmp_path / "y"))
