"""Label contents and layouts: what a pack or case label says, and where each part goes.

A `Layout` is device independent (millimetres from the top left) and carries the element string rather
than an encoded symbol, so that the PDF and PNG renderers encode the barcode themselves while the ZPL
renderer lets the printer encode it. All three place the parts the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

from packtrace.gs1.element_string import NATIONAL_AIS, Pair, ordered_for_encoding, pack_pairs, to_raw, validate_value
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.gtin import normalize_gtin
from packtrace.gs1.sscc import validate_sscc
from packtrace.labels.barcodes import CODE128_QUIET_ZONE, DATAMATRIX_QUIET_ZONE, SymbolKind
from packtrace.labels.errors import LabelError
from packtrace.labels.minimums import LOGISTIC_GS1_128, PACK_DATAMATRIX, check_bar_height, fit_module

PACK_SIZE_MM = (50.0, 22.0)
CASE_SIZE_MM = (100.0, 60.0)
# Module (X) sizes: 0.4 mm is a usual pack DataMatrix; a GS1-128 on a logistic label needs X >= 0.495 mm and
# bars >= 31.75 mm high. Layouts shrink X only when the symbol would not fit the label otherwise, and never
# below the GS1 minimums (minimums.py).
PACK_MODULE_MM = 0.4
CASE_MODULE_MM = 0.495
MARGIN_MM = 1.5
CASE_MARGIN_MM = 3.0
LINE_SPACING = 1.25  # line pitch as a multiple of the font size

# The HRI prefix of a national number: "NN" as EMVO recommends, the code's own name where it has one.
_NATIONAL_PREFIX = {"710": "PZN", "715": "NDC"}
# GS1-128 of AI 00: start C, FNC1, ten digit pairs, check character (11 modules each) and stop (13).
_SSCC_CODE128_MODULES = 11 * 13 + 13
# ECC 200 square symbols: (modules per side, data codewords), from ISO/IEC 16022.
_DATAMATRIX_SQUARE_SIZES = (
    (10, 3), (12, 5), (14, 8), (16, 12), (18, 18), (20, 22), (22, 30), (24, 36), (26, 44), (32, 62), (36, 86),
    (40, 114), (44, 144), (48, 174), (52, 204), (64, 280), (72, 368), (80, 456), (88, 576), (96, 696),
    (104, 816), (120, 1050), (132, 1304), (144, 1558),
)  # fmt: skip
_DIGIT_PAIR = re.compile("[0-9]{2}")


def _check(label_field: str, ai: str, value: str) -> None:
    try:
        validate_value(ai, value)
    except GS1Error as exc:
        raise LabelError(label_field, str(exc)) from None


@dataclass(frozen=True)
class PackLabel:
    """The unique identifier of one pack (EU FMD Art. 4 / DSCSA): GTIN, serial, batch, expiry and national
    numbers as (AI, value) pairs, AI 710-716. A GTIN-8/12/13 is stored as GTIN-14. Constructing one checks
    every field, so a PackLabel that exists can be printed."""

    gtin: str
    serial: str
    batch: str | None
    expiry: str | None  # YYMMDD, day 00 = last day of the month
    national: tuple[Pair, ...] = ()
    pairs: tuple[Pair, ...] = field(init=False, repr=False, compare=False)  # in encoding order
    raw: str = field(init=False, repr=False, compare=False)  # the element string a scanner sends

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "gtin", normalize_gtin(self.gtin))
        except GS1Error as exc:
            raise LabelError("gtin", str(exc)) from None
        _check("serial", "21", self.serial)
        if self.batch is not None:
            _check("batch", "10", self.batch)
        if self.expiry is not None:
            _check("expiry", "17", self.expiry)
        object.__setattr__(self, "national", tuple((ai, value) for ai, value in self.national))
        for ai, value in self.national:
            if ai not in NATIONAL_AIS:
                raise LabelError("national", f"national number AI must be one of {', '.join(NATIONAL_AIS)}, got {ai!r}")
            _check("national", ai, value)
        try:
            pairs = pack_pairs(self.gtin, self.serial, self.batch, self.expiry, self.national)
        except GS1Error as exc:  # e.g. the same national AI twice
            raise LabelError("national", str(exc)) from None
        object.__setattr__(self, "pairs", tuple(ordered_for_encoding(pairs)))
        object.__setattr__(self, "raw", to_raw(self.pairs))

    @property
    def name(self) -> str:
        """A file name stem: GTIN and the percent-encoded serial (set 82 has "/", "?", "<", ...)."""
        return f"{self.gtin}-{quote(self.serial, safe='')}"

    def lines(self) -> tuple[str, ...]:
        """The human-readable lines EU Delegated Regulation 2016/161 Art. 7 asks for."""
        lines = [f"PC: {self.gtin}", f"SN: {self.serial}"]
        lines += [f"{_NATIONAL_PREFIX.get(ai, 'NN')}: {value}" for ai, value in self.national]
        if self.batch is not None:
            lines.append(f"Batch: {self.batch}")
        if self.expiry is not None:
            lines.append(f"Exp: {self.expiry}")  # as encoded, so that a person can compare it with a scan
        return tuple(lines)


@dataclass(frozen=True)
class CaseLabel:
    """A logistic unit: its SSCC and, when it has children, how many."""

    sscc: str
    content_count: int | None = None

    def __post_init__(self) -> None:
        try:
            validate_sscc(self.sscc)
        except GS1Error as exc:
            raise LabelError("sscc", str(exc)) from None
        if self.content_count is not None and (isinstance(self.content_count, bool) or self.content_count < 0):
            raise LabelError("content_count", f"must be a whole number of 0 or more, got {self.content_count!r}")

    @property
    def pairs(self) -> tuple[Pair, ...]:
        return (("00", self.sscc),)

    @property
    def raw(self) -> str:
        return "00" + self.sscc

    @property
    def name(self) -> str:
        return self.sscc

    def lines(self) -> tuple[str, ...]:
        lines = [f"(00) {self.sscc}"]
        if self.content_count:
            lines.append(f"Content: {self.content_count}")
        return tuple(lines)


@dataclass(frozen=True)
class BarcodeBox:
    """Where a symbol goes: (x, y) is the top left of its quiet zone.

    `modules` is the symbol's width in modules without quiet zone: exact for GS1-128, an upper bound for a
    DataMatrix (the encoder may pack the data tighter), so the real symbol always fits.
    """

    kind: SymbolKind
    pairs: tuple[Pair, ...]  # empty for a Digital Link QR, whose data is the URI in `raw`
    x_mm: float
    y_mm: float
    module_mm: float
    modules: int
    quiet_zone: int
    raw: str  # the element string after the leading FNC1, GS between fields (what a scanner sends); a URI
    # The widest the symbol with its quiet zones may be: a renderer that rounds the module to whole pixels
    # or dots rounds down rather than pass it.
    max_width_mm: float
    bar_height_mm: float | None = None  # GS1-128 only


@dataclass(frozen=True)
class TextBlock:
    """Lines of text in a box; renderers pick the largest font size up to `max_font_mm` that fits."""

    lines: tuple[str, ...]
    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float
    max_font_mm: float
    align: Literal["left", "center"] = "left"


@dataclass(frozen=True)
class Layout:
    name: str
    width_mm: float
    height_mm: float
    barcodes: tuple[BarcodeBox, ...]
    texts: tuple[TextBlock, ...]

    @property
    def barcode(self) -> BarcodeBox:
        """The label's identifier: the first symbol."""
        return self.barcodes[0]

    @property
    def text(self) -> TextBlock:
        return self.texts[0]


