"""Every kind of label, and the layout of each."""

from __future__ import annotations

from packtrace.labels.digital_link_label import DigitalLinkPackLabel, digital_link_pack_layout
from packtrace.labels.logistic import LogisticLabel, logistic_layout
from packtrace.labels.templates import (
    CASE_SIZE_MM,
    PACK_SIZE_MM,
    CaseLabel,
    Layout,
    PackLabel,
    case_layout,
    pack_layout,
)

Label = PackLabel | CaseLabel | DigitalLinkPackLabel | LogisticLabel


def layout(label: Label, size_mm: tuple[float, float] | None = None) -> Layout:
    """The layout of `label`, at its kind's default size unless `size_mm` (width, height) is given."""
    if isinstance(label, PackLabel):
        return pack_layout(label, size_mm or PACK_SIZE_MM)
    if isinstance(label, CaseLabel):
        return case_layout(label, size_mm or CASE_SIZE_MM)
    if isinstance(label, DigitalLinkPackLabel):
        return digital_link_pack_layout(label, *([size_mm] if size_mm else []))
    return logistic_layout(label, size_mm)
