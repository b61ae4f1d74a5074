"""Label rendering: GS1 barcodes (barcodes), label contents and layouts (templates for pack and case
labels, digital_link_label, logistic; layouts picks one; minimums holds the GS1 symbol minimums they
keep), documents of many labels as PDF, PNG zip or ZPL (documents). Pure: no database, no HTTP, no
settings."""

from packtrace.labels.digital_link_label import DigitalLinkPackLabel
from packtrace.labels.documents import render_pdf, render_png, render_png_zip, render_zpl
from packtrace.labels.errors import LabelError
from packtrace.labels.layouts import Label
from packtrace.labels.logistic import Content, LogisticLabel
from packtrace.labels.templates import CaseLabel, PackLabel

__all__ = [
    "CaseLabel",
    "Content",
    "DigitalLinkPackLabel",
    "Label",
    "LabelError",
    "LogisticLabel",
    "PackLabel",
    "render_pdf",
    "render_png",
    "render_png_zip",
    "render_zpl",
]