def datamatrix_size_bound(raw: str) -> int:
    """Modules per side of the smallest square ECC 200 symbol that holds `raw` in ASCII mode.

    ASCII mode packs two digits into one codeword and any other character (or FNC1) into one; the encoder
    may do better with other modes, never worse, so its symbol is at most this big.
    """
    # Left to right, as ASCII mode pairs digits; +1 for FNC1 in first position.
    codewords = 1 + len(raw) - len(_DIGIT_PAIR.findall(raw))
    for side, capacity in _DATAMATRIX_SQUARE_SIZES:
        if codewords <= capacity:
            return side
    raise LabelError("label", f"{codewords} codewords do not fit in a DataMatrix")


def pack_datamatrix(
    label: PackLabel, width_space_mm: float, height_space_mm: float, size_mm: tuple[float, float]
) -> BarcodeBox:
    """The pack's DataMatrix at the top left margin, as large as `PACK_MODULE_MM` allows within the space."""
    side = datamatrix_size_bound(label.raw) + 2 * DATAMATRIX_QUIET_ZONE
    module = fit_module(PACK_MODULE_MM, width_space_mm, height_space_mm, side, PACK_DATAMATRIX, size_mm)
    return BarcodeBox(
        kind="gs1-datamatrix",
        pairs=label.pairs,
        x_mm=MARGIN_MM,
        y_mm=MARGIN_MM,
        module_mm=module,
        modules=side - 2 * DATAMATRIX_QUIET_ZONE,
        quiet_zone=DATAMATRIX_QUIET_ZONE,
        raw=label.raw,
        max_width_mm=side * module + MARGIN_MM / 2,
    )


