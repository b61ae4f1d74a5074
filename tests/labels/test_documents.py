from __future__ import annotations

import io
import re
import zipfile

import pypdfium2
import pytest
import zxingcpp
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from packtrace.labels import CaseLabel, LabelError, PackLabel, render_pdf, render_png, render_png_zip, render_zpl
from packtrace.labels.documents import iter_zpl, zpl_datamatrix_data
from tests.gs1.strategies import Pack, packs, ssccs
from tests.labels.decoding import GS, biip_dates, biip_pairs, read, scanner_string
from tests.labels.test_barcodes import TRICKY, expected_pairs


def pack_label(pack: Pack) -> PackLabel:
    return PackLabel(pack.gtin, pack.serial, pack.batch, pack.expiry, pack.national)


TRICKY_LABEL = pack_label(TRICKY)
CASE = CaseLabel("106141411234567897", 24)


@settings(max_examples=50, deadline=None)
@given(packs())
@example(TRICKY)
@example(Pack("09506000134352", "!\"%&'()*+,-./:;<=>?_", "ZZZZZZZZZZZZZZZZZZZZ", "280200", (("716", "A" * 20),)))
def test_pack_label_png_decodes_to_the_same_identity(pack: Pack) -> None:
    decoded = read(render_png(pack_label(pack)), zxingcpp.BarcodeFormat.DataMatrix)
    assert (decoded.symbology_identifier, decoded.content_type) == ("]d2", zxingcpp.ContentType.GS1)
    assert sorted(biip_pairs(scanner_string(decoded))) == expected_pairs(pack)


def test_day_00_reads_as_the_last_day_of_the_month() -> None:
    label = PackLabel("09506000134352", "S1", "B1", "280200")  # 2028 is a leap year
    decoded = read(render_png(label), zxingcpp.BarcodeFormat.DataMatrix)
    assert str(biip_dates(scanner_string(decoded))["17"]) == "2028-02-29"


@settings(max_examples=10, deadline=None)
@given(ssccs, st.none() | st.integers(0, 10_000))
def test_case_label_png_decodes(sscc: str, count: int | None) -> None:
    decoded = read(render_png(CaseLabel(sscc, count), dpi=203), zxingcpp.BarcodeFormat.Code128)
    assert decoded.symbology_identifier == "]C1"
    assert biip_pairs(scanner_string(decoded)) == [("00", sscc)]


def test_pdf_has_one_page_per_label_of_the_label_size() -> None:
    labels = [TRICKY_LABEL, CASE, PackLabel("09506000134352", "S2", None, None)]
    reader = PdfReader(io.BytesIO(render_pdf(labels)))
    assert len(reader.pages) == 3
    sizes = [
        (round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72)) for p in reader.pages
    ]
    assert sizes == [(50, 22), (100, 60), (50, 22)]
    assert "PC: 09506000134352" in reader.pages[0].extract_text()
    assert len(PdfReader(io.BytesIO(render_pdf(iter([CASE] * 7), label_size_mm=(105, 74)))).pages) == 7


def test_pdf_pages_render_and_their_barcodes_decode() -> None:
    document = pypdfium2.PdfDocument(render_pdf([TRICKY_LABEL, CASE]))
    try:
        pack_page = document[0].render(scale=600 / 72).to_pil()
        case_page = document[1].render(scale=300 / 72).to_pil()
    finally:
        document.close()
    decoded = read(pack_page, zxingcpp.BarcodeFormat.DataMatrix)
    assert decoded.symbology_identifier == "]d2"
    assert sorted(biip_pairs(scanner_string(decoded))) == expected_pairs(TRICKY)
    decoded = read(case_page, zxingcpp.BarcodeFormat.Code128)
    assert scanner_string(decoded) == "]C100106141411234567897"


def test_pdf_of_no_labels_is_refused() -> None:
    with pytest.raises(LabelError) as caught:
        render_pdf([])
    assert caught.value.field == "labels"


