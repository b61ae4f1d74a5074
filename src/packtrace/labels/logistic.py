"""The GS1 logistic label of a case or pallet, after the GS1 Logistic Label Guideline, in A6 or A5.

Top to bottom: the human-readable lines with their data titles, then the GS1-128 symbols, the SSCC (00)
lowest as the guideline places it. A homogeneous unit (one GTIN, batch and expiry among its packs) also
says what it holds: (02) GTIN of the packs + (37) their count, and (17) expiry + (10) batch, each pair in
one GS1-128 when it fits the label, one symbol per AI otherwise. Every symbol is printed at X 0.495 mm,
the logistic minimum, with 31.75 mm bars and at most 165 mm wide (minimums.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from packtrace.gs1.element_string import Pair, ordered_for_encoding, to_human, to_raw, validate_value
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.gtin import normalize_gtin
from packtrace.gs1.sscc import validate_sscc
from packtrace.labels import barcodes
from packtrace.labels.errors import LabelError
from packtrace.labels.minimums import LOGISTIC_GS1_128, check_bar_height
from packtrace.labels.templates import LINE_SPACING, BarcodeBox, Layout, TextBlock

A6_SIZE_MM = (105.0, 148.0)
A5_SIZE_MM = (148.0, 210.0)
MARGIN_MM = 3.0  # top and bottom
SIDE_MM = 1.0  # a symbol's quiet zones are light already: they may come this close to the edge
BAR_HEIGHT_MM = 31.75
HRI_FONT_MM = 3.0
GAP_MM = 2.0
MIN_TEXT_FONT_MM = 2.5
# Renderers round X to whole dots or pixels, to the nearest: 0.495 mm becomes 0.5 mm at 6, 8, 12 or 24 dots
# per mm and 0.508 mm at 300 or 600 dpi. A symbol must fit at that, or it would be rounded down below 0.495.
_FIT_X_MM = 0.51


@dataclass(frozen=True)
class Content:
    """What a homogeneous unit holds: `count` packs of one GTIN, batch and expiry."""

    gtin: str
    batch: str
    expiry: str
    count: int

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "gtin", normalize_gtin(self.gtin))
            validate_value("10", self.batch)
            validate_value("17", self.expiry)
            validate_value("37", str(self.count))
        except GS1Error as exc:
            raise LabelError("ssccs", f"the unit's content cannot be printed: {exc}") from None


@dataclass(frozen=True)
class LogisticLabel:
    sscc: str
    content: Content | None  # None: empty, or packs of more than one GTIN, batch or expiry
    pack_count: int
    size_mm: tuple[float, float] = A6_SIZE_MM

    def __post_init__(self) -> None:
        try:
            validate_sscc(self.sscc)
        except GS1Error as exc:
            raise LabelError("sscc", str(exc)) from None

    @property
    def name(self) -> str:
        return self.sscc

    def symbol_groups(self) -> list[list[Pair]]:
        """The element strings to print, each group in one GS1-128 if it fits; the SSCC last."""
        groups: list[list[Pair]] = []
        if self.content is not None:
            content = self.content
            groups.append([("02", content.gtin), ("37", str(content.count))])
            groups.append([("17", content.expiry), ("10", content.batch)])
        return [*groups, [("00", self.sscc)]]

    def lines(self) -> tuple[str, ...]:
        """The human-readable part, with the guideline's data titles."""
        lines = [f"SSCC: {self.sscc}"]
        if self.content is not None:
            content = self.content
            lines += [
                f"CONTENT: {content.gtin}",
                f"COUNT: {content.count}",
                f"BATCH/LOT: {content.batch}",
                f"EXPIRY: {content.expiry}",
            ]
        elif self.pack_count:
            lines.append(f"PACKS: {self.pack_count} (more than one GTIN, batch or expiry)")
        return tuple(lines)


def _width_mm(symbol: barcodes.Symbol) -> float:
    return symbol.total_columns * _FIT_X_MM


