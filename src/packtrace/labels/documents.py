"""Documents of many labels: PDF (one label per page), a zip of PNGs, Zebra ZPL II.

Each renderer takes an iterable and works label by label, so a caller can stream 10,000 labels from the
database: nothing keeps more than one label's barcode or image at a time. The exception is reportlab,
which keeps every finished page until the PDF is written: about 10 KB a label, 100 MB for 10,000, so
print larger runs as several documents.
"""

from __future__ import annotations

import functools
import io
import math
import zipfile
from collections.abc import Callable, Iterable, Iterator
from importlib.resources import files
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from packtrace.gs1.element_string import GS
from packtrace.labels import barcodes
from packtrace.labels.errors import LabelError
from packtrace.labels.layouts import Label, layout
from packtrace.labels.templates import LINE_SPACING, BarcodeBox, Layout, TextBlock, datamatrix_size_bound

PDF_FONT = "Helvetica"
# Pillow needs a font file; reportlab ships Bitstream Vera, so no system font is needed.
PNG_FONT_FILE = files("reportlab") / "fonts" / "Vera.ttf"
# Baseline below the top of a line, as a fraction of the font size (Helvetica/Vera ascent is ~0.75-0.93).
_BASELINE = 0.8
DEFAULT_DPI = 300
DEFAULT_DPMM = 12  # Zebra printheads: 8 (203 dpi), 12 (300 dpi) or 24 (600 dpi) dots per mm


def _layouts(labels: Iterable[Label], label_size_mm: tuple[float, float] | None) -> Iterator[Layout]:
    for label in labels:
        yield layout(label, label_size_mm)


def _symbol(box: BarcodeBox) -> barcodes.Symbol:
    if box.kind == "gs1-128":
        symbol = barcodes.gs1_128(box.pairs)
    elif box.kind == "gs1-qr-digital-link":
        symbol = barcodes.digital_link_qr(box.raw)
    else:
        symbol = barcodes.gs1_datamatrix(box.pairs)
    if symbol.columns > box.modules:  # the layout's size bound is wrong: never print over the text
        raise LabelError("label", f"the {box.kind} has {symbol.columns} modules, the layout allows {box.modules}")
    return symbol


def _module_units(box: BarcodeBox, units_per_mm: float, total_columns: int) -> int:
    """The module in whole pixels or dots: the nearest to the layout's, smaller if the symbol would not fit."""
    return max(1, min(round(box.module_mm * units_per_mm), math.floor(box.max_width_mm * units_per_mm / total_columns)))


def _font_size(text: TextBlock, width_at_1: Callable[[str], float]) -> float:
    """The largest font size (mm) up to the block's maximum at which every line fits the box."""
    widest = max((width_at_1(line) for line in text.lines), default=0.0)
    size = min(text.max_font_mm, text.height_mm / (len(text.lines) * LINE_SPACING))
    if widest > 0:
        size = min(size, text.width_mm / widest)
    return size


def _helvetica_width(line: str) -> float:
    """Width of `line` in Helvetica at size 1 (so in mm at 1 mm, in points at 1 pt)."""
    return stringWidth(line, PDF_FONT, 1)


# ---------------------------------------------------------------------------------------------------- PDF


def write_pdf(labels: Iterable[Label], out: BinaryIO, label_size_mm: tuple[float, float] | None = None) -> int:
    """Write a PDF with one label per page to `out`; returns the number of pages."""
    canvas = Canvas(out, pageCompression=1, invariant=True)
    canvas.setTitle("PackTrace labels")
    pages = 0
    for page in _layouts(labels, label_size_mm):
        canvas.setPageSize((page.width_mm * mm, page.height_mm * mm))
        for box in page.barcodes:
            _pdf_barcode(canvas, page, box)
        for text in page.texts:
            _pdf_text(canvas, page, text)
        canvas.showPage()
        pages += 1
    if not pages:
        raise LabelError("labels", "there are no labels to render")
    canvas.save()
    return pages


