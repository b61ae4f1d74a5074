from __future__ import annotations

import pytest
from hypothesis import given, settings

from packtrace.gs1.element_string import to_raw
from packtrace.labels import barcodes
from packtrace.labels.layouts import layout
from packtrace.labels.templates import (
    CaseLabel,
    LabelError,
    PackLabel,
    case_layout,
    datamatrix_size_bound,
    pack_layout,
)
from tests.gs1.strategies import Pack, packs


def test_pack_lines_follow_eu_article_7() -> None:
    label = PackLabel("9506000134352", "SN/1<2>", "LOT-1", "271200", (("714", "1234567"),))
    assert label.gtin == "09506000134352"  # GTIN-13 printed and encoded as GTIN-14
    assert label.lines() == ("PC: 09506000134352", "SN: SN/1<2>", "NN: 1234567", "Batch: LOT-1", "Exp: 271200")
    assert label.name == "09506000134352-SN%2F1%3C2%3E"
    assert PackLabel("09506000134352", "1", None, None, (("710", "12345678"),)).lines() == (
        "PC: 09506000134352",
        "SN: 1",
        "PZN: 12345678",
    )


def test_case_lines() -> None:
    assert CaseLabel("106141411234567897", 24).lines() == ("(00) 106141411234567897", "Content: 24")
    assert CaseLabel("106141411234567897").lines() == ("(00) 106141411234567897",)
    assert CaseLabel("106141411234567897", 0).lines() == ("(00) 106141411234567897",)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"batch": "B" * 21}, "batch", "1 to 20 characters"),
        ({"batch": "B 1"}, "batch", "set 82"),
        ({"serial": "A#1"}, "serial", "'#'"),
        ({"serial": ""}, "serial", "1 to 20 characters"),
        ({"serial": "S" * 21}, "serial", "1 to 20 characters"),
        ({"gtin": "09506000134353"}, "gtin", "check digit"),
        ({"expiry": "271300"}, "expiry", "month"),
        ({"expiry": "2712"}, "expiry", "6 digits"),
        ({"national": (("799", "1"),)}, "national", "710"),
        ({"national": (("714", "A" * 21),)}, "national", "1 to 20"),
        ({"national": (("714", "1"), ("714", "2"))}, "national", "more than once"),
    ],
)
def test_a_pack_label_that_cannot_be_encoded_is_refused(kwargs: dict[str, object], field: str, message: str) -> None:
    values: dict[str, object] = {"gtin": "09506000134352", "serial": "S1", "batch": "B1", "expiry": "271200"}
    with pytest.raises(LabelError, match=message) as caught:
        PackLabel(**(values | kwargs))  # type: ignore[arg-type]
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"sscc": "106141411234567890"}, "sscc"), ({"sscc": "1"}, "sscc"), ({"content_count": -1}, "content_count")],
)
def test_a_case_label_that_cannot_be_encoded_is_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(LabelError) as caught:
        CaseLabel(**({"sscc": "106141411234567897"} | kwargs))  # type: ignore[arg-type]
    assert caught.value.field == field


@settings(max_examples=200, deadline=None)
@given(packs())
def test_the_layout_reserves_room_for_the_real_datamatrix(pack: Pack) -> None:
    label = PackLabel(pack.gtin, pack.serial, pack.batch, pack.expiry, pack.national)
    symbol = barcodes.gs1_datamatrix(label.pairs)
    box = pack_layout(label).barcode
    assert symbol.columns <= box.modules == datamatrix_size_bound(to_raw(label.pairs))
    text = pack_layout(label).text
    assert box.x_mm + (box.modules + 2) * box.module_mm < text.x_mm
    assert text.x_mm + text.width_mm <= 50


def test_layout_sizes_and_module_shrinking() -> None:
    label = PackLabel("09506000134352", "S1", "B1", "271200")
    assert layout(label).width_mm == 50 and pack_layout(label).barcode.module_mm == 0.4
    small = pack_layout(label, (24, 10))
    assert 0.254 <= small.barcode.module_mm < 0.4
    assert (small.barcode.modules + 2) * small.barcode.module_mm <= 10 - 2 * 1.5 + 1e-9
    case = case_layout(CaseLabel("106141411234567897", 3))
    assert case.barcode.module_mm == 0.495 and case.barcode.raw == "00106141411234567897"
    assert case.barcode.bar_height_mm is not None and case.barcode.bar_height_mm >= 31.75
    with pytest.raises(LabelError) as caught:
        layout(CaseLabel("106141411234567897"), (100, 10))
    assert caught.value.field == "label_height_mm"
