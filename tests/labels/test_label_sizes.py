"""Custom label sizes never shrink a symbol below the GS1 General Specifications' minimums, and a ZPL pack
label fixes its DataMatrix size so the printer cannot draw it into the text."""

from __future__ import annotations

import re

import pytest
import zxingcpp
from fastapi.testclient import TestClient

from packtrace.labels import CaseLabel, LabelError, PackLabel, barcodes, render_png, render_zpl
from packtrace.labels.layouts import layout
from packtrace.labels.templates import pack_layout
from tests.labels.decoding import biip_pairs, read, scanner_string
from tests.support import ORDERS, V2, assert_error, sample_order

LABELS = f"{V2}/label_orders/"
PACK = PackLabel("09506000134352", "S1", "B1", "271200")
# The largest payload a pack label carries: 20-character batch and serial, expiry, a national number.
LARGEST = PackLabel("09506000134352", "A" * 20, "B" * 20, "271200", (("714", "C" * 20),))


@pytest.mark.parametrize(
    ("label", "size", "field", "minimum"),
    [
        (PACK, (10, 10), "label_width_mm", "0.254 mm"),  # DataMatrix, symbol specification table 6
        (PACK, (60, 5), "label_height_mm", "0.254 mm"),
        (CaseLabel("106141411234567897", 3), (40, 20), "label_width_mm", "0.495 mm"),  # GS1-128, X
        (CaseLabel("106141411234567897", 3), (100, 30), "label_height_mm", "31.75 mm"),  # GS1-128, bars
    ],
)
def test_a_size_below_the_gs1_minimum_is_refused_naming_it(
    label: PackLabel | CaseLabel, size: tuple[float, float], field: str, minimum: str
) -> None:
    with pytest.raises(LabelError) as caught:
        layout(label, size)
    assert caught.value.field == field
    assert minimum in caught.value.message and "GS1 General Specifications" in caught.value.message


def test_a_pack_label_at_the_minimum_x_still_decodes() -> None:
    box = pack_layout(PACK, (20, 8.8)).barcode
    assert box.module_mm == pytest.approx(0.254, abs=0.03)
    decoded = read(render_png(PACK, (20, 8.8), dpi=600), zxingcpp.BarcodeFormat.DataMatrix)
    assert sorted(biip_pairs(scanner_string(decoded))) == sorted(PACK.pairs)


def test_case_labels_keep_x_0495_and_3175_mm_bars_at_the_smallest_size_allowed() -> None:
    box = layout(CaseLabel("106141411234567897", 3), (94, 52)).barcode
    assert box.module_mm == 0.495 and box.bar_height_mm is not None and box.bar_height_mm >= 31.75


@pytest.mark.parametrize(
    ("size", "missing"), [({"label_width_mm": 80}, "label_height_mm"), ({"label_height_mm": 30}, "label_width_mm")]
)
def test_width_and_height_go_together(
    client: TestClient, api_headers: dict[str, str], size: dict[str, float], missing: str
) -> None:
    client.post(ORDERS, json=sample_order(expiry_date="351115"), headers=api_headers)
    response = client.post(LABELS, json={"order_id": "Order130", **size}, headers=api_headers)
    assert_error(response, 400, "ValidationError", missing)


def test_the_api_names_the_minimum(client: TestClient, api_headers: dict[str, str]) -> None:
    client.post(ORDERS, json=sample_order(expiry_date="351115"), headers=api_headers)
    body = {"order_id": "Order130", "label_width_mm": 10, "label_height_mm": 10}
    error = assert_error(client.post(LABELS, json=body, headers=api_headers), 400, "ValidationError")
    assert "0.254 mm" in error["message"]
    assert error["error"]["details"][0]["field"] in ("label_width_mm", "label_height_mm")


# -------------------------------------------------------------------------------------- ZPL symbol room


def _zpl_geometry(zpl: str) -> tuple[int, int, int, int, list[tuple[int, int]]]:
    """(x, y, module dots, modules per side) of the ^BX symbol and the (x, y) of every text field."""
    symbol = re.search(r"\^FO(\d+),(\d+)\^BXN,(\d+),200,(\d+),(\d+),,_\^FD", zpl)
    assert symbol is not None, zpl
    x, y, module, columns, rows = (int(v) for v in symbol.groups())
    assert columns == rows, "a square symbol"
    texts = [(int(a), int(b)) for a, b in re.findall(r"\^FO(\d+),(\d+)\^A0N", zpl)]
    return x, y, module, columns, texts


@pytest.mark.parametrize("dpmm", [6, 8, 12, 24])
@pytest.mark.parametrize("size", [None, (40, 20), (30, 14)])
def test_zpl_text_never_starts_inside_the_largest_datamatrix(dpmm: int, size: tuple[float, float] | None) -> None:
    zpl = render_zpl([LARGEST], size, dpmm=dpmm)
    x, y, module, side, texts = _zpl_geometry(zpl)
    # The printer draws exactly side x side modules (^BX columns and rows): the largest it may choose.
    assert barcodes.gs1_datamatrix(LARGEST.pairs).columns <= side  # zint's own choice fits too
    right, bottom = x + side * module + module, y + side * module + module  # with the quiet zone
    width = int(re.search(r"\^PW(\d+)", zpl)[1])  # type: ignore[index]
    height = int(re.search(r"\^LL(\d+)", zpl)[1])  # type: ignore[index]
    assert right <= width and bottom <= height
    assert texts and all(text_x >= right for text_x, _ in texts), (right, texts)