def _symbols(label: LogisticLabel, room_mm: float) -> list[tuple[list[Pair], barcodes.Symbol]]:
    """Each group as one symbol when it fits `room_mm`, else one symbol per AI; refused when one AI
    alone does not fit."""
    out: list[tuple[list[Pair], barcodes.Symbol]] = []
    for group in label.symbol_groups():
        symbol = barcodes.gs1_128(group)
        if _width_mm(symbol) <= room_mm:
            out.append((group, symbol))
            continue
        for pair in group:
            single = barcodes.gs1_128([pair])
            if _width_mm(single) > room_mm:
                wider = " (logistic_a5 is wider)" if room_mm < A5_SIZE_MM[0] - 2 * SIDE_MM else ""
                raise LabelError(
                    "template",
                    f"the GS1-128 of {to_human([pair])} is {_width_mm(single):.1f} mm wide at X {_FIT_X_MM} mm "
                    f"(the minimum {LOGISTIC_GS1_128.x_mm} mm in whole printer dots), the label has room for "
                    f"{room_mm:.1f} mm{wider}",
                )
            out.append(([pair], single))
    return out


def logistic_layout(label: LogisticLabel, size_mm: tuple[float, float] | None = None) -> Layout:
    width, height = size_mm or label.size_mm
    room = min(width - 2 * SIDE_MM, LOGISTIC_GS1_128.max_width_mm or width)
    module = LOGISTIC_GS1_128.x_mm
    check_bar_height(min(BAR_HEIGHT_MM, height - 2 * MARGIN_MM), LOGISTIC_GS1_128, (width, height))
    hri_height = HRI_FONT_MM * LINE_SPACING
    block = BAR_HEIGHT_MM + 0.5 + hri_height + GAP_MM
    symbols = _symbols(label, room)
    boxes: list[BarcodeBox] = []
    texts: list[TextBlock] = []
    top = height - MARGIN_MM - len(symbols) * block + GAP_MM  # the first symbol's top edge
    lines = label.lines()
    text_height = top - GAP_MM - MARGIN_MM
    if text_height < len(lines) * MIN_TEXT_FONT_MM * LINE_SPACING:
        raise LabelError(
            "template",
            f"a {width:g} x {height:g} mm label has no room for {len(symbols)} GS1-128 symbols with "
            f"{BAR_HEIGHT_MM} mm bars and the human-readable lines: use a taller label (logistic_a5)",
        )
    texts.append(TextBlock(lines, SIDE_MM + 2.0, MARGIN_MM, width - 2 * SIDE_MM - 4.0, text_height, 6.0))
    for index, (pairs, symbol) in enumerate(symbols):
        y = top + index * block
        boxes.append(
            BarcodeBox(
                kind="gs1-128",
                pairs=tuple(ordered_for_encoding(pairs)),
                x_mm=(width - symbol.total_columns * module) / 2,
                y_mm=y,
                module_mm=module,
                modules=symbol.columns,
                quiet_zone=symbol.quiet_zone,
                raw=to_raw(pairs),
                max_width_mm=room,
                bar_height_mm=BAR_HEIGHT_MM,
            )
        )
        hri = (to_human(ordered_for_encoding(pairs)),)
        texts.append(TextBlock(hri, SIDE_MM, y + BAR_HEIGHT_MM + 0.5, room, hri_height, HRI_FONT_MM, "center"))
    # The SSCC is the unit's identifier: first in the layout (Layout.barcode), though printed lowest.
    boxes.insert(0, boxes.pop())
    return Layout(label.name, width, height, tuple(boxes), tuple(texts))


def content_of(groups: Sequence[tuple[str, str, str, int]]) -> tuple[Content | None, int]:
    """The content of a unit from its packs grouped by (product code, batch, expiry, count): a `Content`
    when there is exactly one group, and the number of packs."""
    total = sum(count for *_, count in groups)
    if len(groups) != 1:
        return None, total
    code, batch, expiry, count = groups[0]
    return Content(code, batch, expiry, count), total