def render_pdf(labels: Iterable[Label], label_size_mm: tuple[float, float] | None = None) -> bytes:
    """A PDF with one label per page (PDF points; barcodes as vector rectangles)."""
    out = io.BytesIO()
    write_pdf(labels, out, label_size_mm)
    return out.getvalue()


def _pdf_barcode(canvas: Canvas, page: Layout, box: BarcodeBox) -> None:
    symbol = _symbol(box)
    linear = box.bar_height_mm is not None
    left = (box.x_mm + box.quiet_zone * box.module_mm) * mm
    top = (page.height_mm - box.y_mm - (0 if linear else box.quiet_zone * box.module_mm)) * mm
    # The PDF operators are written here rather than through reportlab's path API: a symbol is about 150
    # rectangles, 10,000 labels 1.5 million, and reportlab formats every coordinate in Python (10x
    # slower). With the module as the unit (y down from the top) the coordinates are small integers; a
    # linear symbol's rows are one unit, its bar height, high. One fill for the whole symbol: no hairline
    # seams between rectangles in viewers.
    row_height = (box.bar_height_mm or 0) * mm if linear else box.module_mm * mm
    runs = barcodes.dark_run_array(symbol)
    if linear:
        runs[:, 3] = 1
    ops = (
        f"q 0 g {box.module_mm * mm:.4f} 0 0 {-row_height:.4f} {left:.3f} {top:.3f} cm\n"
        + "%d %d %d %d re\n" * len(runs) % tuple(runs.ravel().tolist())
        + "f Q"
    )
    canvas.addLiteral(ops)


def _pdf_text(canvas: Canvas, page: Layout, text: TextBlock) -> None:
    size = _font_size(text, _helvetica_width)
    canvas.setFont(PDF_FONT, size * mm)
    for index, line in enumerate(text.lines):
        baseline = (page.height_mm - text.y_mm - (index * LINE_SPACING + _BASELINE) * size) * mm
        if text.align == "center":
            canvas.drawCentredString((text.x_mm + text.width_mm / 2) * mm, baseline, line)
        else:
            canvas.drawString(text.x_mm * mm, baseline, line)


# ---------------------------------------------------------------------------------------------------- PNG


@functools.lru_cache(maxsize=64)
def _png_font(size_px: int) -> ImageFont.FreeTypeFont:
    with PNG_FONT_FILE.open("rb") as font_file:
        return ImageFont.truetype(io.BytesIO(font_file.read()), size_px)


@functools.lru_cache(maxsize=1)
def _png_reference_font() -> ImageFont.FreeTypeFont:
    return _png_font(1000)


def _vera_width_mm(line: str) -> float:
    return _png_reference_font().getlength(line) / 1000


def render_png(label: Label, label_size_mm: tuple[float, float] | None = None, dpi: int = DEFAULT_DPI) -> bytes:
    """One label as a greyscale PNG at `dpi` (modules a whole number of pixels, so they stay crisp)."""
    return _png(layout(label, label_size_mm), dpi)


def _png(page: Layout, dpi: int) -> bytes:
    px_per_mm = dpi / 25.4
    image = Image.new("L", (round(page.width_mm * px_per_mm), round(page.height_mm * px_per_mm)), 255)
    for box in page.barcodes:
        _png_barcode(image, box, px_per_mm)
    draw = ImageDraw.Draw(image)
    for text in page.texts:
        _png_text(draw, text, px_per_mm)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def _placed(box: BarcodeBox, units_per_mm: float) -> tuple[Image.Image, int, int]:
    """The symbol as a 1-bit image of whole pixels or dots per module, quiet zones included, and its top
    left corner in pixels or dots."""
    symbol = _symbol(box)
    module_px = _module_units(box, units_per_mm, symbol.total_columns)
    if box.bar_height_mm is not None:
        symbol = barcodes.Symbol(
            symbol.kind, symbol.modules, symbol.quiet_zone, round(box.bar_height_mm * units_per_mm / module_px)
        )
    # A GS1-128 is centred on its box: rounding the module to whole pixels changes its width.
    x = round(box.x_mm * units_per_mm)
    if box.kind == "gs1-128":
        x = round(
            (box.x_mm + (box.modules + 2 * box.quiet_zone) * box.module_mm / 2) * units_per_mm
            - symbol.total_columns * module_px / 2
        )
    return barcodes.to_image(symbol, module_px), x, round(box.y_mm * units_per_mm)


