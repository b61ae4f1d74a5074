"""The pack label with a GS1 Digital Link QR code beside its GS1 DataMatrix.

The DataMatrix stays the pack's identifier (EU 2016/161 Art. 5 and the US DSCSA ask for a DataMatrix;
pharmacy and wholesaler scanners read it): it comes first, at the left, exactly as on the plain pack
label. The QR code carries the same identity as a Digital Link URI on the tenant's resolver, for people
with a phone; it never replaces the DataMatrix.
"""

from __future__ import annotations

from dataclasses import dataclass

from packtrace.gs1.digital_link import pack_uri
from packtrace.gs1.errors import GS1Error
from packtrace.labels import barcodes
from packtrace.labels.errors import LabelError
from packtrace.labels.minimums import DIGITAL_LINK_QR, fit_module
from packtrace.labels.templates import (
    MARGIN_MM,
    BarcodeBox,
    Layout,
    PackLabel,
    TextBlock,
    pack_datamatrix,
    symbol_width_mm,
)

DIGITAL_LINK_PACK_SIZE_MM = (75.0, 25.0)
QR_MODULE_MM = 0.5  # near table 1's target X for 2D symbols; shrunk down to its 0.396 mm minimum only
MIN_TEXT_WIDTH_MM = 15.0  # "SN: " and a 20-character serial still legible (about 1.3 mm high)


@dataclass(frozen=True)
class DigitalLinkPackLabel:
    """A pack label and the Digital Link URI of the same pack on `resolver`."""

    pack: PackLabel
    resolver: str

    @property
    def uri(self) -> str:
        pack = self.pack
        try:
            return pack_uri(pack.gtin, pack.serial, pack.batch, pack.expiry, self.resolver)
        except GS1Error as exc:
            raise LabelError("digital_link_resolver", str(exc)) from None

    @property
    def name(self) -> str:
        return self.pack.name


def digital_link_pack_layout(
    label: DigitalLinkPackLabel, size_mm: tuple[float, float] = DIGITAL_LINK_PACK_SIZE_MM
) -> Layout:
    """DataMatrix at the left, the QR code next to it, the human-readable lines at the right. Each symbol
    may take a third of the width at most, so that the text keeps room."""
    width, height = size_mm
    pack = label.pack
    space_h = height - 2 * MARGIN_MM
    space_w = width / 3 - MARGIN_MM
    datamatrix = pack_datamatrix(pack, space_w, space_h, size_mm)
    uri = label.uri
    qr = barcodes.digital_link_qr(uri)  # encoded here: a QR code's version depends on the URI's length
    qr_module = fit_module(QR_MODULE_MM, space_w, space_h, qr.total_columns, DIGITAL_LINK_QR, size_mm)
    qr_x = MARGIN_MM + symbol_width_mm(datamatrix) + MARGIN_MM
    qr_box = BarcodeBox(
        kind="gs1-qr-digital-link",
        pairs=(),
        x_mm=qr_x,
        y_mm=MARGIN_MM,
        module_mm=qr_module,
        modules=qr.columns,
        quiet_zone=qr.quiet_zone,
        raw=uri,
        max_width_mm=qr.total_columns * qr_module + MARGIN_MM / 2,
    )
    text_x = qr_x + qr.total_columns * qr_module + MARGIN_MM
    text_width = width - text_x - MARGIN_MM
    if text_width < MIN_TEXT_WIDTH_MM:
        raise LabelError(
            "label_width_mm",
            f"a {width:g} mm wide label leaves {text_width:.1f} mm beside the DataMatrix and the QR code for the "
            f"human-readable lines, at least {MIN_TEXT_WIDTH_MM:g} mm are needed",
        )
    text = TextBlock(pack.lines(), text_x, MARGIN_MM, text_width, height - 2 * MARGIN_MM, 3.0)
    return Layout(label.name, width, height, (datamatrix, qr_box), (text,))
