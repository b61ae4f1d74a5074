"""Label rendering: GS1 barcodes (barcodes), label contents and layouts (templates), documents of many
labels as PDF, PNG zip or ZPL (documents). Pure: no database, no HTTP, no settings."""

from packtrace.labels.documents import render_pdf, render_png, render_png_zip, render_zpl
from packtrace.labels.templates import CaseLabel, Label, LabelError, PackLabel

__all__ = ["CaseLabel", "Label", "LabelError", "PackLabel", "render_pdf", "render_png", "render_png_zip", "render_zpl"]