def _png_barcode(image: Image.Image, box: BarcodeBox, px_per_mm: float) -> None:
    symbol, x, y = _placed(box, px_per_mm)
    image.paste(symbol, (x, y))


def _png_text(draw: ImageDraw.ImageDraw, text: TextBlock, px_per_mm: float) -> None:
    size = _font_size(text, _vera_width_mm)
    font = _png_font(max(1, round(size * px_per_mm)))
    for index, line in enumerate(text.lines):
        baseline = (text.y_mm + (index * LINE_SPACING + _BASELINE) * size) * px_per_mm
        if text.align == "center":
            draw.text(((text.x_mm + text.width_mm / 2) * px_per_mm, baseline), line, font=font, fill=0, anchor="ms")
        else:
            draw.text((text.x_mm * px_per_mm, baseline), line, font=font, fill=0, anchor="ls")


def write_png_zip(
    labels: Iterable[Label], out: BinaryIO, label_size_mm: tuple[float, float] | None = None, dpi: int = DEFAULT_DPI
) -> int:
    """Write a zip with one PNG per label, named `<GTIN>-<serial>.png` or `<SSCC>.png`; returns the count.

    Serials are percent-encoded in names (set 82 has "/", "?", "<", ...); a label given twice gets "~2".
    """
    seen: dict[str, int] = {}
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:  # PNG is compressed already
        for page in _layouts(labels, label_size_mm):
            seen[page.name] = seen.get(page.name, 0) + 1
            suffix = f"~{seen[page.name]}" if seen[page.name] > 1 else ""
            archive.writestr(f"{page.name}{suffix}.png", _png(page, dpi))
            count += 1
    return count


def render_png_zip(
    labels: Iterable[Label], label_size_mm: tuple[float, float] | None = None, dpi: int = DEFAULT_DPI
) -> bytes:
    """A zip with one PNG per label (see `write_png_zip`)."""
    out = io.BytesIO()
    write_png_zip(labels, out, label_size_mm, dpi)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------- ZPL

# Field data: "^" and "~" start ZPL commands. Set 82 has neither, but a text line is escaped anyway with
# ^FH and "\" (hex) rather than trusted. The DataMatrix field does not use ^FH: its own escapes (below)
# would be read as hex first.
_ZPL_TEXT_ESCAPES = {ord(c): f"\\{ord(c):02X}" for c in "^~\\"}
# ^BX quality 200 with "_" set explicitly as the escape character (older firmware defaults to "_", newer
# to "~"): "_1" is FNC1 and "__" a literal underscore, which set 82 allows.
ZPL_DATAMATRIX_FNC1 = "_1"


def zpl_datamatrix_data(raw: str) -> str:
    """The ^FD data of a GS1 DataMatrix: FNC1 first, FNC1 for each GS, "_" doubled."""
    return ZPL_DATAMATRIX_FNC1 + ZPL_DATAMATRIX_FNC1.join(part.replace("_", "__") for part in raw.split(GS))


def _zpl_text(value: str) -> str:
    if value.isascii() and value.isprintable():
        return value.translate(_ZPL_TEXT_ESCAPES)
    return "".join(f"\\{byte:02X}" for byte in value.encode("utf-8"))


