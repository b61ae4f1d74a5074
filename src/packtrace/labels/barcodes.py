"""Barcode symbols for labels: GS1 DataMatrix, GS1 Digital Link QR and GS1-128 (SSCC), as PNG and SVG.

Encoding is done by libraries, never here:
- GS1 DataMatrix and GS1-128 by zxing-cpp's writer, which wraps zint. It installs with pip alone (wheels),
  encodes FNC1 in first position and as the separator in its GS1 mode, and reports what it encoded, so
  every symbol is checked here before it is used (the writer ignores options it does not know, silently).
  reportlab's DataMatrix has no FNC1 (its Code 128 has, but one encoder for both is simpler to trust);
  pylibdmtx and treepoem need libdmtx or Ghostscript on the machine.
- QR codes by segno (pure Python, well kept).

A `Symbol` is the module matrix; this module draws it as PNG (Pillow) or SVG (by hand: a path of
rectangles), and `dark_run_array` gives the rectangles to any other renderer (the PDF).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import segno
import zxingcpp
from PIL import Image

from packtrace.gs1.element_string import Pair, ordered_for_encoding, to_raw
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.sscc import validate_sscc

SymbolKind = Literal["gs1-datamatrix", "gs1-qr-digital-link", "gs1-128"]

# Quiet zones in modules: DataMatrix (ISO/IEC 16022), QR (ISO/IEC 18004), Code 128 (ISO/IEC 15417).
DATAMATRIX_QUIET_ZONE = 1
QR_QUIET_ZONE = 4
CODE128_QUIET_ZONE = 10
# GS1 logistic label: bars at least 31.75 mm high at X = 0.495 mm, i.e. about 64 modules.
GS1_128_DEFAULT_HEIGHT = 64


@dataclass(frozen=True, eq=False)
class Symbol:
    """A barcode as modules: `modules[row, column]` is True where dark, quiet zone not included.

    A linear symbol (GS1-128) has one row, drawn `bar_height` modules high.
    """

    kind: SymbolKind
    modules: npt.NDArray[np.bool_]
    quiet_zone: int
    bar_height: int | None = None

    @property
    def columns(self) -> int:
        return int(self.modules.shape[1])

    @property
    def rows(self) -> int:
        """Height in modules as drawn (a linear symbol's bar height)."""
        return self.bar_height if self.bar_height is not None else int(self.modules.shape[0])

    @property
    def total_columns(self) -> int:
        return self.columns + 2 * self.quiet_zone

    @property
    def total_rows(self) -> int:
        """Height with quiet zones; a linear symbol has none above or below (its bars need none)."""
        return self.rows if self.bar_height is not None else self.rows + 2 * self.quiet_zone


def _bracketed(pairs: Iterable[Pair]) -> str:
    # zint's GS1 input: "[AI]value". Square brackets, not parentheses, because set 82 contains "(" and ")"
    # but no "[" or "]", so a serial like "A(21)B" cannot be misread as a new AI.
    return "".join(f"[{ai}]{value}" for ai, value in ordered_for_encoding(pairs))


def _encode(content: str, barcode_format: zxingcpp.BarcodeFormat, expected: str) -> zxingcpp.Barcode:
    try:
        # forceSquare: without it zint may pick rectangular DMRE sizes (8x64 ...) that many pharma
        # scanners and verifiers refuse. Code 128 ignores it.
        barcode = zxingcpp.create_barcode(content, barcode_format, gs1=True, forceSquare=True)
    except ValueError as exc:
        raise GS1Error(f"the barcode encoder refused {content!r}: {exc}") from None
    # The writer silently ignores options it does not know: make sure the symbol is GS1 (FNC1 first) and
    # carries exactly our element string, so that a library change cannot print a wrong code.
    if barcode.content_type != zxingcpp.ContentType.GS1 or barcode.bytes.decode("ascii") != expected:
        raise GS1Error(
            f"the barcode encoder produced {barcode.symbology_identifier} {barcode.bytes!r} "
            f"(content {barcode.content_type}), expected GS1 data {expected!r}"
        )
    return barcode


def _matrix(barcode: zxingcpp.Barcode) -> npt.NDArray[np.bool_]:
    # One pixel per module, no quiet zone: black (0) is a dark module.
    pixels = np.asarray(barcode.to_image(scale=1, add_quiet_zones=False))
    dark: npt.NDArray[np.bool_] = pixels == 0
    return dark


def gs1_datamatrix(pairs: Iterable[Pair]) -> Symbol:
    """A square ECC 200 GS1 DataMatrix of `pairs` (fixed-length AIs first; FNC1 first and as separator)."""
    checked = list(pairs)
    barcode = _encode(_bracketed(checked), zxingcpp.BarcodeFormat.DataMatrix, to_raw(checked))
    modules = _matrix(barcode)
    if modules.shape[0] != modules.shape[1]:
        raise GS1Error(f"the barcode encoder produced a rectangular DataMatrix {modules.shape}, expected square")
    return Symbol("gs1-datamatrix", modules, DATAMATRIX_QUIET_ZONE)


def gs1_128(pairs: Iterable[Pair], bar_height: int = GS1_128_DEFAULT_HEIGHT) -> Symbol:
    """A GS1-128 (Code 128, FNC1 after the start character and as separator) of `pairs`, `bar_height`
    modules high. The encoder picks the code sets, so the width is only known once encoded."""
    checked = list(pairs)
    barcode = _encode(_bracketed(checked), zxingcpp.BarcodeFormat.Code128, to_raw(checked))
    row = _matrix(barcode)[:1]
    return Symbol("gs1-128", row, CODE128_QUIET_ZONE, bar_height)


def gs1_128_sscc(sscc: str, bar_height: int = GS1_128_DEFAULT_HEIGHT) -> Symbol:
    """A GS1-128 of AI 00 `sscc`, `bar_height` modules high."""
    validate_sscc(sscc)
    return gs1_128([("00", sscc)], bar_height)


def digital_link_qr(uri: str, error: Literal["L", "M", "Q", "H"] = "M") -> Symbol:
    """A QR code of a GS1 Digital Link URI (a plain QR code, no FNC1: the URI is the data)."""
    qr = segno.make_qr(uri, error=error.lower())
    modules = np.array([list(row) for row in qr.matrix], dtype=np.uint8) != 0
    return Symbol("gs1-qr-digital-link", modules, QR_QUIET_ZONE)


def dark_run_array(symbol: Symbol) -> npt.NDArray[np.intp]:
    """The dark modules as rectangles, one row (x, y, width, height) each, in modules from the top left
    of the symbol, quiet zone not included. Each row's horizontal runs are one rectangle; a linear
    symbol's bars span its bar height."""
    # Colour changes along each row, with a light module added at both ends: +1 opens a run, -1 closes
    # it. np.nonzero walks row by row, so the n-th opening and the n-th closing belong together.
    changes = np.diff(np.pad(symbol.modules, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, starts = np.nonzero(changes == 1)
    _, ends = np.nonzero(changes == -1)
    height = np.full_like(starts, 1 if symbol.bar_height is None else symbol.bar_height)
    return np.column_stack((starts, rows, ends - starts, height))


def dark_runs(symbol: Symbol) -> Iterator[tuple[int, int, int, int]]:
    """`dark_run_array` as tuples of ints."""
    return ((x, y, w, h) for x, y, w, h in dark_run_array(symbol).tolist())


def _pixels(symbol: Symbol, module_px: int) -> npt.NDArray[np.bool_]:
    """Light (True) / dark (False) pixels with quiet zones, for Pillow's 1-bit mode."""
    if module_px < 1:
        raise ValueError(f"module size must be at least 1 pixel, got {module_px}")
    light = ~symbol.modules
    if symbol.bar_height is not None:
        light = np.repeat(light, symbol.bar_height, axis=0)
        light = np.pad(light, ((0, 0), (symbol.quiet_zone, symbol.quiet_zone)), constant_values=True)
    else:
        light = np.pad(light, symbol.quiet_zone, constant_values=True)
    return np.repeat(np.repeat(light, module_px, axis=0), module_px, axis=1)


def to_image(symbol: Symbol, module_px: int) -> Image.Image:
    """A 1-bit Pillow image, `module_px` pixels per module, quiet zones included."""
    return Image.fromarray(_pixels(symbol, module_px))


def to_png(symbol: Symbol, module_px: int = 4, dpi: int | None = None) -> bytes:
    """PNG bytes, `module_px` pixels per module, quiet zones included; `dpi` is recorded if given."""
    out = io.BytesIO()
    to_image(symbol, module_px).save(out, format="PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return out.getvalue()


def svg_path(symbol: Symbol) -> str:
    """SVG path data of the dark modules, one unit per module, quiet zone not included."""
    return "".join(f"M{x} {y}h{w}v{h}h-{w}z" for x, y, w, h in dark_runs(symbol))


def to_svg(symbol: Symbol, module_size: float = 0.5, unit: Literal["mm", "px", "pt", "in", ""] = "mm") -> str:
    """A standalone SVG document: `module_size` `unit`s per module (unit "" = user units), quiet zones
    included, light background drawn so that the quiet zone survives on a coloured page."""
    if module_size <= 0:
        raise ValueError(f"module size must be positive, got {module_size}")
    q = symbol.quiet_zone
    width, height = symbol.total_columns, symbol.total_rows
    top = 0 if symbol.bar_height is not None else q
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'width="{width * module_size:g}{unit}" height="{height * module_size:g}{unit}" '
        f'viewBox="0 0 {width} {height}" shape-rendering="crispEdges">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<path transform="translate({q} {top})" fill="#000" d="{svg_path(symbol)}"/>'
        "</svg>\n"
    )
