"""Every symbol is decoded by a reader that shares no code with its encoder, and its data parsed by biip."""

from __future__ import annotations

import pytest
import zxingcpp
from hypothesis import example, given, settings
from hypothesis import strategies as st

from packtrace.gs1.digital_link import pack_uri, sscc_uri
from packtrace.gs1.element_string import pack_pairs
from packtrace.gs1.errors import GS1Error
from packtrace.labels import barcodes
from tests.gs1.strategies import Pack, packs, ssccs
from tests.labels.decoding import GS, biip_pairs, image_of, libdmtx, rasterize_svg_path, read, scanner_string, zbar

TRICKY = Pack("09506000134352", 'A"%&/<?_', "L(10)1/&", "270200", (("714", "12<>?"),))


def expected_pairs(pack: Pack) -> list[tuple[str, str]]:
    """What biip must read: the pack's values, in any order."""
    pairs = [("01", pack.gtin), ("21", pack.serial)]
    pairs += [("10", pack.batch)] if pack.batch is not None else []
    pairs += [("17", pack.expiry)] if pack.expiry is not None else []
    return sorted(pairs + list(pack.national))


@settings(max_examples=60, deadline=None)
@given(packs(), st.integers(1, 6))
@example(TRICKY, 3)
@example(Pack("09506000134352", "12345678901234567890", "ABCDEFGHIJKLMNOPQRST", "991200", ()), 1)
def test_datamatrix_png_decodes_to_the_same_identity(pack: Pack, module_px: int) -> None:
    pairs = pack_pairs(pack.gtin, pack.serial, pack.batch, pack.expiry, pack.national)
    symbol = barcodes.gs1_datamatrix(pairs)
    png = barcodes.to_png(symbol, module_px)
    decoded = read(png, zxingcpp.BarcodeFormat.DataMatrix)
    # ]d2: ECC 200 with FNC1 in first position, i.e. a GS1 DataMatrix.
    assert decoded.symbology_identifier == "]d2"
    assert decoded.content_type == zxingcpp.ContentType.GS1
    assert sorted(biip_pairs(scanner_string(decoded))) == expected_pairs(pack)
    assert symbol.rows == symbol.columns  # square only: no DMRE rectangles
    assert image_of(png).size == ((symbol.columns + 2) * module_px,) * 2  # one-module quiet zone


def test_fixed_length_fields_come_first_and_variable_ones_end_with_gs() -> None:
    pairs = pack_pairs(TRICKY.gtin, TRICKY.serial, TRICKY.batch, TRICKY.expiry, TRICKY.national)
    decoded = read(barcodes.to_png(barcodes.gs1_datamatrix(pairs), 4), zxingcpp.BarcodeFormat.DataMatrix)
    assert decoded.text == "0109506000134352" + "17270200" + f"10L(10)1/&{GS}" + f'21A"%&/<?_{GS}' + "71412<>?"


@settings(max_examples=20, deadline=None)
@given(packs())
@example(TRICKY)
def test_datamatrix_svg_draws_the_same_modules(pack: Pack) -> None:
    symbol = barcodes.gs1_datamatrix(pack_pairs(pack.gtin, pack.serial, pack.batch, pack.expiry, pack.national))
    svg = barcodes.to_svg(symbol, module_size=0.4, unit="mm")
    side = symbol.columns + 2
    assert f'width="{side * 0.4:g}mm"' in svg and f'viewBox="0 0 {side} {side}"' in svg
    pixels = rasterize_svg_path(svg)
    assert ((pixels == 0)[1:-1, 1:-1] == symbol.modules).all()
    scaled = image_of(barcodes.to_png(symbol, 1)).resize((side * 4, side * 4))
    assert (
        read(pixels.repeat(4, 0).repeat(4, 1), zxingcpp.BarcodeFormat.DataMatrix).text
        == read(scaled, zxingcpp.BarcodeFormat.DataMatrix).text
    )


def test_datamatrix_in_a_second_decoder() -> None:
    dmtx = libdmtx()
    pairs = pack_pairs(TRICKY.gtin, TRICKY.serial, TRICKY.batch, TRICKY.expiry, TRICKY.national)
    decoded = dmtx.decode(image_of(barcodes.to_png(barcodes.gs1_datamatrix(pairs), 4)))
    # libdmtx drops FNC1 from its output, so only the data characters can be compared.
    assert [d.data.decode() for d in decoded] == ["010950600013435217270200" + '10L(10)1/&21A"%&/<?_71412<>?']