def test_png_zip_has_one_named_png_per_label() -> None:
    labels = [TRICKY_LABEL, CASE, TRICKY_LABEL]
    with zipfile.ZipFile(io.BytesIO(render_png_zip(labels, dpi=200))) as archive:
        names = archive.namelist()
        assert names == [
            "09506000134352-A%22%25%26%2F%3C%3F_.png",
            "106141411234567897.png",
            "09506000134352-A%22%25%26%2F%3C%3F_~2.png",
        ]
        decoded = read(archive.read(names[0]), zxingcpp.BarcodeFormat.DataMatrix)
        assert sorted(biip_pairs(scanner_string(decoded))) == expected_pairs(TRICKY)
        assert read(archive.read(names[1]), zxingcpp.BarcodeFormat.Code128).text == "00106141411234567897"


def fields(zpl: str) -> list[str]:
    return re.findall(r"\^FD(.*?)\^FS", zpl)


def unescape_zpl_datamatrix(data: str) -> str:
    """Read ^BX quality 200 field data with "_" as escape character, as the printer does."""
    assert data.startswith("_1"), "a GS1 DataMatrix starts with FNC1"
    out, i = [], 2
    while i < len(data):
        if data[i] == "_":
            assert data[i + 1] in "1_", data
            out.append(GS if data[i + 1] == "1" else "_")
            i += 2
        else:
            out.append(data[i])
            i += 1
    return "".join(out)


def test_zpl_pack_label_has_the_gs1_datamatrix_and_the_hri() -> None:
    zpl = render_zpl([TRICKY_LABEL])
    assert zpl.startswith("^XA") and zpl.endswith("^XZ\n") and zpl.count("^XA") == zpl.count("^XZ") == 1
    assert "^BXN,5,200,26,26,,_^FD" in zpl  # ECC 200, 26 x 26 modules fixed, "_" the escape character
    data = fields(zpl)[0]
    assert data == "_1" + "0109506000134352" + "17270200" + "10L(10)1/&" + '_121A"%&/<?__' + "_171412<>?"
    raw = unescape_zpl_datamatrix(data)
    assert raw == f'01095060001343521727020010L(10)1/&{GS}21A"%&/<?_{GS}71412<>?'
    assert sorted(biip_pairs("]d2" + raw)) == expected_pairs(TRICKY)
    assert fields(zpl)[1:] == list(TRICKY_LABEL.lines())


@settings(max_examples=100, deadline=None)
@given(packs())
def test_zpl_datamatrix_data_reads_back_to_the_element_string(pack: Pack) -> None:
    label = pack_label(pack)
    zpl = render_zpl([label], dpmm=8)
    assert sorted(biip_pairs("]d2" + unescape_zpl_datamatrix(fields(zpl)[0]))) == expected_pairs(pack)
    assert all(c not in line for line in fields(zpl)[1:] for c in "^~")


def test_zpl_case_label_is_gs1_128_with_fnc1() -> None:
    zpl = render_zpl([CASE])
    assert "^BCN," in zpl and "^FD>;>800106141411234567897^FS" in zpl  # start C, FNC1, AI 00
    assert fields(zpl)[1:] == ["(00) 106141411234567897", "Content: 24"]
    assert "^FB" in zpl  # centred under the bars


def test_zpl_has_one_format_per_label() -> None:
    labels = [TRICKY_LABEL, CASE] * 5
    zpl = render_zpl(labels)
    formats = re.findall(r"\^XA.*?\^XZ", zpl, flags=re.S)
    assert len(formats) == zpl.count("^XA") == zpl.count("^XZ") == 10
    assert list(iter_zpl(labels)) == [f + "\n" for f in formats]
    with pytest.raises(LabelError) as caught:
        render_zpl(labels, dpmm=7)
    assert caught.value.field == "dpmm"


def test_zpl_escapes() -> None:
    assert zpl_datamatrix_data(f"0109506000134352{GS}21a_b") == "_10109506000134352_121a__b"