def _zpl(page: Layout, dpmm: int) -> str:
    def dots(value_mm: float) -> int:
        return _dots(value_mm, dpmm)

    parts = [f"^XA^CI28^PW{dots(page.width_mm)}^LL{dots(page.height_mm)}^LH0,0"]
    parts += (_zpl_barcode(box, dpmm) for box in page.barcodes)
    for text in page.texts:
        size = _font_size(text, _helvetica_width)
        height = max(1, dots(size))
        for index, line in enumerate(text.lines):
            top = dots(text.y_mm + index * LINE_SPACING * size)
            if text.align == "center":
                parts.append(f"^FO{dots(text.x_mm)},{top}^FB{dots(text.width_mm)},1,0,C,0")
            else:
                parts.append(f"^FO{dots(text.x_mm)},{top}")
            parts.append(f"^A0N,{height},{height}^FH\\^FD{_zpl_text(line)}^FS")
    parts.append("^XZ\n")
    return "".join(parts)


def _dots(value_mm: float, dpmm: int) -> int:
    return round(value_mm * dpmm)


def _zpl_barcode(box: BarcodeBox, dpmm: int) -> str:
    def dots(value_mm: float) -> int:
        return _dots(value_mm, dpmm)

    module = _module_units(box, dpmm, box.modules + 2 * box.quiet_zone)  # the printer encodes: use the bound
    if box.kind == "gs1-128" and [ai for ai, _ in box.pairs] == ["00"]:
        # ^BC mode N with explicit start C (">;") and FNC1 (">8"): GS1-128. No interpretation line: the
        # layout prints "(00) ..." itself.
        x = dots(box.x_mm + (box.modules + 2 * box.quiet_zone) * box.module_mm / 2) - box.modules * module // 2
        return f"^BY{module}^FO{x},{dots(box.y_mm)}^BCN,{dots(box.bar_height_mm or 0)},N,N,N,N^FD>;>8{box.raw}^FS"
    if box.kind == "gs1-datamatrix":
        # Columns and rows fixed at the layout's bound (ASCII mode, which any encoder can match): a
        # printer that would pick a larger symbol for the same data cannot draw it into the text.
        side = datamatrix_size_bound(box.raw)
        offset = box.quiet_zone * module
        return (
            f"^FO{dots(box.x_mm) + offset},{dots(box.y_mm) + offset}"
            f"^BXN,{module},200,{side},{side},,_^FD{zpl_datamatrix_data(box.raw)}^FS"
        )
    # Other symbols go as a graphic field of the symbol encoded and checked here: ^BC would need code set
    # switches written by hand (and ">" in a batch is one of its escapes) while a logistic label must know
    # each symbol's width exactly; ^BQ places its QR code below ^FO by a firmware dependent offset.
    image, x, y = _placed(box, dpmm)
    return f"^FO{x},{y}" + zpl_graphic(image)


def zpl_graphic(image: Image.Image) -> str:
    """A ^GF graphic field (ASCII hex) of a 1-bit image: a set bit prints a dot, so dark pixels are 1."""
    dark = ~np.asarray(image.convert("1"), dtype=bool)
    rows = np.packbits(dark, axis=1)
    row_bytes = int(rows.shape[1])
    total = int(rows.size)
    return f"^GFA,{total},{total},{row_bytes},{rows.tobytes().hex().upper()}^FS"


def iter_zpl(
    labels: Iterable[Label], label_size_mm: tuple[float, float] | None = None, dpmm: int = DEFAULT_DPMM
) -> Iterator[str]:
    """One ZPL II format (^XA ... ^XZ) per label, to send to a printer as they come."""
    if dpmm not in (6, 8, 12, 24):  # checked now, not at the first label
        raise LabelError("dpmm", f"printer resolution must be 6, 8, 12 or 24 dots per mm, got {dpmm}")
    return (_zpl(page, dpmm) for page in _layouts(labels, label_size_mm))


def render_zpl(
    labels: Iterable[Label], label_size_mm: tuple[float, float] | None = None, dpmm: int = DEFAULT_DPMM
) -> str:
    """ZPL II for a Zebra printer: one ^XA ... ^XZ per label; the printer encodes the barcodes."""
    return "".join(iter_zpl(labels, label_size_mm, dpmm))