def symbol_width_mm(box: BarcodeBox) -> float:
    """The width the layout reserves for the symbol, quiet zones included."""
    return (box.modules + 2 * box.quiet_zone) * box.module_mm


def pack_layout(label: PackLabel, size_mm: tuple[float, float] = PACK_SIZE_MM) -> Layout:
    """The DataMatrix at the left, the human-readable lines to its right."""
    width, height = size_mm
    barcode = pack_datamatrix(label, width / 2 - 2 * MARGIN_MM, height - 2 * MARGIN_MM, size_mm)
    text_x = MARGIN_MM + symbol_width_mm(barcode) + MARGIN_MM
    text = TextBlock(label.lines(), text_x, MARGIN_MM, width - text_x - MARGIN_MM, height - 2 * MARGIN_MM, 3.0)
    return Layout(label.name, width, height, (barcode,), (text,))


def case_layout(label: CaseLabel, size_mm: tuple[float, float] = CASE_SIZE_MM) -> Layout:
    """The GS1-128 SSCC across the top, its "(00) ..." line and the content count centred below."""
    width, height = size_mm
    total = _SSCC_CODE128_MODULES + 2 * CODE128_QUIET_ZONE
    space = width - 2 * CASE_MARGIN_MM
    module = fit_module(CASE_MODULE_MM, space, space, total, LOGISTIC_GS1_128, size_mm)
    lines = label.lines()
    font_mm = min(5.0, height / 10)
    text_height = len(lines) * font_mm * LINE_SPACING
    bar_height = height - 2 * CASE_MARGIN_MM - text_height - 1.0
    check_bar_height(bar_height, LOGISTIC_GS1_128, size_mm)
    x = (width - total * module) / 2
    barcode = BarcodeBox(
        kind="gs1-128",
        pairs=label.pairs,
        x_mm=x,
        y_mm=CASE_MARGIN_MM,
        module_mm=module,
        modules=_SSCC_CODE128_MODULES,
        quiet_zone=CODE128_QUIET_ZONE,
        raw=label.raw,
        max_width_mm=width - 2 * CASE_MARGIN_MM,
        bar_height_mm=bar_height,
    )
    text_y = CASE_MARGIN_MM + bar_height + 1.0
    text = TextBlock(lines, CASE_MARGIN_MM, text_y, width - 2 * CASE_MARGIN_MM, text_height, font_mm, "center")
    return Layout(label.name, width, height, (barcode,), (text,))
