"""The smallest symbols a label may carry, and the module size a layout gives a symbol within them.

Figures from the GS1 General Specifications, §5.12.3 "GS1 symbol specification tables":
- GS1 DataMatrix on a medicinal pack: symbol specification table 6 (regulated healthcare retail consumer
  trade items), minimum X 0.254 mm. A 2D symbol is printed at 1.5 times the X of a linear one because of
  the image capture's optics; 0.254 mm is 1.5 times the table's 0.170 mm linear minimum.
- GS1 QR Code with a GS1 Digital Link URI (scanned by consumers' phones and at retail): symbol
  specification table 1 (trade items scanned at general retail POS), minimum X 0.396 mm (1.5 times 0.264).
- GS1-128 on a GS1 logistic label: the symbol specification table for logistic units, minimum X 0.495 mm,
  bars at least 31.75 mm high, and no symbol wider than 165 mm with its quiet zones.

A size that would put a symbol below its minimum is refused, naming the minimum; it is never shrunk
silently (a code that does not scan on the line stops the line).
"""

from __future__ import annotations

from dataclasses import dataclass

from packtrace.labels.errors import LabelError


@dataclass(frozen=True)
class Minimum:
    symbol: str
    x_mm: float
    table: str
    bar_height_mm: float | None = None  # linear symbols only
    max_width_mm: float | None = None  # with quiet zones


PACK_DATAMATRIX = Minimum("GS1 DataMatrix", 0.254, "symbol specification table 6 (regulated healthcare)")
DIGITAL_LINK_QR = Minimum("GS1 QR Code", 0.396, "symbol specification table 1 (general retail POS)")
LOGISTIC_GS1_128 = Minimum("GS1-128", 0.495, "symbol specification table for logistic units", 31.75, 165.0)
_SLACK = 1e-9  # float arithmetic on millimetres


def fit_module(
    wanted_mm: float,
    width_space_mm: float,
    height_space_mm: float,
    modules: int,
    minimum: Minimum,
    size_mm: tuple[float, float],
) -> float:
    """The module size for a symbol `modules` wide (quiet zones included) in the space left by the label:
    `wanted_mm` if it fits, smaller down to the minimum, refused below it. `height_space_mm` is the height
    available to a square symbol (pass `width_space_mm` again for a linear one)."""
    module = min(wanted_mm, width_space_mm / modules, height_space_mm / modules)
    if module + _SLACK >= minimum.x_mm:
        return module
    field = "label_width_mm" if width_space_mm <= height_space_mm else "label_height_mm"
    raise LabelError(
        field,
        f"a {size_mm[0]:g} x {size_mm[1]:g} mm label leaves room for a {minimum.symbol} of {modules} modules at "
        f"X {max(module, 0):.3f} mm, below the minimum X-dimension of {minimum.x_mm} mm "
        f"(GS1 General Specifications, {minimum.table})",
    )


def check_bar_height(bar_height_mm: float, minimum: Minimum, size_mm: tuple[float, float]) -> None:
    if minimum.bar_height_mm is not None and bar_height_mm + _SLACK < minimum.bar_height_mm:
        raise LabelError(
            "label_height_mm",
            f"a {size_mm[0]:g} x {size_mm[1]:g} mm label leaves {max(bar_height_mm, 0):.2f} mm for the "
            f"{minimum.symbol} bars, below the minimum bar height of {minimum.bar_height_mm} mm "
            f"(GS1 General Specifications, {minimum.table})",
        )
