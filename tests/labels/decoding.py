"""Independent readers for the label tests: zxing-cpp's decoder (not the zint encoder it also wraps),
biip's GS1 parser, and, where their system libraries are installed, libdmtx and zbar."""

from __future__ import annotations

import io
import re
import warnings
from types import ModuleType
from xml.etree import ElementTree

import biip
import numpy as np
import pytest
import zxingcpp
from PIL import Image

GS = "\x1d"


def image_of(data: bytes | Image.Image | np.ndarray) -> Image.Image:
    if isinstance(data, np.ndarray):
        return Image.fromarray(data)
    image = data if isinstance(data, Image.Image) else Image.open(io.BytesIO(data))
    return image.convert("L")


def read(data: bytes | Image.Image | np.ndarray, barcode_format: zxingcpp.BarcodeFormat) -> zxingcpp.Barcode:
    """The one barcode of `barcode_format` in the image; text as transmitted (GS separators, no prefix)."""
    found = zxingcpp.read_barcodes(image_of(data), formats=barcode_format, text_mode=zxingcpp.TextMode.Plain)
    assert len(found) == 1, f"expected one {barcode_format}, found {[b.text for b in found]}"
    return found[0]


def scanner_string(barcode: zxingcpp.Barcode) -> str:
    """What a scanner configured to send the symbology identifier transmits."""
    return barcode.symbology_identifier + barcode.text


def biip_pairs(scanned: str) -> list[tuple[str, str]]:
    """(AI, value) pairs as biip reads a scanned string or a Digital Link URI."""
    result = biip.parse(scanned)
    if result.gs1_digital_link_uri is not None:
        return [(e.ai.ai, e.value) for e in result.gs1_digital_link_uri.element_strings]
    assert result.gs1_message is not None, result.gs1_message_error
    return [(e.ai.ai, e.value) for e in result.gs1_message.element_strings]


def biip_dates(scanned: str) -> dict[str, object]:
    result = biip.parse(scanned)
    assert result.gs1_message is not None
    return {e.ai.ai: e.date for e in result.gs1_message.element_strings if e.date is not None}


def rasterize_svg_path(svg: str) -> np.ndarray:
    """Fill the SVG's rectangles (our own "M x y h w v h h -w z" subpaths) into a light/dark array."""
    root = ElementTree.fromstring(svg)
    _, _, width, height = (int(float(v)) for v in root.attrib["viewBox"].split())
    pixels = np.full((height, width), 255, dtype=np.uint8)
    path = root.find("{http://www.w3.org/2000/svg}path")
    assert path is not None
    shift = re.fullmatch(r"translate\((\d+) (\d+)\)", path.attrib["transform"])
    assert shift is not None
    dx, dy = int(shift[1]), int(shift[2])
    for x, y, w, h in re.findall(r"M(\d+) (\d+)h(\d+)v(\d+)h-\d+z", path.attrib["d"]):
        pixels[dy + int(y) : dy + int(y) + int(h), dx + int(x) : dx + int(x) + int(w)] = 0
    return pixels


def libdmtx() -> ModuleType:
    """pylibdmtx, or skip: it needs the libdmtx system library (Debian: libdmtx0b)."""
    with warnings.catch_warnings():
        # pylibdmtx 0.1.10 compares versions with distutils' LooseVersion, deprecated.
        warnings.filterwarnings("ignore", "distutils Version classes are deprecated", DeprecationWarning)
        return pytest.importorskip(
            "pylibdmtx.pylibdmtx", reason="libdmtx (Debian libdmtx0b) is not installed", exc_type=ImportError
        )


def zbar() -> ModuleType:
    """pyzbar, or skip: it needs the zbar system library (Debian: libzbar0)."""
    return pytest.importorskip("pyzbar.pyzbar", reason="zbar (Debian libzbar0) is not installed", exc_type=ImportError)
