"""The pack label with a GS1 Digital Link QR beside its DataMatrix, and the GS1 logistic label (A6, A5):
every symbol decodes back exactly in zxing-cpp and in a second decoder (libdmtx, zbar), and the content
of a logistic label comes from the aggregation."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pypdfium2
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.auth.service import tenant_service
from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT, DemoCredentials
from packtrace.gs1.sscc import build_sscc
from packtrace.kit.db import Database
from packtrace.labels import Content, DigitalLinkPackLabel, LabelError, LogisticLabel, PackLabel
from packtrace.labels.documents import _module_units, render_pdf, render_png, render_zpl
from packtrace.labels.layouts import layout
from packtrace.labels.logistic import A5_SIZE_MM
from packtrace.models import Container, Pack, Product
from tests.labels.decoding import GS, biip_pairs, image_of, libdmtx, scanner_string, zbar
from tests.support import V2, assert_error, fill_pool

LABELS = f"{V2}/label_orders/"
SSCC = "106141411234567897"
RESOLVER = "https://resolver.example.com/id"
PACK = PackLabel("09506000134352", "SN/1<2>?", "LOT-1", "271200")
HOMOGENEOUS = LogisticLabel(SSCC, Content("9506000134352", "LOT-1", "271200", 24), 24)
LONG_BATCH = Content("09506000134352", "ZZZZZZZZZZZZZZZZ", "271200", 12345678)


def decode_all(image: Image.Image | bytes) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(image_of(image), text_mode=zxingcpp.TextMode.Plain))


def gs1_128_pairs(image: Image.Image | bytes) -> list[list[tuple[str, str]]]:
    """The element strings of the GS1-128 symbols on the label, top to bottom, read by zxing-cpp and biip."""
    found = sorted(decode_all(image), key=lambda b: b.position.top_left.y)
    assert all(b.format == zxingcpp.BarcodeFormat.Code128 and b.symbology_identifier == "]C1" for b in found)
    return [biip_pairs(scanner_string(b)) for b in found]


def zbar_code128(image: Image.Image | bytes) -> set[str]:
    return {d.data.decode() for d in zbar().decode(image_of(image)) if d.type == "CODE128"}


EXPECTED = [
    [("02", "09506000134352"), ("37", "24")],
    [("17", "271200"), ("10", "LOT-1")],
    [("00", SSCC)],
]


@pytest.mark.parametrize("dpi", [203, 300])
def test_logistic_label_png_symbols_decode_in_two_decoders(dpi: int) -> None:
    png = render_png(HOMOGENEOUS, dpi=dpi)
    assert gs1_128_pairs(png) == EXPECTED  # the SSCC lowest, as the guideline places it
    assert zbar_code128(png) == {"02095060001343523724", "1727120010LOT-1", "00" + SSCC}


def test_logistic_label_pdf_decodes_and_has_the_data_titles() -> None:
    document = pypdfium2.PdfDocument(render_pdf([HOMOGENEOUS]))
    try:
        page = document[0]
        width, height = page.get_size()
        assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (105, 148)  # A6
        text = page.get_textpage().get_text_range()
        image = page.render(scale=300 / 72).to_pil()
    finally:
        document.close()
    assert gs1_128_pairs(image) == EXPECTED
    for line in ("SSCC: " + SSCC, "CONTENT: 09506000134352", "COUNT: 24", "BATCH/LOT: LOT-1", "EXPIRY: 271200"):
        assert line in text
    assert "(00)" + SSCC in text and "(02)09506000134352(37)24" in text  # the HRI under each symbol


def test_every_logistic_symbol_keeps_the_gs1_minimums() -> None:
    for label in (HOMOGENEOUS, LogisticLabel(SSCC, LONG_BATCH, 1, A5_SIZE_MM)):
        page = layout(label)
        for box in page.barcodes:
            assert box.module_mm >= 0.495 and box.bar_height_mm is not None and box.bar_height_mm >= 31.75
            assert (box.modules + 2 * box.quiet_zone) * box.module_mm <= min(165, page.width_mm)
            assert box.x_mm >= 0 and box.y_mm + box.bar_height_mm <= page.height_mm
        assert page.barcode.pairs == (("00", SSCC),)  # the identifier first


def test_content_too_wide_for_one_symbol_is_split_per_ai() -> None:
    # (02)+(37) with 8 digits and (17)+(10) with 16 letters are wider than an A5 label at X 0.495 mm.
    png = render_png(LogisticLabel(SSCC, LONG_BATCH, 12345678, A5_SIZE_MM), dpi=300)
    assert gs1_128_pairs(png) == [
        [("02", "09506000134352"), ("37", "12345678")],
        [("17", "271200")],
        [("10", "ZZZZZZZZZZZZZZZZ")],
        [("00", SSCC)],
    ]
    assert zbar_code128(png) == {"020950600013435237" + "12345678", "17271200", "10" + "Z" * 16, "00" + SSCC}


def test_a_batch_too_wide_for_the_label_is_refused_naming_the_minimum() -> None:
    with pytest.raises(LabelError) as caught:
        layout(LogisticLabel(SSCC, LONG_BATCH, 1))  # A6: 105 mm
    assert caught.value.field == "template" and "0.495 mm" in caught.value.message
    assert "logistic_a5" in caught.value.message


def test_a_mixed_unit_has_only_its_sscc_symbol() -> None:
    png = render_png(LogisticLabel(SSCC, None, 30), dpi=300)
    assert gs1_128_pairs(png) == [[("00", SSCC)]]
    assert LogisticLabel(SSCC, None, 30).lines()[1].startswith("PACKS: 30")


def _graphics(zpl: str) -> list[np.ndarray]:
    """The ^GF graphic fields of a ZPL format, as light (255) / dark (0) pixels."""
    images = []
    for total, row_bytes, data in re.findall(r"\^GFA,(\d+),\d+,(\d+),([0-9A-F]+)\^FS", zpl):
        assert len(data) == 2 * int(total)
        bits = np.unpackbits(np.frombuffer(bytes.fromhex(data), dtype=np.uint8).reshape(-1, int(row_bytes)), axis=1)
        images.append(np.where(bits == 1, 0, 255).astype(np.uint8))
    return images


def test_logistic_label_zpl_carries_exactly_the_checked_symbols() -> None:
    zpl = render_zpl([HOMOGENEOUS], dpmm=8)
    assert "^FD>;>800" + SSCC + "^FS" in zpl  # the SSCC encoded by the printer, as on case labels
    graphics = _graphics(zpl)
    assert [gs1_128_pairs(Image.fromarray(g)) for g in graphics] == [[pairs] for pairs in EXPECTED[:2]]
    assert [zbar_code128(Image.fromarray(g)) for g in graphics] == [{"02095060001343523724"}, {"1727120010LOT-1"}]
    assert "SSCC: " + SSCC in zpl and "(02)09506000134352(37)24" in zpl


# ---------------------------------------------------------------------------------------- Digital Link


def test_digital_link_pack_label_has_both_symbols_with_the_same_identity() -> None:
    label = DigitalLinkPackLabel(PACK, RESOLVER)
    png = render_png(label, dpi=300)
    found = {b.format: b for b in decode_all(png)}
    datamatrix, qr = found[zxingcpp.BarcodeFormat.DataMatrix], found[zxingcpp.BarcodeFormat.QRCode]
    assert datamatrix.symbology_identifier == "]d2"
    assert qr.text == f"{RESOLVER}/01/09506000134352/10/LOT-1/21/SN%2F1%3C2%3E%3F?17=271200"
    assert sorted(biip_pairs(qr.text)) == sorted(biip_pairs(scanner_string(datamatrix))) == sorted(PACK.pairs)
    # The DataMatrix is the identifier: first, at the left, clear of the QR code.
    boxes = layout(label).barcodes
    assert [b.kind for b in boxes] == ["gs1-datamatrix", "gs1-qr-digital-link"]
    assert datamatrix.position.top_right.x < qr.position.top_left.x
    # Second decoders: libdmtx (it drops FNC1, and so the GS) and zbar.
    assert [d.data.decode() for d in libdmtx().decode(image_of(png))] == [PACK.raw.replace(GS, "")]
    assert [d.data.decode() for d in zbar().decode(image_of(png)) if d.type == "QRCODE"] == [qr.text]


def test_digital_link_qr_keeps_its_minimum() -> None:
    with pytest.raises(LabelError) as caught:
        layout(DigitalLinkPackLabel(PACK, RESOLVER), (45, 12))
    assert "0.396 mm" in caught.value.message


def test_digital_link_zpl_has_the_datamatrix_and_the_qr_graphic() -> None:
    zpl = render_zpl([DigitalLinkPackLabel(PACK, RESOLVER)], dpmm=12)
    assert "^BXN," in zpl
    (graphic,) = _graphics(zpl)
    (qr,) = decode_all(Image.fromarray(graphic).resize((graphic.shape[1] * 2, graphic.shape[0] * 2)))
    assert qr.format == zxingcpp.BarcodeFormat.QRCode and qr.text.startswith(RESOLVER + "/01/09506000134352/")


# ------------------------------------------------------------------------------------------ via the API


def _pallet_of_two_cases(session: Session, batches: tuple[str, str]) -> str:
    tenant = tenant_service.get_by_name(session, DEMO_TENANT)
    product_id = session.scalar(
        select(Product.id).where(Product.tenant_id == tenant.id, Product.code == DEMO_PRODUCT_CODE)
    )
    pallet = Container(tenant_id=tenant.id, sscc=build_sscc(1, "0614141", 1), status="Assigned", source="internal")
    session.add(pallet)
    session.flush()
    for number, batch in enumerate(batches):
        case = Container(
            tenant_id=tenant.id,
            sscc=build_sscc(1, "0614141", 10 + number),
            status="Assigned",
            source="internal",
            parent_id=pallet.id,
        )
        session.add(case)
        session.flush()
        for serial in range(3):
            session.add(
                Pack(
                    tenant_id=tenant.id,
                    product_id=product_id,
                    serial=f"C{number}S{serial}",
                    status="Active",
                    batch=batch,
                    expiry_date="300100",
                    container_id=case.id,
                )
            )
    session.commit()
    return pallet.sscc


def _document(client: TestClient, headers: dict[str, str], body: dict[str, object]) -> bytes:
    created = client.post(LABELS, json=body, headers=headers)
    assert created.status_code == 200, created.text
    assert created.json()["data"]["template"] == body["template"]
    return client.get(created.json()["data"]["document_url"], headers=headers).content


def _png_of(document: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        (name,) = archive.namelist()
        return archive.read(name)


@pytest.mark.parametrize("template", ["logistic_a6", "logistic_a5"])
def test_a_pallets_logistic_label_says_what_its_cases_hold(
    client: TestClient, api_headers: dict[str, str], session: Session, demo: DemoCredentials, template: str
) -> None:
    pallet = _pallet_of_two_cases(session, ("B1", "B1"))
    png = _png_of(_document(client, api_headers, {"template": template, "ssccs": [pallet], "format": "png"}))
    assert gs1_128_pairs(png) == [
        [("02", DEMO_PRODUCT_CODE), ("37", "6")],  # the packs of both cases
        [("17", "300100"), ("10", "B1")],
        [("00", pallet)],
    ]
    assert zbar_code128(png) == {f"02{DEMO_PRODUCT_CODE}376", "1730010010B1", "00" + pallet}


def test_a_mixed_pallet_has_no_content_symbols(
    client: TestClient, api_headers: dict[str, str], session: Session, demo: DemoCredentials
) -> None:
    pallet = _pallet_of_two_cases(session, ("B1", "B2"))
    png = _png_of(_document(client, api_headers, {"template": "logistic_a6", "ssccs": [pallet], "format": "png"}))
    assert gs1_128_pairs(png) == [[("00", pallet)]]


def test_the_digital_link_template_uses_the_tenants_resolver(
    client: TestClient, api_headers: dict[str, str], session: Session, database: Database
) -> None:
    tenant = tenant_service.get_by_name(session, DEMO_TENANT)
    tenant.digital_link_resolver = RESOLVER
    session.commit()
    body = {
        "template": "pack_qr",
        "product_code": DEMO_PRODUCT_CODE,
        "quantity": 1,
        "batch": "B1",
        "expiry_date": "300600",
        "format": "png",
    }
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 5)
    png = _png_of(_document(client, api_headers, body))
    found = {b.format: b for b in decode_all(png)}
    assert found[zxingcpp.BarcodeFormat.QRCode].text.startswith(f"{RESOLVER}/01/{DEMO_PRODUCT_CODE}/10/B1/21/")
    assert dict(biip_pairs(scanner_string(found[zxingcpp.BarcodeFormat.DataMatrix])))["10"] == "B1"


def test_logistic_templates_need_ssccs(client: TestClient, api_headers: dict[str, str]) -> None:
    response = client.post(LABELS, json={"template": "logistic_a6", "order_id": "x"}, headers=api_headers)
    assert_error(response, 400, "ValidationError", "ssccs")


@pytest.mark.parametrize(
    ("changes", "says"),
    [({"count": 100_000_000}, "AI 37"), ({"batch": "B 1"}, "set 82"), ({"gtin": "09506000134353"}, "check digit")],
)
def test_content_that_cannot_be_printed_is_refused(changes: dict[str, object], says: str) -> None:
    values: dict[str, object] = {"gtin": "09506000134352", "batch": "B1", "expiry": "271200", "count": 1}
    with pytest.raises(LabelError, match=says) as caught:
        Content(**(values | changes))  # type: ignore[arg-type]
    assert caught.value.field == "ssccs"


@pytest.mark.parametrize("units_per_mm", [6, 8, 12, 24, 203 / 25.4, 300 / 25.4, 600 / 25.4])
def test_whole_dots_never_take_a_logistic_symbol_below_x_0495(units_per_mm: float) -> None:
    widest = LogisticLabel(SSCC, Content("09506000134352", "Z" * 18, "271200", 99_999_999), 1, A5_SIZE_MM)
    # 106 mm: (02)+(37) of 8 digits is 103.5 mm wide at X 0.495, 104 mm are left; whole dots round it up.
    counted = LogisticLabel(SSCC, Content("09506000134352", "B1", "271200", 99_999_999), 1)
    for label, size in ((HOMOGENEOUS, None), (widest, None), (counted, (106.0, 210.0))):
        for box in layout(label, size).barcodes:
            units = _module_units(box, units_per_mm, box.modules + 2 * box.quiet_zone)
            assert units / units_per_mm >= 0.495, (box.pairs, units)