@settings(max_examples=30, deadline=None)
@given(ssccs, st.integers(1, 4))
@example("106141411234567897", 2)
def test_gs1_128_sscc_decodes(sscc: str, module_px: int) -> None:
    symbol = barcodes.gs1_128_sscc(sscc, bar_height=30)
    png = barcodes.to_png(symbol, module_px)
    decoded = read(png, zxingcpp.BarcodeFormat.Code128)
    assert decoded.symbology_identifier == "]C1"  # FNC1 after the start character: GS1-128
    assert biip_pairs(scanner_string(decoded)) == [("00", sscc)]
    assert image_of(png).size == ((symbol.columns + 20) * module_px, 30 * module_px)  # 10-module quiet zones


def test_gs1_128_in_a_second_decoder() -> None:
    decoded = zbar().decode(image_of(barcodes.to_png(barcodes.gs1_128_sscc("106141411234567897"), 3)))
    assert [(d.type, d.data) for d in decoded] == [("CODE128", b"00106141411234567897")]


def test_gs1_128_svg_has_full_height_bars() -> None:
    symbol = barcodes.gs1_128_sscc("106141411234567897", bar_height=40)
    svg = barcodes.to_svg(symbol, module_size=2, unit="")
    assert 'width="352" height="80"' in svg and 'viewBox="0 0 176 40"' in svg
    pixels = rasterize_svg_path(svg)
    assert (pixels[0] == pixels[-1]).all() and (pixels[:, :10] == 255).all() and (pixels[:, -10:] == 255).all()
    assert read(pixels.repeat(3, 0).repeat(3, 1), zxingcpp.BarcodeFormat.Code128).symbology_identifier == "]C1"


@settings(max_examples=30, deadline=None)
@given(packs())
@example(TRICKY)
def test_digital_link_qr_decodes_to_the_uri(pack: Pack) -> None:
    uri = pack_uri(pack.gtin, pack.serial, pack.batch, pack.expiry)
    decoded = read(barcodes.to_png(barcodes.digital_link_qr(uri), 3), zxingcpp.BarcodeFormat.QRCode)
    assert decoded.text == uri
    assert decoded.symbology_identifier == "]Q1"  # a plain QR code: the URI is the data, no FNC1
    national = Pack(pack.gtin, pack.serial, pack.batch, pack.expiry, ())
    assert sorted(biip_pairs(decoded.text)) == expected_pairs(national)


def test_sscc_digital_link_qr_in_a_second_decoder() -> None:
    uri = sscc_uri("106141411234567897")
    decoded = zbar().decode(image_of(barcodes.to_png(barcodes.digital_link_qr(uri), 4)))
    assert [(d.type, d.data.decode()) for d in decoded] == [("QRCODE", uri)]


def test_qr_svg_has_a_four_module_quiet_zone() -> None:
    symbol = barcodes.digital_link_qr("https://id.gs1.org/00/106141411234567897")
    svg = barcodes.to_svg(symbol, module_size=10, unit="px")
    pixels = rasterize_svg_path(svg)
    assert pixels.shape == (symbol.rows + 8, symbol.columns + 8)
    assert (pixels[:4] == 255).all() and (pixels[:, -4:] == 255).all() and (pixels[4, 4:11] == 0).all()


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([("01", "09506000134352"), ("10", "A" * 21)], "AI 10"),
        ([("01", "09506000134352"), ("21", "A#1")], "set 82"),
        ([("01", "09506000134353")], "check digit"),
    ],
)
def test_invalid_element_strings_are_refused(pairs: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(GS1Error, match=message):
        barcodes.gs1_datamatrix(pairs)


def test_invalid_sscc_and_module_size_are_refused() -> None:
    with pytest.raises(GS1Error, match="check digit"):
        barcodes.gs1_128_sscc("106141411234567890")
    symbol = barcodes.gs1_128_sscc("106141411234567897")
    with pytest.raises(ValueError, match="at least 1 pixel"):
        barcodes.to_png(symbol, 0)
    with pytest.raises(ValueError, match="positive"):
        barcodes.to_svg(symbol, 0)


def test_a_symbol_that_is_not_the_gs1_data_asked_for_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # The writer ignores options it does not know; without GS1 mode it would encode the brackets as text.
    create = zxingcpp.create_barcode
    monkeypatch.setattr(zxingcpp, "create_barcode", lambda content, fmt, **options: create(content, fmt))
    with pytest.raises(GS1Error, match="expected GS1 data"):
        barcodes.gs1_datamatrix([("01", "09506000134352"), ("21", "1")])
    with pytest.raises(GS1Error, match="expected GS1 data"):
        barcodes.gs1_128_sscc("106141411234567897")
